package dev.bucket.gate;

import io.vertx.core.http.HttpServerRequest;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who a request's client certificate says it is. The HTTPS listener only accepts client certificates that chain to
 * {@code tls_client_ca_path} (anything else fails the handshake), so a certificate seen here has been verified.
 *
 * <p>The integration id is taken from a SAN URI {@code urn:bucket:integration:<id>} when the certificate has one,
 * else from the subject CN. Anything ambiguous (two different integration URIs, or no URI and several CNs) or not a
 * plausible id yields nothing rather than a guess. Mapping the id to an approved integration is the caller's job.
 */
public final class ClientCertificates {

  /** The SAN URI prefix that names an integration. */
  public static final String URI_PREFIX = "urn:bucket:integration:";

  /** What an id may look like: printable, no spaces, at most 128 characters. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
  private static final int SAN_URI = 6;

  private ClientCertificates() {
  }

  /**
   * The integration id of the request's verified client certificate; empty for plain HTTP, for HTTPS without a
   * client certificate, and when the certificate names no usable id. Never throws.
   */
  public static Optional<String> integrationId(HttpServerRequest request) {
    return peerCertificate(request).flatMap(ClientCertificates::integrationId);
  }

  /** The verified client (leaf) certificate of the request's connection, if any. Never throws. */
  public static Optional<X509Certificate> peerCertificate(HttpServerRequest request) {
    try {
      SSLSession session = request.isSSL() ? request.sslSession() : null;
      if (session == null) {
        return Optional.empty();
      }
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty(); // HTTPS, but the client sent no certificate
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The integration id a certificate names: its {@code urn:bucket:integration:} SAN URI, else its subject CN. */
  public static Optional<String> integrationId(X509Certificate certificate) {
    List<String> fromUris = sanUris(certificate).stream()
        .filter(uri -> uri.startsWith(URI_PREFIX))
        .map(uri -> uri.substring(URI_PREFIX.length()))
        .distinct()
        .toList();
    if (!fromUris.isEmpty()) {
      return fromUris.size() == 1 ? valid(fromUris.get(0)) : Optional.empty();
    }
    List<String> cns = commonNames(certificate);
    return cns.size() == 1 ? valid(cns.get(0)) : Optional.empty();
  }

  private static Optional<String> valid(String id) {
    return ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }

  private static List<String> sanUris(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return List.of();
      }
      return names.stream()
          .filter(name -> name.size() == 2 && name.get(0) instanceof Integer type && type == SAN_URI
              && name.get(1) instanceof String)
          .map(name -> (String) name.get(1))
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static List<String> commonNames(X509Certificate certificate) {
    try {
      List<String> cns = new ArrayList<>();
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        Attribute cn = rdn.toAttributes().get("CN"); // attribute ids are matched case-insensitively
        for (int i = 0; cn != null && i < cn.size(); i++) {
          cns.add(cn.get(i) instanceof String value ? value : "");
        }
      }
      return cns;
    } catch (NamingException e) {
      return List.of();
    }
  }
}
