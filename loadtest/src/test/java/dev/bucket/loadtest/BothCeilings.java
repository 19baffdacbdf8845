package dev.bucket.loadtest;

/**
 * Writes and reads at both ceilings at once (defaults 1000/s and 10000/s) for 60 s after a 60 s closed-model
 * warm-up. Claims, on the measured window: both rates offered, every request accepted, write p99 ≤ 20 ms, read
 * p99 ≤ 5 ms.
 */
public class BothCeilings extends MixedLoad {

  public BothCeilings() {
    super(1000, 10000, 60, false);
  }
}
