package dev.bucket.time;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Bucket's one timestamp format: ISO-8601 UTC with exactly three fraction digits. Fixed width, so stored strings sort
 * and compare in time order, and canonical JSON stays byte-stable.
 */
public final class Timestamps {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {
  }

  public static String format(Instant instant) {
    return FORMAT.format(instant);
  }
}
