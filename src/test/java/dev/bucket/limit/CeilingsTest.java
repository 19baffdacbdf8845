package dev.bucket.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CeilingsTest {

  @Test
  void rejectionsAreCountedForTheShedSummariesAndHeadersFollowTheDecision() {
    FakeClock clock = new FakeClock();
    AtomicLong second = new AtomicLong(100);
    LimitSettings settings = LimitSettings.of(10, 100).withMaxDelayMillis(0);
    Ceilings ceilings = new Ceilings(settings, Map.of(), clock, second::get);

    int rejected = 0;
    for (int i = 0; i < 50; i++) {
      FairLimiter.Decision d = ceilings.admit(Kind.WRITE, "alpha");
      if (!d.admitted()) {
        rejected++;
        RateLimitHeaders.Values headers = ceilings.headers(Kind.WRITE, d);
        assertThat(headers.policy()).isEqualTo("\"writes\";q=10;w=1");
        assertThat(headers.retryAfter()).isEqualTo("1");
      }
    }
    assertThat(rejected).isEqualTo(49);
    second.incrementAndGet();
    assertThat(ceilings.shed().drain()).containsExactly(new ShedSummary("alpha", Kind.WRITE, 100, 49));
    assertThat(ceilings.writers().max()).isEqualTo(100);
    assertThat(ceilings.limiter(Kind.READ).ratePerSecond()).isEqualTo(100);
  }

  @Test
  void defaultsAreTheDocumentedCeilings() {
    LimitSettings defaults = LimitSettings.defaults();
    assertThat(defaults.rate(Kind.WRITE)).isEqualTo(1000);
    assertThat(defaults.rate(Kind.READ)).isEqualTo(10_000);
    assertThat(defaults.burst(Kind.WRITE)).isEqualTo(50);
    assertThat(defaults.burst(Kind.READ)).isEqualTo(500);
    assertThat(defaults.maxProducts()).isEqualTo(100);
    assertThat(defaults.maxConcurrentWriters()).isEqualTo(100);
  }
}
