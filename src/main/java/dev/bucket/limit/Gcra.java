package dev.bucket.limit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Generic Cell Rate Algorithm (ITU-T I.371 virtual scheduling, the algorithm behind nginx {@code limit_req} and
 * redis-cell), lock-free.
 *
 * <p>State is one number, the theoretical arrival time (TAT) of the next cell. With emission interval
 * {@code T = 1/rate} and tolerance {@code τ = burst·T}, a request arriving at {@code now} gets the new TAT
 * {@code max(TAT, now) + T} and conforms when {@code newTAT − τ ≤ now}. So an idle bucket admits exactly
 * {@code burst} requests at one instant, then one every {@code T}; in any interval of length {@code L} at most
 * {@code burst + L/T} requests pass. There is no window and therefore no boundary at which twice the rate gets
 * through.
 *
 * <p>A request whose conformance time lies at most {@code maxDelay} in the future is admitted as
 * {@link Admission.Outcome#DELAYED}: its slot is reserved now and the caller merely waits. Because reservations move
 * the TAT, at most {@code maxDelay / T} requests can be waiting at any time — the implicit queue is bounded.
 *
 * <p>Deciding is one volatile read and, when admitting, one CAS; a rejection writes nothing (it consumes no token).
 * The clock is any monotonic nanosecond source ({@link System#nanoTime} in production, a fake in tests).
 */
public final class Gcra {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long emissionNanos;
  private final long toleranceNanos;
  private final LongSupplier clock;
  private final AtomicLong tat = new AtomicLong(Long.MIN_VALUE);

  /**
   * @param ratePerSecond sustained rate, &gt; 0
   * @param burst requests admitted back to back from idle, ≥ 1
   * @param clock monotonic nanoseconds
   */
  public Gcra(double ratePerSecond, long burst, LongSupplier clock) {
    this(emissionNanos(ratePerSecond), toleranceNanos(ratePerSecond, burst), clock, true);
  }

  /** A bucket given directly by its emission interval and tolerance in nanoseconds. */
  static Gcra ofNanos(long emissionNanos, long toleranceNanos, LongSupplier clock) {
    return new Gcra(emissionNanos, toleranceNanos, clock, true);
  }

  private Gcra(long emissionNanos, long toleranceNanos, LongSupplier clock, boolean nanos) {
    if (emissionNanos < 1 || toleranceNanos < 0) {
      throw new IllegalArgumentException("emission interval must be ≥ 1 ns and tolerance ≥ 0");
    }
    this.emissionNanos = emissionNanos;
    this.toleranceNanos = toleranceNanos;
    this.clock = clock;
  }

  /** T = 1/rate in nanoseconds, rounded, at least 1. */
  public static long emissionNanos(double ratePerSecond) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be > 0: " + ratePerSecond);
    }
    return Math.max(1, Math.round(NANOS_PER_SECOND / ratePerSecond));
  }

  /** τ = burst·T in nanoseconds. */
  public static long toleranceNanos(double ratePerSecond, long burst) {
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be ≥ 1: " + burst);
    }
    return Math.multiplyExact(burst, emissionNanos(ratePerSecond));
  }

  /** Decides at the clock's current time. */
  public Admission acquire(long maxDelayNanos) {
    return acquire(clock.getAsLong(), maxDelayNanos);
  }

  /**
   * Admits now, admits after a delay of at most {@code maxDelayNanos} (reserving the slot), or rejects without
   * consuming anything.
   */
  public Admission acquire(long nowNanos, long maxDelayNanos) {
    return acquire(nowNanos, maxDelayNanos, emissionNanos, toleranceNanos);
  }

  /** Admits now or rejects; never delays. */
  public boolean tryAcquire(long nowNanos) {
    return acquire(nowNanos, 0).outcome() == Admission.Outcome.ADMITTED;
  }

  /**
   * The same decision with an emission interval and tolerance chosen by the caller for this request. A
   * {@link FairLimiter} uses it for fair shares whose rate follows the number of active products, and to let
   * borrowers use only part of the global tolerance. The tolerance is raised to at least one emission interval so
   * that an idle bucket always admits one request.
   */
  Admission acquire(long nowNanos, long maxDelayNanos, long emission, long tolerance) {
    long tau = Math.max(tolerance, emission);
    long maxDelay = Math.max(0, maxDelayNanos);
    while (true) {
      long current = tat.get();
      long next = Math.max(current, nowNanos) + emission;
      long delay = next - tau - nowNanos;
      if (delay > maxDelay) {
        return Admission.rejected(delay - maxDelay);
      }
      if (tat.compareAndSet(current, next)) {
        return delay <= 0 ? Admission.NOW : Admission.delayed(delay);
      }
    }
  }

  /** Gives back one slot taken with this bucket's own emission interval (see {@link #refund(long)}). */
  public void refund() {
    refund(emissionNanos);
  }

  /**
   * Gives back one slot reserved with emission interval {@code emission}, used when another bucket rejected the same
   * request. Moving the TAT back by one interval frees exactly one cell; if the bucket has since gone idle the TAT is
   * already in the past and the refund changes nothing (an idle bucket is full anyway).
   */
  void refund(long emission) {
    tat.getAndAdd(-emission);
  }

  /** Requests that would be admitted right now without delay. */
  public long remaining(long nowNanos) {
    long backlog = Math.max(tat.get(), nowNanos) - nowNanos;
    long free = Math.max(toleranceNanos, emissionNanos) - backlog;
    return free < 0 ? 0 : free / emissionNanos;
  }

  /** Time until one request would be admitted without delay, 0 if it would be now; reads only. */
  public long waitNanos(long nowNanos) {
    long next = Math.max(tat.get(), nowNanos) + emissionNanos;
    return Math.max(0, next - Math.max(toleranceNanos, emissionNanos) - nowNanos);
  }

  /** Time until the bucket is full again ({@link #remaining} back at the burst), 0 when already full. */
  public long resetAfter(long nowNanos) {
    return Math.max(tat.get(), nowNanos) - nowNanos;
  }

  /** Backlog beyond now: how far the TAT lies in the future. */
  long backlog(long nowNanos) {
    return Math.max(tat.get(), nowNanos) - nowNanos;
  }

  public long emissionNanos() {
    return emissionNanos;
  }

  public long toleranceNanos() {
    return toleranceNanos;
  }

  /** The sustained rate in requests per second. */
  public double ratePerSecond() {
    return (double) NANOS_PER_SECOND / emissionNanos;
  }

  /** The burst: requests admitted back to back from idle. */
  public long burst() {
    return Math.max(1, toleranceNanos / emissionNanos);
  }

  public LongSupplier clock() {
    return clock;
  }
}
