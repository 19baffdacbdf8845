package dev.bucket.loadtest;

/**
 * Overload: 3000 writes/s (3× the ceiling) and 15000 reads/s (1.5×) offered, 18000/s in all (about what Gatling can
 * offer accurately on the 2-core machine), for 60 s after a 60 s closed-model warm-up. Claims, on the measured window:
 * accepted rates within 2 % ({@code -Daccepted.tolerance}) of the ceilings ({@code -Dceiling.writes}, {@code
 * -Dceiling.reads}), the excess answered 429 carrying Retry-After, RateLimit-Policy and RateLimit (never 503, another
 * 5xx or a timeout), 429 p99 ≤ 2 ms ({@code -Dlimited.p99.ms}) for writes and for reads.
 */
public class Overload extends MixedLoad {

  public Overload() {
    super(3000, 15000, 60, true);
  }
}
