package dev.bucket.support;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls for state the gateway reaches asynchronously (audit group commits, checkpoints, refreshes), bounded. */
public final class Eventually {

  private static final long PAUSE_MS = 50;

  private Eventually() {
  }

  /**
   * Fetches until {@code done} holds or {@code within} has passed, pausing briefly between tries; returns the last
   * value either way, so the caller's assertion reports what was seen.
   */
  public static <T> T poll(Supplier<T> fetch, Predicate<T> done, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    T value = fetch.get();
    while (!done.test(value) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(PAUSE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return value;
      }
      value = fetch.get();
    }
    return value;
  }
}
