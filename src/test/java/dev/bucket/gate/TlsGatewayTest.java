package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bucket.config.ConfigLoader;
import dev.bucket.support.TestCertificates;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS listener of a real gateway (random ports, BoringSSL): the same router as plain HTTP, TLS 1.2 and 1.3
 * only, and client certificates checked against the configured CA. Clients use the JDK's TLS engine unless said
 * otherwise, so every handshake here is between two independent implementations.
 */
@ExtendWith(VertxExtension.class)
class TlsGatewayTest {

  @TempDir
  static Path certs;
  static TestCertificates pki;
  static TestCertificates foreign;

  @BeforeAll
  static void issueCertificates() {
    pki = TestCertificates.create(certs.resolve("pki"));
    foreign = TestCertificates.create(certs.resolve("foreign"), "Some Other CA");
  }

  static Map<String, String> tls(String... more) {
    Map<String, String> overrides = new HashMap<>(Map.of(
        "tls_cert_path", pki.server().cert().toString(),
        "tls_key_path", pki.server().key().toString()));
    for (int i = 0; i < more.length; i += 2) {
      overrides.put(more[i], more[i + 1]);
    }
    return overrides;
  }

  /** A client trusting the test CA, verifying the host name, tweaked per test. */
  static HttpClient client(Vertx vertx, UnaryOperator<HttpClientOptions> tweak) {
    return vertx.createHttpClient(tweak.apply(new HttpClientOptions()
        .setSsl(true)
        .setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(pki.ca().toString()))));
  }

  static HttpClientOptions withCertificate(HttpClientOptions options, TestCertificates.Pem pem) {
    return options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(pem.cert().toString())
        .setKeyPath(pem.key().toString()));
  }

  /**
   * A client that presents {@code pem} even when the server's list of acceptable CAs does not include its issuer
   * (the JDK would otherwise quietly send no certificate), so the server's own verification is what is tested.
   */
  static HttpClientOptions insistingOn(HttpClientOptions options, TestCertificates.Pem pem, Vertx vertx) {
    try {
      X509KeyManager keys = (X509KeyManager) new PemKeyCertOptions().setCertPath(pem.cert().toString())
          .setKeyPath(pem.key().toString()).getKeyManagerFactory(vertx).getKeyManagers()[0];
      String alias = keys.getClientAliases("EC", null)[0];
      return options.setKeyCertOptions(KeyCertOptions.wrap(new X509ExtendedKeyManager() {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
          return new String[] {alias};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
          return alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
          return alias;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
          return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String name) {
          return keys.getCertificateChain(name);
        }

        @Override
        public PrivateKey getPrivateKey(String name) {
          return keys.getPrivateKey(name);
        }
      }));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs a request that must fail, and returns the failure described (type and message of every cause and suppressed
   * exception), which tells a server's alert from a client-side problem.
   */
  static String refusal(ThrowingCallable request) {
    Throwable failure = catchThrowable(request);
    assertThat(failure).as("the request should have been refused").isNotNull();
    StringBuilder all = new StringBuilder();
    for (Throwable e = failure; e != null; e = e.getCause()) {
      all.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage()).append(" / ");
      for (Throwable s : e.getSuppressed()) {
        all.append(s.getClass().getSimpleName()).append(": ").append(s.getMessage()).append(" / ");
      }
    }
    return all.toString();
  }

  record Answer(int status, String body, String protocol) {
  }

  static Answer get(HttpClient client, int port, String path) {
    try {
      return client.request(HttpMethod.GET, port, "127.0.0.1", path)
          .compose(request -> request.send().compose(response -> response.body().map(body -> new Answer(
              response.statusCode(), body.toString(), request.connection().sslSession().getProtocol()))))
          .await();
    } finally {
      client.close();
    }
  }

  @Test
  void httpsServesTheSameRouterAsPlainHttpWhichStaysOpen(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, tls())) {
      assertThat(node.httpsPort()).isPositive().isNotEqualTo(node.port());

      Answer health = get(client(vertx, o -> o), node.httpsPort(), "/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("healthy");
      assertThat(health.protocol()).isIn("TLSv1.2", "TLSv1.3");

      assertThat(node.api().get("/health").statusCode()).isEqualTo(200);
      String keyOverHttp = node.api().get("/v1/log/key").bodyAsString();
      Answer keyOverHttps = get(client(vertx, o -> o), node.httpsPort(), "/v1/log/key");
      assertThat(keyOverHttps.body()).isEqualTo(keyOverHttp);
      // Errors go through the same failure handler on both listeners (no key: refused before routing).
      Answer missing = get(client(vertx, o -> o), node.httpsPort(), "/no/such/route");
      assertThat(missing.status()).isEqualTo(401);
      assertThat(new JsonObject(missing.body()).getString("type")).startsWith("urn:bucket:problem:");
    }
  }

  @Test
  void onlyTls12AndTls13AreNegotiated(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, tls())) {
      assertThat(get(client(vertx, o -> o.setEnabledSecureTransportProtocols(Set.of("TLSv1.2"))),
          node.httpsPort(), "/health").protocol()).isEqualTo("TLSv1.2");
      assertThat(get(client(vertx, o -> o.setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))),
          node.httpsPort(), "/health").protocol()).isEqualTo("TLSv1.3");

      // The JDK refuses to offer TLS 1.1 at all, so the old client is BoringSSL too: it offers TLS 1.1 only and
      // the server must answer with a protocol_version alert.
      HttpClient old = client(vertx, o -> o.setSslEngineOptions(new OpenSSLEngineOptions())
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.1")));
      assertThat(refusal(() -> get(old, node.httpsPort(), "/health"))).contains("ALERT_PROTOCOL_VERSION");
    }
  }

  /**
   * The options every gate instance applies to its HTTPS server. That a connection made with them really runs on
   * BoringSSL (the server-side session is netty-tcnative's) is checked in {@link ClientCertificatesTest}.
   */
  @Test
  void theListenerUsesBoringSslThroughTheOpenSslEngine(Vertx vertx) {
    assertThat(OpenSSLEngineOptions.isAvailable()).isTrue();
    TlsServerOptions.requireOpenSsl();
    HttpServerOptions options = new HttpServerOptions();
    pkiOptions(vertx).applyTo(options);
    assertThat(options.isSsl()).isTrue();
    assertThat(options.getSslEngineOptions()).isInstanceOf(OpenSSLEngineOptions.class);
    assertThat(options.getEnabledSecureTransportProtocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
  }

  static TlsServerOptions pkiOptions(Vertx vertx) {
    return TlsServerOptions.load(vertx, ConfigLoader.load(Path.of("conf", "bucket.json"), Map.of(), new Properties(),
        tls()).tls().orElseThrow());
  }

  @Test
  void requiredClientCertificatesMustChainToTheConfiguredCa(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, tls("tls_client_ca_path", pki.ca().toString(),
        "tls_client_auth", "required"))) {
      assertThat(refusal(() -> get(client(vertx, o -> o), node.httpsPort(), "/health")))
          .as("no client certificate").contains("fatal alert: certificate_required");
      assertThat(refusal(() -> get(client(vertx, o -> insistingOn(o, foreign.client(), vertx)), node.httpsPort(),
          "/health"))).as("a certificate from another CA").contains("fatal alert");

      Answer answer = get(client(vertx, o -> withCertificate(o, pki.client())), node.httpsPort(), "/health");
      assertThat(answer.status()).isEqualTo(200);
      // TLS 1.2 too, where the client certificate is part of the handshake proper.
      assertThat(get(client(vertx, o -> withCertificate(o, pki.client()).setEnabledSecureTransportProtocols(
          Set.of("TLSv1.2"))), node.httpsPort(), "/health").status()).isEqualTo(200);
      assertThat(refusal(() -> get(client(vertx, o -> o.setEnabledSecureTransportProtocols(Set.of("TLSv1.2"))),
          node.httpsPort(), "/health"))).as("no client certificate, TLS 1.2").contains("fatal alert");
      assertThat(refusal(() -> get(client(vertx, o -> insistingOn(o, foreign.client(), vertx)
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"))), node.httpsPort(), "/health")))
          .as("a certificate from another CA, TLS 1.2").contains("fatal alert");
      // Plain HTTP stays open for local use, certificate or not.
      assertThat(node.api().get("/health").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aClientCaAloneRequestsCertificatesWithoutRequiringThem(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, tls("tls_client_ca_path", pki.ca().toString()))) {
      assertThat(node.node().config().tls().orElseThrow().clientAuth())
          .isEqualTo(dev.bucket.config.BucketConfig.ClientAuthMode.REQUEST);
      assertThat(get(client(vertx, o -> o), node.httpsPort(), "/health").status()).isEqualTo(200);
      assertThat(get(client(vertx, o -> withCertificate(o, pki.client())), node.httpsPort(), "/health").status())
          .isEqualTo(200);
      // A certificate that is offered must still verify.
      for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
        assertThat(refusal(() -> get(client(vertx, o -> insistingOn(o, foreign.client(), vertx)
            .setEnabledSecureTransportProtocols(Set.of(protocol))), node.httpsPort(), "/health")))
            .as(protocol).contains("fatal alert");
      }
    }
  }

  @Test
  void badTlsFilesStopStartUpNamingTheKeyAndPath(Vertx vertx) throws Exception {
    Path missing = certs.resolve("no-such-cert.pem");
    assertThatThrownBy(() -> new TestNode(vertx, TestNode.freshDataDir(), tls("tls_cert_path", missing.toString()))
        .start()).hasMessageContaining("tls_cert_path").hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> new TestNode(vertx, TestNode.freshDataDir(),
        tls("tls_key_path", pki.client().key().toString())).start())
        .hasMessageContaining("tls_key_path").hasMessageContaining(pki.client().key().toString())
        .hasMessageContaining("does not belong");
    assertThatThrownBy(() -> new TestNode(vertx, TestNode.freshDataDir(),
        tls("tls_client_ca_path", pki.server().key().toString())).start())
        .hasMessageContaining("tls_client_ca_path").hasMessageContaining("no PEM certificate");
  }
}
