package dev.bucket.limit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts rejected requests per product, kind and second, so that shedding is audited as one summary per product,
 * kind and second ({@link ShedSummary}) instead of one entry per 429.
 *
 * <p>Bounded: room for every product of the limiter's table (plus {@link FairLimiter#OTHER}) for two seconds; past
 * that, further products are counted under {@link FairLimiter#OTHER}, and past a hard cap (reached only if nobody
 * drains for about half a minute) rejections are merely counted as {@link #lost()}. {@link #drain} is meant to run
 * once a second and returns the seconds that are over.
 *
 * <p>Thread-safe: counting is an atomic per-key merge; a count that lands after its second was drained is reported
 * in a later drain (as a second summary for the same second), never lost.
 */
public final class ShedCounter {

  private static final int OTHER_SECONDS = 30;

  private record Key(String product, Kind kind, long second) {
  }

  private static final Comparator<ShedSummary> ORDER = Comparator.comparingLong(ShedSummary::secondEpoch)
      .thenComparing(ShedSummary::kind)
      .thenComparing(ShedSummary::product);

  private final ConcurrentHashMap<Key, Long> counts = new ConcurrentHashMap<>();
  private final AtomicLong lost = new AtomicLong();
  private final int softCap;
  private final int hardCap;
  private final LongSupplier epochSeconds;

  /**
   * @param maxProducts products with their own count (as in {@link LimitSettings#maxProducts()})
   * @param epochSeconds the wall clock in Unix epoch seconds
   */
  public ShedCounter(int maxProducts, LongSupplier epochSeconds) {
    if (maxProducts < 1) {
      throw new IllegalArgumentException("max products must be ≥ 1");
    }
    int kinds = Kind.values().length;
    this.softCap = (maxProducts + 1) * kinds * 2;
    this.hardCap = softCap + OTHER_SECONDS * kinds;
    this.epochSeconds = epochSeconds;
  }

  /** Counts one rejection now. */
  public void record(String product, Kind kind) {
    record(product, kind, epochSeconds.getAsLong());
  }

  /** Counts one rejection in {@code secondEpoch}. A null product counts as {@link FairLimiter#OTHER}. */
  public void record(String product, Kind kind, long secondEpoch) {
    Key key = new Key(product == null ? FairLimiter.OTHER : product, kind, secondEpoch);
    if (counts.size() >= softCap && !counts.containsKey(key)) {
      key = new Key(FairLimiter.OTHER, kind, secondEpoch);
      if (counts.size() >= hardCap && !counts.containsKey(key)) {
        lost.incrementAndGet();
        return;
      }
    }
    counts.merge(key, 1L, Long::sum);
  }

  /** Removes and returns the counts of every second before the current one, oldest first. */
  public List<ShedSummary> drain() {
    return drain(epochSeconds.getAsLong());
  }

  /** Removes and returns the counts of every second before {@code currentSecondEpoch}, oldest first. */
  public List<ShedSummary> drain(long currentSecondEpoch) {
    List<ShedSummary> out = new ArrayList<>();
    for (Key key : counts.keySet()) {
      if (key.second() < currentSecondEpoch) {
        Long count = counts.remove(key);
        if (count != null) {
          out.add(new ShedSummary(key.product(), key.kind(), key.second(), count));
        }
      }
    }
    out.sort(ORDER);
    return out;
  }

  /** Removes and returns everything, the current second included (for shutdown). */
  public List<ShedSummary> drainAll() {
    return drain(Long.MAX_VALUE);
  }

  /** Pending (product, kind, second) counts. */
  public int size() {
    return counts.size();
  }

  /** Rejections not counted because the hard cap was reached. */
  public long lost() {
    return lost.get();
  }

  /** The most (product, kind, second) counts held at once. */
  public int capacity() {
    return hardCap;
  }
}
