package dev.bucket.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys: 256 random bits, shown once, stored only as their SHA-256. A fast hash is enough here because the keys
 * are random (no dictionary to try), the same reasoning GitHub and Stripe tokens follow; a slow password hash would
 * only cost every request. The hash doubles as the lookup id, so no part of the key is stored in clear.
 */
public final class ApiKeys {

  static final String PREFIX = "bk_";
  /** A key given by the operator (BUCKET_OWNER_KEY) must be at least this long to carry enough entropy. */
  public static final int MIN_LENGTH = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {
  }

  public static String generate() {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  public static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  /** Cheap shape check before any lookup: printable ASCII without spaces, of a sane length. */
  public static boolean plausible(String key) {
    return key != null && key.length() >= MIN_LENGTH && key.length() <= 256 && key.chars().allMatch(c -> c > 32 && c < 127);
  }
}
