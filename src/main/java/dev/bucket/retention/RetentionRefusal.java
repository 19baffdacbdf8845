package dev.bucket.retention;

import java.util.Objects;

/**
 * Why a retention change was refused: a stable {@code slug} for clients and tests, and one sentence for people. The
 * API answers a refusal with 403 and both.
 */
public record RetentionRefusal(String slug, String message) {

  /** Tombstone before retain_until; the message names the date. */
  public static final String RETENTION_ACTIVE = "retention-active";
  /** Tombstone while a legal hold is set. */
  public static final String LEGAL_HOLD = "legal-hold";
  /** Tombstone of a version that already is one. */
  public static final String ALREADY_TOMBSTONED = "already-tombstoned";
  /** Extend or hold on a tombstoned version: its bytes are gone, nothing is left to retain. */
  public static final String TOMBSTONED = "tombstoned";
  /** Extend to an earlier retain_until. */
  public static final String RETENTION_SHORTENING = "retention-shortening";
  /** Extend to the current retain_until. */
  public static final String RETENTION_UNCHANGED = "retention-unchanged";
  /** Extend to an instant that has already passed. */
  public static final String RETAIN_UNTIL_IN_PAST = "retain-until-in-past";
  /** A retain_until beyond what the timestamp format holds (year 9999). */
  public static final String RETAIN_UNTIL_OUT_OF_RANGE = "retain-until-out-of-range";
  /** A requested initial retain_until earlier than the product's minimum. */
  public static final String BELOW_MINIMUM = "retention-below-minimum";
  /** Set a legal hold that is already set. */
  public static final String HOLD_ALREADY_SET = "legal-hold-already-set";
  /** Release a legal hold that is not set. */
  public static final String NO_LEGAL_HOLD = "no-legal-hold";
  /** Purge the bytes of a version that is not tombstoned. */
  public static final String NOT_TOMBSTONED = "not-tombstoned";

  public RetentionRefusal {
    Objects.requireNonNull(slug, "slug");
    Objects.requireNonNull(message, "message");
  }
}
