package dev.bucket.governance.threat;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The credential formats T2 recognises. Each rule reports one of T2's {@code credential_exposure} sub-patterns:
 * <ul>
 *   <li>{@code connection_string_password}: a MongoDB, PostgreSQL, MySQL/MariaDB, Redis or AMQP URI with
 *       {@code user:password@}, or a JDBC URL with a {@code password=} parameter;</li>
 *   <li>{@code cloud_access_key}: an AWS access key id ({@code AKIA}/{@code ASIA} and 16 more), a Google API key
 *       ({@code AIza} and 35 more);</li>
 *   <li>{@code private_key_block}: a PEM or PGP {@code -----BEGIN ... PRIVATE KEY-----} line, encrypted or not;</li>
 *   <li>{@code bearer_token}: a GitHub token ({@code ghp_}, {@code gho_}, {@code ghu_}, {@code ghs_}, {@code ghr_},
 *       {@code github_pat_}), a Slack token ({@code xoxb-}, {@code xoxa-}, {@code xoxp-}, ...), a JSON Web Token;</li>
 *   <li>{@code secret_field}: a non-empty string under a key naming a password or secret, see
 *       {@link #namesSecret(String)}.</li>
 * </ul>
 * Formats not listed here get through: this is a net for accidents and careless integrations, not a guarantee.
 */
final class Credentials {

  /** One recognised format; {@code label} says what it is without showing any of it. */
  record Rule(String pattern, String label, Pattern regex) {
  }

  static final String SECRET_FIELD = "secret_field";

  static final List<Rule> RULES = List.of(
      new Rule("connection_string_password", "a connection string with a password", Pattern.compile(
          "(?i)\\b(?:mongodb(?:\\+srv)?|postgres(?:ql)?|mysql|mariadb|rediss?|amqps?)://[^\\s/?#@:]*:[^\\s/?#@]+@")),
      new Rule("connection_string_password", "a JDBC URL with a password", Pattern.compile(
          "(?i)\\bjdbc:[a-z0-9]+:\\S*?[?&;]password=[^&;\\s]+")),
      new Rule("cloud_access_key", "an AWS access key id", Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b")),
      new Rule("cloud_access_key", "a Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
      new Rule("private_key_block", "a private key block", Pattern.compile(
          "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
      new Rule("bearer_token", "a GitHub token", Pattern.compile(
          "\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
      new Rule("bearer_token", "a Slack token", Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}")),
      new Rule("bearer_token", "a JSON Web Token", Pattern.compile(
          "\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}")));

  private static final Set<String> SECRET_WORDS = Set.of("password", "passwd", "passphrase", "secret");
  private static final Pattern WORD_BREAK = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+");
  private static final Pattern MASK = Pattern.compile("[*\u2022]+");

  private Credentials() {
  }

  static List<Rule> matching(String text) {
    return RULES.stream().filter(rule -> rule.regex().matcher(text).find()).toList();
  }

  static boolean anyMatch(String text) {
    return RULES.stream().anyMatch(rule -> rule.regex().matcher(text).find());
  }

  /**
   * Whether {@code key} names a password or secret: one of its words is password, passwd, passphrase or secret, and
   * its last word is one of those or "key" ({@code db_password}, {@code clientSecret}, {@code aws_secret_access_key}).
   * Keys that only mention the word ({@code password_policy}, {@code secret_santa}) are not secrets.
   */
  static boolean namesSecret(String key) {
    List<String> words = Arrays.stream(WORD_BREAK.split(key)).filter(w -> !w.isEmpty())
        .map(w -> w.toLowerCase(Locale.ROOT)).toList();
    if (words.isEmpty() || words.stream().noneMatch(SECRET_WORDS::contains)) {
      return false;
    }
    String last = words.get(words.size() - 1);
    return SECRET_WORDS.contains(last) || last.equals("key");
  }

  /** Whether a value under a secret key holds one: not blank, and not already masked ("********"). */
  static boolean holdsSecret(Object value) {
    return value instanceof String s && !s.isBlank() && !MASK.matcher(s.strip()).matches();
  }
}
