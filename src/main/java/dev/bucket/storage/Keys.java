package dev.bucket.storage;

/**
 * Building blocks of store keys. Keys are compared as UTF-8 bytes, so numbers are zero-padded to a fixed width and
 * parts are joined with {@link #SEP}, which sorts below every character allowed in an id: {@code a/b} then sorts
 * before {@code a-b/…} would, and a prefix scan of {@code a/} never meets {@code ab/}.
 */
public final class Keys {

  /** Separator of key parts (U+001F, the unit separator): below every printable character. */
  public static final char SEP = '\u001f';

  /** Largest key length, in UTF-8 bytes (MongoDB's index keys are limited; ours stay far below). */
  public static final int MAX_BYTES = 1024;

  private Keys() {
  }

  /** {@code parts} joined with {@link #SEP}. */
  public static String of(Object... parts) {
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        key.append(SEP);
      }
      String part = String.valueOf(parts[i]);
      if (part.indexOf(SEP) >= 0) {
        throw new IllegalArgumentException("key part contains the separator: " + part);
      }
      key.append(part);
    }
    return key.toString();
  }

  /** {@code parts} joined and followed by {@link #SEP}: the prefix of every key that extends them. */
  public static String prefix(Object... parts) {
    return of(parts) + SEP;
  }

  /** A non-negative long as 19 decimal digits (Long.MAX_VALUE's width), so numeric and key order agree. */
  public static String num(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("key numbers must not be negative: " + n);
    }
    String digits = Long.toString(n);
    return "0".repeat(19 - digits.length()) + digits;
  }

  /** The number {@link #num} wrote. */
  public static long parseNum(String digits) {
    return Long.parseLong(digits);
  }

  /** The smallest key greater than every key starting with {@code prefix}: the exclusive end of a prefix scan. */
  public static String end(String prefix) {
    if (prefix.isEmpty()) {
      return null;
    }
    // Every key part is below U+FFFF in practice; appending the largest BMP character bounds the prefix's keys.
    return prefix + '\uffff';
  }

  /** The last part of a key. */
  public static String last(String key) {
    return key.substring(key.lastIndexOf(SEP) + 1);
  }

  static void requireValid(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    if (key.length() > MAX_BYTES / 3 && key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException("key longer than " + MAX_BYTES + " bytes");
    }
  }
}
