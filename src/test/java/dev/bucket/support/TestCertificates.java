package dev.bucket.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for TLS tests, written as PEM files into a directory: a CA ({@code ca.pem}), a server certificate
 * for {@code localhost} and {@code 127.0.0.1} ({@code server.pem}, {@code server.key}) and a client certificate
 * naming integration {@link #CLIENT_ID} in a SAN URI ({@code client.pem}, {@code client.key}). More client
 * certificates can be issued with {@link #issueClient}. Keys are EC P-256, private keys PKCS#8.
 */
public final class TestCertificates {

  /** The integration id in the default client certificate's SAN URI. */
  public static final String CLIENT_ID = "assistant-ingest";
  /** The default client certificate's subject CN (deliberately not the id). */
  public static final String CLIENT_CN = "Assistant ingest job";

  /** A certificate chain and private key written as PEM files. */
  public record Pem(Path cert, Path key) {
  }

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate caCert;
  private final Path ca;
  private final Pem server;
  private final Pem client;

  private TestCertificates(Path dir, String caName) throws GeneralSecurityException, IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    caKeys = keyPair();
    X500Name caSubject = new X500Name("CN=" + caName);
    JcaX509v3CertificateBuilder builder = builder(caSubject, caSubject, caKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    builder.addExtension(Extension.subjectKeyIdentifier, false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(caKeys.getPublic()));
    caCert = sign(builder, caKeys.getPrivate());
    ca = write("ca.pem", caCert);
    server = issue("server", "CN=localhost", KeyPurposeId.id_kp_serverAuth, List.of(
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    client = issueClient("client", CLIENT_CN, "urn:bucket:integration:" + CLIENT_ID);
  }

  /** A fresh CA with its server and client certificates, written into {@code dir}. */
  public static TestCertificates create(Path dir) {
    return create(dir, "Bucket Test CA");
  }

  public static TestCertificates create(Path dir, String caName) {
    try {
      return new TestCertificates(dir, caName);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CA certificate (PEM), i.e. what {@code tls_client_ca_path} and a client's trust store point at. */
  public Path ca() {
    return ca;
  }

  public Pem server() {
    return server;
  }

  /** The CA-signed client certificate with SAN URI {@code urn:bucket:integration:}{@link #CLIENT_ID}. */
  public Pem client() {
    return client;
  }

  /**
   * Issues a CA-signed client certificate written as {@code <name>.pem} / {@code <name>.key}, with the given subject
   * CN (null for none) and SAN URIs.
   */
  public Pem issueClient(String name, String commonName, String... sanUris) {
    List<GeneralName> sans = new ArrayList<>();
    for (String uri : sanUris) {
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    }
    String subject = commonName == null ? "O=Bucket Tests" : "CN=" + commonName + ",O=Bucket Tests";
    try {
      return issue(name, subject, KeyPurposeId.id_kp_clientAuth, sans);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Pem issue(String name, String subject, KeyPurposeId purpose, List<GeneralName> sans)
      throws GeneralSecurityException, IOException {
    KeyPair keys = keyPair();
    JcaX509v3CertificateBuilder builder = builder(new X500Name(caCert.getSubjectX500Principal().getName()),
        new X500Name(subject), keys.getPublic());
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCert));
    builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
    if (!sans.isEmpty()) {
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(sans.toArray(GeneralName[]::new)));
    }
    X509Certificate cert = sign(builder, caKeys.getPrivate());
    return new Pem(write(name + ".pem", cert), write(name + ".key", new JcaPKCS8Generator(keys.getPrivate(), null)));
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private Path write(String file, Object pemObject) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(pemObject);
    }
    Path path = dir.resolve(file);
    Files.writeString(path, text.toString());
    return path;
  }
}
