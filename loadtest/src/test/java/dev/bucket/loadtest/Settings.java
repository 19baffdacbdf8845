package dev.bucket.loadtest;

import java.time.Duration;
import java.util.Locale;

/**
 * Knobs of the load tests, all read from system properties ({@code -Dkey=value} on the Maven command line; the
 * Gatling plugin passes them on to the forked Gatling JVM). Every simulation prints the values it used.
 */
final class Settings {

  private Settings() {
  }

  static String string(String key, String fallback) {
    String value = System.getProperty(key);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  static int integer(String key, int fallback) {
    String value = System.getProperty(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + key + " must be a whole number, got '" + value + "'");
    }
  }

  static double decimal(String key, double fallback) {
    String value = System.getProperty(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + key + " must be a number, got '" + value + "'");
    }
  }

  static boolean flag(String key, boolean fallback) {
    String value = System.getProperty(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException("-D" + key + " must be true or false, got '" + value + "'");
    };
  }

  static Duration seconds(String key, int fallback) {
    int value = integer(key, fallback);
    if (value < 0) {
      throw new IllegalArgumentException("-D" + key + " must be ≥ 0 seconds, got " + value);
    }
    return Duration.ofSeconds(value);
  }
}
