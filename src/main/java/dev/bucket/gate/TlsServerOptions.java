package dev.bucket.gate;

import dev.bucket.config.BucketConfig;
import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The HTTPS listener's TLS settings: BoringSSL through netty-tcnative ({@link OpenSSLEngineOptions}, never a silent
 * fallback to the JDK engine), TLS 1.2 and 1.3 only, the PEM server certificate and key, and, with a client CA,
 * client-certificate authentication.
 *
 * <p>{@link #load} reads and checks the PEM files once at start-up (blocking), so a missing file, a file without the
 * expected PEM block or a key that does not belong to the certificate stops start-up with a message naming the path,
 * instead of failing later at the first handshake. Every gate instance then gets the same bytes.
 */
public final class TlsServerOptions {

  /** The only protocol versions the HTTPS listener accepts. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private final Buffer cert;
  private final Buffer key;
  private final Buffer clientCa;
  private final ClientAuth clientAuth;

  private TlsServerOptions(Buffer cert, Buffer key, Buffer clientCa, ClientAuth clientAuth) {
    this.cert = cert;
    this.key = key;
    this.clientCa = clientCa;
    this.clientAuth = clientAuth;
  }

  /**
   * Blocking: checks that BoringSSL is usable and reads the PEM files.
   *
   * @throws IllegalStateException naming the file (or the missing native library) when something is wrong
   */
  public static TlsServerOptions load(Vertx vertx, BucketConfig.Tls tls) {
    requireOpenSsl();
    Buffer cert = read("tls_cert_path", tls.certPath());
    Buffer key = read("tls_key_path", tls.keyPath());
    X509Certificate leaf = certificates("tls_cert_path", tls.certPath(), cert).get(0);
    checkKeyMatches(vertx, tls, cert, key, leaf);
    // A configured CA is checked even with tls_client_auth=none, so a typo shows before anyone relies on it.
    Buffer clientCa = null;
    if (tls.clientCaPath().isPresent()) {
      clientCa = read("tls_client_ca_path", tls.clientCaPath().get());
      certificates("tls_client_ca_path", tls.clientCaPath().get(), clientCa);
    }
    ClientAuth clientAuth = ClientAuth.valueOf(tls.clientAuth().name());
    return new TlsServerOptions(cert, key, clientAuth == ClientAuth.NONE ? null : clientCa, clientAuth);
  }

  /** Fails unless netty-tcnative's BoringSSL loaded: TLS never silently falls back to the JDK engine. */
  public static void requireOpenSsl() {
    if (!OpenSSLEngineOptions.isAvailable()) {
      Throwable cause = OpenSsl.unavailabilityCause();
      throw new IllegalStateException("HTTPS needs BoringSSL (netty-tcnative-boringssl-static) and it is not usable"
          + " on this platform" + (cause == null ? "" : ": " + cause));
    }
  }

  /** Adds the TLS settings to a listener's options (host, port and HTTP settings are the caller's). */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    options.setSsl(true)
        .setSslEngineOptions(new OpenSSLEngineOptions())
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setKeyCertOptions(new PemKeyCertOptions().setCertValue(cert.copy()).setKeyValue(key.copy()))
        .setClientAuth(clientAuth);
    if (clientCa != null) {
      options.setTrustOptions(new PemTrustOptions().addCertValue(clientCa.copy()));
    }
    return options;
  }

  public ClientAuth clientAuth() {
    return clientAuth;
  }

  private static Buffer read(String key, Path path) {
    try {
      return Buffer.buffer(Files.readAllBytes(path));
    } catch (IOException e) {
      throw new IllegalStateException(key + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static List<X509Certificate> certificates(String key, Path path, Buffer pem) {
    if (!pem.toString(StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalStateException(key + ": " + path + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    try {
      Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes()));
      if (all.isEmpty()) {
        throw new CertificateException("no certificate");
      }
      return all.stream().map(X509Certificate.class::cast).toList();
    } catch (CertificateException e) {
      throw new IllegalStateException(key + ": " + path + " is not a readable PEM certificate (" + e.getMessage()
          + ")");
    }
  }

  /** Parses the key the way Vert.x will, and proves it belongs to the first certificate by a signature. */
  private static void checkKeyMatches(Vertx vertx, BucketConfig.Tls tls, Buffer cert, Buffer key,
                                      X509Certificate leaf) {
    PrivateKey privateKey;
    try {
      KeyManager[] managers = new PemKeyCertOptions().setCertValue(cert).setKeyValue(key)
          .getKeyManagerFactory(vertx).getKeyManagers();
      X509KeyManager manager = (X509KeyManager) managers[0];
      String[] aliases = manager.getServerAliases(leaf.getPublicKey().getAlgorithm(), null);
      privateKey = aliases == null || aliases.length == 0 ? null : manager.getPrivateKey(aliases[0]);
    } catch (Exception e) {
      throw new IllegalStateException("tls_key_path: " + tls.keyPath() + " is not a usable PEM private key ("
          + e.getMessage() + ")");
    }
    String algorithm = switch (leaf.getPublicKey().getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> null;
    };
    if (algorithm == null) {
      return; // an unusual key type: left to the TLS stack to judge
    }
    // No key of the certificate's type, or one whose signature the certificate's public key does not verify.
    if (privateKey == null || !verifies(algorithm, privateKey, leaf)) {
      throw new IllegalStateException("tls_key_path: " + tls.keyPath() + " does not belong to the certificate in "
          + tls.certPath());
    }
  }

  private static boolean verifies(String algorithm, PrivateKey privateKey, X509Certificate leaf) {
    try {
      byte[] probe = "bucket tls key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (Exception e) {
      return false;
    }
  }
}
