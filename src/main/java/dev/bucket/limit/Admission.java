package dev.bucket.limit;

/**
 * The answer of one {@link Gcra} bucket.
 *
 * @param outcome admitted now, admitted after {@code delayNanos} (the slot is already reserved: the caller only sets
 *     a timer), or rejected
 * @param delayNanos how long the caller waits before going ahead; 0 unless {@link Outcome#DELAYED}
 * @param retryAfterNanos for a rejection, the earliest time from now at which the same request (with the same
 *     maximum delay) would be admitted if nothing else arrived; 0 otherwise
 */
public record Admission(Outcome outcome, long delayNanos, long retryAfterNanos) {

  public enum Outcome { ADMITTED, DELAYED, REJECTED }

  static final Admission NOW = new Admission(Outcome.ADMITTED, 0, 0);

  static Admission delayed(long delayNanos) {
    return new Admission(Outcome.DELAYED, delayNanos, 0);
  }

  static Admission rejected(long retryAfterNanos) {
    return new Admission(Outcome.REJECTED, 0, Math.max(1, retryAfterNanos));
  }

  /** True for {@link Outcome#ADMITTED} and {@link Outcome#DELAYED}. */
  public boolean admitted() {
    return outcome != Outcome.REJECTED;
  }
}
