package dev.bucket.governance.threat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts events per key within a sliding time window, in bounded memory: at most {@code maxKeys} keys (the least
 * recently used go first) and {@code keep} timestamps per key, enough to tell "at or past the threshold".
 *
 * <p>Event times are passed in, so callers and tests decide what "now" is. The cache's clock is the newest event time
 * seen, so a key silent for a whole window is dropped in that same time frame; the count itself is always judged on
 * the stored timestamps.
 */
final class WindowCounter {

  private final int keep;
  private final long windowMillis;
  private final AtomicLong newestNanos = new AtomicLong();
  private final Cache<String, ArrayDeque<Long>> events;

  WindowCounter(int keep, Duration window, long maxKeys) {
    if (keep < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a window counter needs a positive count and window");
    }
    this.keep = keep;
    this.windowMillis = window.toMillis();
    this.events = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .expireAfterWrite(window)
        .ticker(newestNanos::get)
        // Maintenance runs on the recording thread: no background tasks to outlive the caller.
        .executor(Runnable::run)
        .build();
  }

  /** Records an event for {@code key} at {@code nowMillis}; returns its events within the window, at most keep. */
  int record(String key, long nowMillis) {
    newestNanos.accumulateAndGet(TimeUnit.MILLISECONDS.toNanos(nowMillis), Math::max);
    int[] count = new int[1];
    events.asMap().compute(key, (k, times) -> {
      ArrayDeque<Long> kept = times == null ? new ArrayDeque<>() : times;
      while (!kept.isEmpty() && kept.peekFirst() <= nowMillis - windowMillis) {
        kept.pollFirst();
      }
      kept.addLast(nowMillis);
      while (kept.size() > keep) {
        kept.pollFirst();
      }
      count[0] = kept.size();
      return kept;
    });
    return count[0];
  }

  void reset(String key) {
    events.invalidate(key);
  }

  /** A window as findings and decisions word it: "10 s", "10 min". */
  static String describe(Duration window) {
    long millis = window.toMillis();
    return millis % 60_000 == 0 ? millis / 60_000 + " min" : millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
