package dev.bucket.limit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A non-blocking permit counter: at most {@code max} holders at once (for example writes in flight). Over the cap
 * the caller answers 503 with {@code Retry-After}; nobody waits. Thread-safe, lock-free.
 */
public final class ConcurrencyCap {

  private final int max;
  private final AtomicInteger inUse = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();

  public ConcurrencyCap(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be ≥ 1: " + max);
    }
    this.max = max;
  }

  /** Takes a permit if one is free; the caller must {@link #release()} it exactly once. */
  public boolean tryAcquire() {
    while (true) {
      int current = inUse.get();
      if (current >= max) {
        refused.incrementAndGet();
        return false;
      }
      if (inUse.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /**
   * Returns a permit.
   *
   * @throws IllegalStateException when no permit is held (a double release), leaving the count at zero
   */
  public void release() {
    while (true) {
      int current = inUse.get();
      if (current <= 0) {
        throw new IllegalStateException("release without a held permit");
      }
      if (inUse.compareAndSet(current, current - 1)) {
        return;
      }
    }
  }

  public int inUse() {
    return inUse.get();
  }

  public int max() {
    return max;
  }

  /** Acquisitions refused so far. */
  public long refused() {
    return refused.get();
  }
}
