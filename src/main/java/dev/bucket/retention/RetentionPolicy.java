package dev.bucket.retention;

import dev.bucket.time.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A product's retention settings: {@code default_retention_days} and {@code min_retention_days}. A day is 24 hours,
 * as for the audit log's {@code retention_until}.
 *
 * <p>The policy is applied when a version's state is folded, so the version's initial retain-until follows the
 * product's policy at read time. A product's policy must therefore only ever be lengthened: shortening it would
 * shorten the retention of every existing version, which compliance mode forbids (see decision 0006).
 */
public record RetentionPolicy(int defaultDays, int minDays) {

  /** Seven years, the product default when a product sets nothing else. */
  public static final int DEFAULT_RETENTION_DAYS = 2555;

  /** The last instant {@link Timestamps} can write (four-digit years). */
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  public RetentionPolicy {
    if (minDays < 0 || defaultDays < minDays) {
      throw new IllegalArgumentException("need 0 <= min_retention_days <= default_retention_days, got min "
          + minDays + " and default " + defaultDays);
    }
  }

  /** {@code createdAt} plus the default retention. */
  public Instant defaultRetainUntil(Instant createdAt) {
    return createdAt.plus(Duration.ofDays(defaultDays)).truncatedTo(ChronoUnit.MILLIS);
  }

  /** {@code createdAt} plus the minimum retention: the earliest retain-until a version may ever have. */
  public Instant minimumRetainUntil(Instant createdAt) {
    return createdAt.plus(Duration.ofDays(minDays)).truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * The retain-until of a version created at {@code createdAt}: the default when nothing is requested, the request
   * when it is at least the minimum, refused ({@link RetentionRefusal#BELOW_MINIMUM}) when it is earlier.
   */
  public Decision<Instant> initialRetainUntil(Instant createdAt, Instant requested) {
    Objects.requireNonNull(createdAt, "createdAt");
    if (requested == null) {
      return Decision.allow(defaultRetainUntil(createdAt));
    }
    Instant minimum = minimumRetainUntil(createdAt);
    Instant wanted = requested.truncatedTo(ChronoUnit.MILLIS);
    if (wanted.isBefore(minimum)) {
      return Decision.refuse(RetentionRefusal.BELOW_MINIMUM, "retain_until " + Timestamps.format(wanted)
          + " is earlier than the product's minimum of " + minDays + " days, " + Timestamps.format(minimum));
    }
    if (wanted.isAfter(LATEST)) {
      return Decision.refuse(RetentionRefusal.RETAIN_UNTIL_OUT_OF_RANGE, "retain_until must not be later than "
          + Timestamps.format(LATEST));
    }
    return Decision.allow(wanted);
  }
}
