package dev.bucket.metrics;

/**
 * The last {@code capacity} one-second values of a rate (for example writes admitted per second), fed once a second
 * from the difference of a cumulative counter. Thread-safe (one writer, the monitor's tick; readers on any loop).
 */
public final class SecondSeries {

  private final long[] values;
  private int next;
  private int size;
  private long lastTotal = -1;

  public SecondSeries(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be ≥ 1");
    }
    this.values = new long[capacity];
  }

  /** Records the second that just ended, given the counter's cumulative total now. The first call only primes. */
  public synchronized void sampleTotal(long total) {
    if (lastTotal >= 0) {
      add(Math.max(0, total - lastTotal));
    }
    lastTotal = total;
  }

  /** Records one second's value. */
  public synchronized void add(long value) {
    values[next] = value;
    next = (next + 1) % values.length;
    size = Math.min(size + 1, values.length);
  }

  /** The most recent second's value, 0 before any. */
  public synchronized long last() {
    return size == 0 ? 0 : values[(next - 1 + values.length) % values.length];
  }

  /** The mean over the seconds held, 0 before any. */
  public synchronized double average() {
    if (size == 0) {
      return 0;
    }
    long sum = 0;
    for (int i = 0; i < size; i++) {
      sum += values[i];
    }
    return (double) sum / size;
  }

  /** The largest value held, 0 before any. */
  public synchronized long peak() {
    long peak = 0;
    for (int i = 0; i < size; i++) {
      peak = Math.max(peak, values[i]);
    }
    return peak;
  }

  /** Seconds held, at most the capacity. */
  public synchronized int seconds() {
    return size;
  }
}
