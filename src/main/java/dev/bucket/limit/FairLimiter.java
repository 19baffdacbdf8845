package dev.bucket.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The ceiling of one {@link Kind}: a global {@link Gcra} at the full rate plus a fair share per product, so a greedy
 * product cannot starve the others while capacity nobody uses is still used.
 *
 * <p><b>Fair share.</b> A product is <em>active</em> when it sent a request (admitted or not) within the last
 * second; with {@code n} active products each product's own bucket runs at {@code rate / n} with half the global
 * tolerance. A request that conforms to its product's bucket is <em>guaranteed</em>: it may use the whole global
 * tolerance. Because the shares add up to the rate, guaranteed traffic alone cannot exhaust the global bucket.
 *
 * <p><b>Borrowing.</b> A request over its product's share is not rejected outright: it may <em>borrow</em> unused
 * capacity, but only at once (a borrower is never queued) and only while the global bucket's backlog stays under
 * half its tolerance. Borrowers therefore keep the global bucket busy at full rate when others are quiet, and always
 * leave the upper half of the tolerance and the whole delay queue to guaranteed traffic, so a product that starts
 * sending (or keeps within its share) is admitted. One active product may use the whole ceiling; {@code n} active
 * products are each guaranteed at least {@code rate / n}.
 *
 * <p><b>Order and refunds.</b> Product bucket first (a greedy product's rejections never touch the shared state),
 * then the global bucket, then the {@link ClusterBudget}. A rejection writes nothing to the bucket that rejected;
 * slots already reserved in the buckets before it are refunded, so a rejection by any of them consumes no token.
 *
 * <p><b>Bounds.</b> At most {@code maxProducts} products get their own bucket; any further product (and requests
 * with no product) share the {@link #OTHER} bucket. Products idle for {@value #EVICT_AFTER_SECONDS} s with a full
 * bucket are forgotten, which frees their place. The active count is recomputed every 100 ms by whichever thread
 * first notices it is due (a CAS elects it), so the per-request cost stays constant.
 *
 * <p>Thread-safe and lock-free: shared by all event loops of a node.
 */
public final class FairLimiter {

  /** The shared bucket of products beyond the table and of requests that name no product. */
  public static final String OTHER = "~other";

  static final long ACTIVE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  static final long EVICT_AFTER_SECONDS = 10;
  private static final long EVICT_AFTER_NANOS = TimeUnit.SECONDS.toNanos(EVICT_AFTER_SECONDS);
  private static final long TOUCH_GRANULARITY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Which bucket refused a request. */
  public enum Scope { NONE, PRODUCT, GLOBAL, CLUSTER }

  /**
   * One admission decision.
   *
   * @param outcome admitted now, after {@code delayNanos}, or rejected
   * @param delayNanos how long to hold the request before running it (its slots are reserved)
   * @param retryAfterNanos for a rejection, the earliest useful retry
   * @param limitedBy which bucket refused; {@link Scope#NONE} when admitted
   * @param borrowed admitted beyond the product's fair share, on capacity others left unused
   * @param bucket the product bucket charged: the product, or {@link #OTHER}
   */
  public record Decision(
      Admission.Outcome outcome,
      long delayNanos,
      long retryAfterNanos,
      Scope limitedBy,
      boolean borrowed,
      String bucket) {

    public boolean admitted() {
      return outcome != Admission.Outcome.REJECTED;
    }
  }

  private final Kind kind;
  private final Gcra global;
  private final long productTolerance;
  private final long borrowTolerance;
  private final long maxDelayNanos;
  private final int maxProducts;
  private final ClusterBudget budget;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicInteger slotCount = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong nextSweep;
  private final Slot other;

  /**
   * @param ratePerSecond the ceiling's sustained rate
   * @param burst requests admitted back to back from idle, gateway-wide
   * @param maxDelayNanos how long {@link #acquire(String)} may hold a request instead of rejecting it
   * @param maxProducts products with their own share
   * @param budget the cluster-wide check ({@link ClusterBudget#UNLIMITED} on a single node)
   * @param clock monotonic nanoseconds
   */
  public FairLimiter(Kind kind, double ratePerSecond, long burst, long maxDelayNanos, int maxProducts,
      ClusterBudget budget, LongSupplier clock) {
    if (maxProducts < 1) {
      throw new IllegalArgumentException("max products must be ≥ 1");
    }
    this.kind = kind;
    this.global = new Gcra(ratePerSecond, burst, clock);
    this.productTolerance = global.toleranceNanos() / 2;
    this.borrowTolerance = global.toleranceNanos() / 2;
    this.maxDelayNanos = Math.max(0, maxDelayNanos);
    this.maxProducts = maxProducts;
    this.budget = budget;
    this.clock = clock;
    long now = clock.getAsLong();
    this.nextSweep = new AtomicLong(now);
    this.other = new Slot(OTHER, global.emissionNanos(), productTolerance, clock, now);
  }

  /** The ceiling for {@code kind} from the settings. */
  public static FairLimiter of(Kind kind, LimitSettings settings, ClusterBudget budget, LongSupplier clock) {
    return new FairLimiter(kind, settings.rate(kind), settings.burst(kind), settings.maxDelayNanos(),
        settings.maxProducts(), budget, clock);
  }

  /** Decides now with the configured maximum delay. {@code product} may be null (charged to {@link #OTHER}). */
  public Decision acquire(String product) {
    return acquire(product, clock.getAsLong(), maxDelayNanos);
  }

  /** Decides at {@code nowNanos}, holding the request at most {@code maxDelay} instead of rejecting it. */
  public Decision acquire(String product, long nowNanos, long maxDelay) {
    maybeSweep(nowNanos);
    Slot slot = slot(product, nowNanos);
    slot.touch(nowNanos, active);
    long shareEmission = global.emissionNanos() * Math.max(1, active.get());

    Admission own = slot.bucket.acquire(nowNanos, maxDelay, shareEmission, productTolerance);
    if (own.admitted()) {
      Admission shared = global.acquire(nowNanos, maxDelay);
      if (!shared.admitted()) {
        slot.bucket.refund(shareEmission);
        return rejected(Scope.GLOBAL, shared.retryAfterNanos(), slot);
      }
      if (!budget.tryTake(nowNanos)) {
        global.refund();
        slot.bucket.refund(shareEmission);
        return rejected(Scope.CLUSTER, budget.retryAfterNanos(nowNanos), slot);
      }
      return admitted(Math.max(own.delayNanos(), shared.delayNanos()), false, slot);
    }

    // Borrowed capacity is taken now or not at all: the delay queue is kept for fair-share traffic.
    Admission borrowed = global.acquire(nowNanos, 0, global.emissionNanos(), borrowTolerance);
    if (borrowed.admitted()) {
      if (!budget.tryTake(nowNanos)) {
        global.refund();
        return rejected(Scope.CLUSTER, budget.retryAfterNanos(nowNanos), slot);
      }
      return admitted(borrowed.delayNanos(), true, slot);
    }
    return rejected(Scope.PRODUCT, Math.min(own.retryAfterNanos(), borrowed.retryAfterNanos()), slot);
  }

  private static Decision admitted(long delay, boolean borrowed, Slot slot) {
    return new Decision(delay > 0 ? Admission.Outcome.DELAYED : Admission.Outcome.ADMITTED, delay, 0, Scope.NONE,
        borrowed, slot.name);
  }

  private static Decision rejected(Scope scope, long retryAfter, Slot slot) {
    return new Decision(Admission.Outcome.REJECTED, 0, Math.max(1, retryAfter), scope, false, slot.name);
  }

  private Slot slot(String product, long now) {
    if (product == null) {
      return other;
    }
    Slot slot = slots.get(product);
    if (slot != null) {
      return slot;
    }
    if (slotCount.get() >= maxProducts) {
      return other;
    }
    if (slotCount.incrementAndGet() > maxProducts) {
      slotCount.decrementAndGet();
      return other;
    }
    Slot fresh = new Slot(product, global.emissionNanos(), productTolerance, clock, now);
    Slot prior = slots.putIfAbsent(product, fresh);
    if (prior != null) {
      slotCount.decrementAndGet();
      return prior;
    }
    return fresh;
  }

  /** Recounts the active products and forgets long-idle ones; at most once per interval, by one thread. */
  private void maybeSweep(long now) {
    long due = nextSweep.get();
    if (now - due < 0 || !nextSweep.compareAndSet(due, now + SWEEP_INTERVAL_NANOS)) {
      return;
    }
    int count = 0;
    for (Slot slot : slots.values()) {
      long idle = now - slot.lastSeen.get();
      if (idle <= ACTIVE_WINDOW_NANOS) {
        count++;
      } else if (idle > EVICT_AFTER_NANOS && slot.bucket.backlog(now) == 0 && slots.remove(slot.name, slot)) {
        slotCount.decrementAndGet();
      }
    }
    if (now - other.lastSeen.get() <= ACTIVE_WINDOW_NANOS) {
      count++;
    }
    active.set(count);
  }

  /** Products (and {@link #OTHER}) that sent a request within the last second, as last counted. */
  public int activeProducts() {
    return Math.max(0, active.get());
  }

  /** Products that currently have their own bucket (not counting {@link #OTHER}). */
  public int trackedProducts() {
    return slotCount.get();
  }

  /** The rate currently guaranteed to each active product. */
  public double fairShare() {
    return global.ratePerSecond() / Math.max(1, active.get());
  }

  /** Requests the global bucket would admit right now without delay. */
  public long remaining(long nowNanos) {
    return global.remaining(nowNanos);
  }

  /** Time until the global bucket is full again. */
  public long resetAfter(long nowNanos) {
    return global.resetAfter(nowNanos);
  }

  public Kind kind() {
    return kind;
  }

  /** The ceiling's sustained rate per second. */
  public long ratePerSecond() {
    return Math.round(global.ratePerSecond());
  }

  public long maxDelayNanos() {
    return maxDelayNanos;
  }

  public LongSupplier clock() {
    return clock;
  }

  Gcra global() {
    return global;
  }

  /** How far the product's own bucket is booked ahead of {@code now} (0 for an unknown product). */
  long productBacklog(String product, long nowNanos) {
    Slot slot = product == null ? other : slots.get(product);
    return slot == null ? 0 : slot.bucket.backlog(nowNanos);
  }

  private static final class Slot {
    final String name;
    final Gcra bucket;
    final AtomicLong lastSeen;

    Slot(String name, long emission, long tolerance, LongSupplier clock, long now) {
      this.name = name;
      this.bucket = Gcra.ofNanos(emission, tolerance, clock);
      this.lastSeen = new AtomicLong(now - ACTIVE_WINDOW_NANOS - 1);
    }

    /** Marks the product active; the first request after a quiet second counts it in at once. */
    void touch(long now, AtomicInteger active) {
      long seen = lastSeen.get();
      long idle = now - seen;
      if (idle > ACTIVE_WINDOW_NANOS) {
        if (lastSeen.compareAndSet(seen, now)) {
          active.incrementAndGet();
        }
      } else if (idle > TOUCH_GRANULARITY_NANOS) {
        lastSeen.lazySet(now);
      }
    }
  }
}
