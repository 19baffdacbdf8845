package dev.bucket.retention;

import dev.bucket.time.Timestamps;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The retention rules, S3 Object Lock in compliance mode: pure functions from a state to the next event or a
 * refusal. Nobody, whatever their role, can shorten a retention or tombstone a version early or under hold; the role
 * checks (only the owner sets holds and tombstones) are the caller's.
 */
public final class RetentionRules {

  private RetentionRules() {
  }

  /** Moves retain-until later. Refuses an earlier or equal instant, one already past, and a tombstoned version. */
  public static Decision<RetentionEvent> extend(RetentionState state, Instant newUntil, Instant now, String actor,
                                                String reason) {
    Instant wanted = newUntil.truncatedTo(ChronoUnit.MILLIS);
    if (state.tombstoned()) {
      return tombstonedRefusal(state);
    }
    if (wanted.isBefore(state.retainUntil())) {
      return Decision.refuse(RetentionRefusal.RETENTION_SHORTENING, "retention can only be extended: "
          + Timestamps.format(wanted) + " is earlier than the current retain_until " + date(state));
    }
    if (wanted.equals(state.retainUntil())) {
      return Decision.refuse(RetentionRefusal.RETENTION_UNCHANGED, state.artifactKey() + " is already retained until "
          + date(state));
    }
    if (!wanted.isAfter(now)) {
      return Decision.refuse(RetentionRefusal.RETAIN_UNTIL_IN_PAST, "retain_until " + Timestamps.format(wanted)
          + " has already passed");
    }
    if (wanted.isAfter(RetentionPolicy.LATEST)) {
      return Decision.refuse(RetentionRefusal.RETAIN_UNTIL_OUT_OF_RANGE, "retain_until must not be later than "
          + Timestamps.format(RetentionPolicy.LATEST));
    }
    return Decision.allow(new RetentionEvent(RetentionEvent.Type.EXTENDED, state.artifactKey(), state.nextSeq(), now,
        actor, reason, wanted));
  }

  /** Sets a legal hold. Refuses a version already on hold and a tombstoned one. */
  public static Decision<RetentionEvent> setHold(RetentionState state, Instant now, String actor, String reason) {
    if (state.tombstoned()) {
      return tombstonedRefusal(state);
    }
    if (state.legalHold()) {
      return Decision.refuse(RetentionRefusal.HOLD_ALREADY_SET, state.artifactKey() + " is on legal hold since "
          + Timestamps.format(state.hold().since()));
    }
    return Decision.allow(new RetentionEvent(RetentionEvent.Type.HOLD_SET, state.artifactKey(), state.nextSeq(), now,
        actor, reason, null));
  }

  /** Releases the legal hold. Refuses when there is none. */
  public static Decision<RetentionEvent> releaseHold(RetentionState state, Instant now, String actor, String reason) {
    if (state.tombstoned()) {
      return tombstonedRefusal(state);
    }
    if (!state.legalHold()) {
      return Decision.refuse(RetentionRefusal.NO_LEGAL_HOLD, state.artifactKey() + " is not on legal hold");
    }
    return Decision.allow(new RetentionEvent(RetentionEvent.Type.HOLD_RELEASED, state.artifactKey(), state.nextSeq(),
        now, actor, reason, null));
  }

  /**
   * Tombstones a version whose retention has passed ({@code now} at or after retain-until) and which is not on hold.
   * Refuses a second tombstone, a version on hold and one still retained, in that order.
   */
  public static Decision<RetentionEvent> tombstone(RetentionState state, Instant now, String actor, String reason) {
    if (state.tombstoned()) {
      return Decision.refuse(RetentionRefusal.ALREADY_TOMBSTONED, state.artifactKey() + " was tombstoned at "
          + Timestamps.format(state.tombstone().at()));
    }
    if (state.legalHold()) {
      return Decision.refuse(RetentionRefusal.LEGAL_HOLD, state.artifactKey() + " is on legal hold since "
          + Timestamps.format(state.hold().since()) + "; release the hold first");
    }
    if (state.retentionActive(now)) {
      return Decision.refuse(RetentionRefusal.RETENTION_ACTIVE, state.artifactKey() + " is retained until "
          + date(state) + " and cannot be tombstoned before then");
    }
    return Decision.allow(new RetentionEvent(RetentionEvent.Type.TOMBSTONED, state.artifactKey(), state.nextSeq(),
        now, actor, reason, null));
  }

  private static Decision<RetentionEvent> tombstonedRefusal(RetentionState state) {
    return Decision.refuse(RetentionRefusal.TOMBSTONED, state.artifactKey() + " was tombstoned at "
        + Timestamps.format(state.tombstone().at()) + "; its retention can no longer change");
  }

  private static String date(RetentionState state) {
    return Timestamps.format(state.retainUntil());
  }
}
