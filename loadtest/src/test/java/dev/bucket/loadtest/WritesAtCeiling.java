package dev.bucket.loadtest;

/**
 * Small JSON writes offered at the writes ceiling (default 1000/s, {@code -Dwrite.rate}) for 60 s ({@code -Dduration})
 * after a 60 s closed-model warm-up ({@code -Dwarmup}). Claims, on the measured window: the generator offered the rate,
 * every write was accepted (201), write p99 ≤ 20 ms ({@code -Dwrite.p99.ms}).
 */
public class WritesAtCeiling extends MixedLoad {

  public WritesAtCeiling() {
    super(1000, 0, 60, false);
  }
}
