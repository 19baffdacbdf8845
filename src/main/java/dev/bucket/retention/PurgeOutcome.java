package dev.bucket.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * What happened to a tombstoned version's bytes. Only {@link Status#PURGED} means they are gone; every other outcome
 * keeps them, which is always safe, and a later {@link Tombstoner#purge} retries.
 *
 * @param detail one sentence for people
 * @param sharedWith for {@link Status#SHARED}: a live version that references the same payload
 * @param retryAfter for {@link Status#DEFERRED}: when a retry can succeed
 */
public record PurgeOutcome(Status status, String detail, String sharedWith, Instant retryAfter) {

  public enum Status {
    /** The bytes are gone (or were already). */
    PURGED,
    /** Another, live version references the same payload; the bytes stay until it is tombstoned too. */
    SHARED,
    /** The store saw a recent upload claim the same bytes; retry after {@code retryAfter}. */
    DEFERRED,
    /** The purge failed; the bytes may remain. */
    FAILED
  }

  public PurgeOutcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  static PurgeOutcome purged(String ref) {
    return new PurgeOutcome(Status.PURGED, "the bytes of " + ref + " are purged", null, null);
  }

  static PurgeOutcome shared(String ref, String liveKey) {
    return new PurgeOutcome(Status.SHARED, "the bytes of " + ref + " are kept: " + liveKey + " references them too",
        liveKey, null);
  }

  static PurgeOutcome deferred(String detail, Instant retryAfter) {
    return new PurgeOutcome(Status.DEFERRED, detail, null, retryAfter);
  }

  static PurgeOutcome failed(String detail) {
    return new PurgeOutcome(Status.FAILED, detail, null, null);
  }
}
