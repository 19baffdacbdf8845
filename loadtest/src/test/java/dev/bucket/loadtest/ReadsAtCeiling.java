package dev.bucket.loadtest;

/**
 * Cached reads of version metadata offered at the reads ceiling (default 10000/s, {@code -Dread.rate}) for 60 s after a
 * 60 s closed-model warm-up. Claims, on the measured window: the generator offered the rate, every read was accepted
 * (200), read p99 ≤ 5 ms ({@code -Dread.p99.ms}).
 */
public class ReadsAtCeiling extends MixedLoad {

  public ReadsAtCeiling() {
    super(0, 10000, 60, false);
  }
}
