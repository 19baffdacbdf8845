package dev.bucket.limit;

import java.util.concurrent.TimeUnit;

/**
 * The gateway's ceilings.
 *
 * @param writesPerSecond sustained writes admitted per second, gateway-wide
 * @param readsPerSecond sustained reads admitted per second, gateway-wide
 * @param writeBurst writes admitted back to back from idle (GCRA τ = burst/rate); any one-second window admits at
 *     most {@code writesPerSecond + writeBurst}
 * @param readBurst the same for reads
 * @param maxDelayMillis how long a request may be held (with its slot reserved) instead of being rejected; bounds
 *     the implicit queue to {@code rate · maxDelay} requests per kind
 * @param maxProducts products with their own fair share; further products share one bucket
 * @param maxConcurrentWriters writes in flight at once before the gateway answers 503
 */
public record LimitSettings(
    long writesPerSecond,
    long readsPerSecond,
    long writeBurst,
    long readBurst,
    long maxDelayMillis,
    int maxProducts,
    int maxConcurrentWriters) {

  public LimitSettings {
    if (writesPerSecond < 1 || readsPerSecond < 1) {
      throw new IllegalArgumentException("rates must be ≥ 1 per second");
    }
    if (writeBurst < 1 || readBurst < 1) {
      throw new IllegalArgumentException("bursts must be ≥ 1");
    }
    if (maxDelayMillis < 0 || maxDelayMillis > 60_000) {
      throw new IllegalArgumentException("max delay must be within 0..60000 ms");
    }
    if (maxProducts < 1 || maxProducts > 100_000) {
      throw new IllegalArgumentException("max products must be within 1..100000");
    }
    if (maxConcurrentWriters < 1) {
      throw new IllegalArgumentException("max concurrent writers must be ≥ 1");
    }
  }

  /** 1000 writes/s and 10000 reads/s, bursts of 1/20 s (50 ms) of the rate, 100 ms delay, 100 products, 100 writers. */
  public static LimitSettings defaults() {
    return of(1000, 10_000);
  }

  /** The given rates with the default burst (rate/20, at least 1) and the other defaults. */
  public static LimitSettings of(long writesPerSecond, long readsPerSecond) {
    return new LimitSettings(writesPerSecond, readsPerSecond, Math.max(1, writesPerSecond / 20),
        Math.max(1, readsPerSecond / 20), 100, 100, 100);
  }

  public long rate(Kind kind) {
    return kind == Kind.WRITE ? writesPerSecond : readsPerSecond;
  }

  public long burst(Kind kind) {
    return kind == Kind.WRITE ? writeBurst : readBurst;
  }

  public long maxDelayNanos() {
    return TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
  }

  public LimitSettings withMaxDelayMillis(long millis) {
    return new LimitSettings(writesPerSecond, readsPerSecond, writeBurst, readBurst, millis, maxProducts,
        maxConcurrentWriters);
  }

  public LimitSettings withMaxProducts(int products) {
    return new LimitSettings(writesPerSecond, readsPerSecond, writeBurst, readBurst, maxDelayMillis, products,
        maxConcurrentWriters);
  }

  public LimitSettings withBursts(long writes, long reads) {
    return new LimitSettings(writesPerSecond, readsPerSecond, writes, reads, maxDelayMillis, maxProducts,
        maxConcurrentWriters);
  }
}
