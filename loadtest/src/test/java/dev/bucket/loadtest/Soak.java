package dev.bucket.loadtest;

/**
 * Soak: a realistic mixed load for a long time, defaults 300 writes/s + 3000 reads/s for 600 s ({@code -Dduration})
 * after a 60 s closed-model warm-up. Claims, over the whole measured window: every request accepted, write p99 ≤ 20 ms,
 * read p99 ≤ 5 ms.
 */
public class Soak extends MixedLoad {

  public Soak() {
    super(300, 3000, 600, false);
  }
}
