package dev.bucket.metrics;

/**
 * One limit's value now.
 *
 * @param current what is used (for rates: admitted in the last second)
 * @param max the configured limit, &gt; 0
 * @param subject what the value is about when it is one of several (the fullest product), or null
 */
public record Reading(Limit limit, double current, double max, String subject) {

  public Reading {
    if (!(max > 0)) {
      throw new IllegalArgumentException(limit + ": the limit must be > 0, got " + max);
    }
  }

  public static Reading of(Limit limit, double current, double max) {
    return new Reading(limit, current, max, null);
  }

  /** How much of the limit is used, in percent (may exceed 100 for a rate's burst). */
  public double percent() {
    return 100.0 * current / max;
  }
}
