package dev.bucket.limit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when told to. */
final class FakeClock implements LongSupplier {

  private final AtomicLong now;

  FakeClock(long start) {
    now = new AtomicLong(start);
  }

  FakeClock() {
    this(1_000_000_000_000L);
  }

  @Override
  public long getAsLong() {
    return now.get();
  }

  long advance(long nanos) {
    return now.addAndGet(nanos);
  }

  void set(long nanos) {
    now.set(nanos);
  }
}
