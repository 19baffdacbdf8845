package dev.bucket.transparency;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/** Shared rules of C2SP signed-note: key names, key IDs, base64, note text, and raw Ed25519 keys. */
final class NoteFormat {

  /** Signature type byte of Ed25519 keys and signatures. */
  static final byte ED25519 = 0x01;

  /** Every signature line starts with an em dash (U+2014) and a space. */
  static final String SIGNATURE_PREFIX = "\u2014 ";

  /** X.509 SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410); the raw 32-byte key follows it. */
  private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private NoteFormat() {
  }

  /** Non-empty, well-formed, and without Unicode spaces or '+', which would break key strings and signature lines. */
  static boolean isValidName(String name) {
    if (name == null || name.isEmpty() || !isWellFormed(name)) {
      return false;
    }
    return name.codePoints().noneMatch(c -> c == '+' || c < 0x20 || c == 0x85 || Character.isWhitespace(c)
        || Character.isSpaceChar(c));
  }

  static void requireValidName(String name) {
    if (!isValidName(name)) {
      throw new IllegalArgumentException("key name must be non-empty and contain no spaces, control characters"
          + " or '+': \"" + name + "\"");
    }
  }

  /** {@code SHA-256(name || 0x0A || signature type || public key)[:4]} as a big-endian integer. */
  static int keyId(String name, byte[] publicKey) {
    MessageDigest sha256 = MerkleHash.sha256();
    sha256.update(name.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) 0x0A);
    sha256.update(ED25519);
    sha256.update(publicKey);
    byte[] digest = sha256.digest();
    return ((digest[0] & 0xff) << 24) | ((digest[1] & 0xff) << 16) | ((digest[2] & 0xff) << 8) | (digest[3] & 0xff);
  }

  static String hex(int keyId) {
    return String.format("%08x", keyId);
  }

  /** Standard padded base64, rejecting every other spelling of the same bytes; null if not canonical. */
  static byte[] decodeBase64(String text) {
    try {
      byte[] bytes = Base64.getDecoder().decode(text);
      return Base64.getEncoder().encodeToString(bytes).equals(text) ? bytes : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A note text must end in a newline and hold no control characters but newlines. */
  static void requireValidText(String text) {
    if (text == null || !text.endsWith("\n")) {
      throw new IllegalArgumentException("note text must end with a newline");
    }
    if (!isWellFormed(text)) {
      throw new IllegalArgumentException("note text must be well-formed Unicode");
    }
    if (text.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
      throw new IllegalArgumentException("note text must not contain control characters other than newline");
    }
  }

  /** Java strings may hold unpaired surrogates, which have no UTF-8 encoding. */
  static boolean isWellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  static PublicKey ed25519PublicKey(byte[] raw) {
    byte[] encoded = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + raw.length);
    System.arraycopy(raw, 0, encoded, SPKI_PREFIX.length, raw.length);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Ed25519 is required by Java 15 and later", e);
    } catch (InvalidKeySpecException e) {
      throw new IllegalArgumentException("not an Ed25519 public key", e);
    }
  }

  static byte[] rawPublicKey(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded.length != SPKI_PREFIX.length + 32
        || !Arrays.equals(encoded, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
      throw new IllegalStateException("unexpected Ed25519 public key encoding");
    }
    return Arrays.copyOfRange(encoded, SPKI_PREFIX.length, encoded.length);
  }

  static boolean verifyEd25519(PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Ed25519 is required by Java 15 and later", e);
    } catch (InvalidKeyException | SignatureException e) {
      return false;
    }
  }
}
