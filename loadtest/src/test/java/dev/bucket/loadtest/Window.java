package dev.bucket.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slices of a run's timeline, counted from the moment its first request is sent: a warm-up and a measured window
 * ({@link #phases}), or the levels of a stepped load ({@link #levels}). Every request is attributed to the slice in
 * which it was sent; whatever is sent after the last slice falls into a trailing "after" slice.
 */
final class Window {

  private final long[] ends;
  private final List<String> names;
  private final AtomicLong start = new AtomicLong();

  private Window(long[] ends, List<String> names) {
    this.ends = ends;
    this.names = names;
  }

  /** Slice 0 is the warm-up, slice 1 the measured window, slice 2 anything later. */
  static Window phases(long warmupMillis, long measureMillis) {
    return new Window(new long[] {warmupMillis, warmupMillis + measureMillis}, List.of("warm-up", "measure", "after"));
  }

  /** A single open-ended slice named {@code name} (no rates: for runs judged on counts and latencies only). */
  static Window single(String name) {
    return new Window(new long[0], List.of(name));
  }

  /** One slice per level of a stepped load; {@code names} names the levels. */
  static Window levels(long levelMillis, List<String> levelNames) {
    long[] ends = new long[levelNames.size()];
    for (int i = 0; i < ends.length; i++) {
      ends[i] = levelMillis * (i + 1);
    }
    List<String> names = new ArrayList<>(levelNames);
    names.add("after");
    return new Window(ends, names);
  }

  /** The slice a request sent at {@code nowMillis} belongs to; the first call starts the clock. */
  int slice(long nowMillis) {
    long origin = start.get();
    if (origin == 0) {
      start.compareAndSet(0, nowMillis);
      origin = start.get();
    }
    long t = nowMillis - origin;
    for (int i = 0; i < ends.length; i++) {
      if (t < ends[i]) {
        return i;
      }
    }
    return ends.length;
  }

  int count() {
    return names.size();
  }

  String name(int slice) {
    return names.get(slice);
  }

  /** " in the measure window" for a claim's wording; empty for a single-slice window. */
  String within(int slice) {
    return ends.length == 0 ? "" : " in the " + names.get(slice) + " window";
  }

  /** Length of a slice in milliseconds; 0 for the open-ended trailing slice. */
  long millis(int slice) {
    return slice >= ends.length ? 0 : ends[slice] - (slice == 0 ? 0 : ends[slice - 1]);
  }

  boolean started() {
    return start.get() != 0;
  }
}
