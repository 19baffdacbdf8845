package dev.bucket.payload;

import java.time.Instant;

/**
 * A purge kept the bytes because an upload claimed them recently: a content-addressed file may be about to back a
 * version whose document is not written yet. Nothing was removed; retry at or after {@link #retryAfter()}.
 */
public final class PurgeDeferredException extends RuntimeException {

  private final Instant retryAfter;

  public PurgeDeferredException(String ref, Instant claimedAt, Instant retryAfter) {
    super(ref + " was claimed by an upload at " + claimedAt + "; its bytes are kept until at least " + retryAfter,
        null, false, false);
    this.retryAfter = retryAfter;
  }

  public Instant retryAfter() {
    return retryAfter;
  }
}
