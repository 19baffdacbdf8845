package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.config.BucketConfig;
import dev.bucket.config.ConfigLoader;
import dev.bucket.support.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClientCertificates} on real connections: an HTTPS server built from the gateway's own
 * {@link TlsServerOptions} (client certificates requested, checked against the test CA) and a plain HTTP server, both
 * answering with what the request's certificate says.
 */
@ExtendWith(VertxExtension.class)
class ClientCertificatesTest {

  @TempDir
  static Path certs;
  static TestCertificates pki;

  @BeforeAll
  static void issueCertificates() {
    pki = TestCertificates.create(certs);
  }

  /** What the server saw: the integration id (null when empty) and the class of its TLS session. */
  record Seen(String integrationId, String serverSession, String protocol) {
  }

  static JsonObject describe(HttpServerRequest request) {
    return new JsonObject()
        .put("id", ClientCertificates.integrationId(request).orElse(null))
        .put("session", request.sslSession() == null ? null : request.sslSession().getClass().getName());
  }

  static HttpServer server(Vertx vertx, boolean tls) {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (tls) {
      BucketConfig config = ConfigLoader.load(Path.of("conf", "bucket.json"), Map.of(), new Properties(), Map.of(
          "tls_cert_path", pki.server().cert().toString(),
          "tls_key_path", pki.server().key().toString(),
          "tls_client_ca_path", pki.ca().toString()));
      TlsServerOptions.load(vertx, config.tls().orElseThrow()).applyTo(options);
    }
    return vertx.createHttpServer(options)
        .requestHandler(request -> request.response().end(describe(request).encode()))
        .listen().await();
  }

  static Seen ask(Vertx vertx, HttpServer server, TestCertificates.Pem clientCert, String protocol) {
    HttpClientOptions options = new HttpClientOptions();
    boolean tls = protocol != null;
    if (tls) {
      options.setSsl(true).setVerifyHost(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(pki.ca().toString()))
          .setEnabledSecureTransportProtocols(Set.of(protocol));
    }
    if (clientCert != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(clientCert.cert().toString())
          .setKeyPath(clientCert.key().toString()));
    }
    HttpClient client = vertx.createHttpClient(options);
    try {
      return client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
          .compose(request -> request.send().compose(response -> response.body().map(body -> {
            JsonObject seen = body.toJsonObject();
            return new Seen(seen.getString("id"), seen.getString("session"),
                tls ? request.connection().sslSession().getProtocol() : null);
          })))
          .await();
    } finally {
      client.close();
    }
  }

  @Test
  void theIdComesFromTheSanUriOfAVerifiedClientCertificateOverTls12And13(Vertx vertx) {
    HttpServer server = server(vertx, true);
    for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
      Seen seen = ask(vertx, server, pki.client(), protocol);
      assertThat(seen.protocol()).isEqualTo(protocol);
      assertThat(seen.integrationId()).as(protocol).isEqualTo(TestCertificates.CLIENT_ID);
      // The server side of the connection is BoringSSL through netty-tcnative, not the JDK engine.
      assertThat(seen.serverSession()).startsWith("io.netty.handler.ssl.").contains("OpenSsl");
    }
  }

  @Test
  void withoutACertificateOrOverPlainHttpThereIsNoIdAndNoException(Vertx vertx) {
    assertThat(ask(vertx, server(vertx, true), null, "TLSv1.3").integrationId()).isNull();
    assertThat(ask(vertx, server(vertx, false), null, null)).isEqualTo(new Seen(null, null, null));
  }

  @Test
  void withoutAnIntegrationUriTheSubjectCommonNameIsTheId(Vertx vertx) {
    HttpServer server = server(vertx, true);
    assertThat(ask(vertx, server, pki.issueClient("cn-only", "batch-exporter"), "TLSv1.3").integrationId())
        .isEqualTo("batch-exporter");
    // Other SAN URIs do not count; the CN still does.
    assertThat(ask(vertx, server, pki.issueClient("other-uri", "nightly-sync", "https://example.org/sync",
        "urn:other:integration:x"), "TLSv1.3").integrationId()).isEqualTo("nightly-sync");
    // The URI wins over the CN.
    assertThat(ask(vertx, server, pki.issueClient("both", "some-cn", "urn:bucket:integration:the-uri-id"),
        "TLSv1.2").integrationId()).isEqualTo("the-uri-id");
  }

  @Test
  void ambiguousOrImplausibleNamesGiveNoId(Vertx vertx) {
    HttpServer server = server(vertx, true);
    assertThat(ask(vertx, server, pki.issueClient("two-ids", "cn", "urn:bucket:integration:a",
        "urn:bucket:integration:b"), "TLSv1.3").integrationId()).isNull();
    assertThat(ask(vertx, server, pki.issueClient("same-id-twice", "cn", "urn:bucket:integration:a",
        "urn:bucket:integration:a"), "TLSv1.3").integrationId()).isEqualTo("a");
    assertThat(ask(vertx, server, pki.issueClient("empty-id", "cn", "urn:bucket:integration:"), "TLSv1.3")
        .integrationId()).isNull();
    assertThat(ask(vertx, server, pki.issueClient("spaced-cn", TestCertificates.CLIENT_CN), "TLSv1.3")
        .integrationId()).isNull();
    assertThat(ask(vertx, server, pki.issueClient("no-cn", null), "TLSv1.3").integrationId()).isNull();
  }
}
