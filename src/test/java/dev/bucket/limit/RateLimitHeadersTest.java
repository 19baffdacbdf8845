package dev.bucket.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

  private static final long MS = 1_000_000L;

  @Test
  void policyAndLimitItemsFollowTheDraftSyntax() {
    assertThat(RateLimitHeaders.policy("writes", 1000, 1)).isEqualTo("\"writes\";q=1000;w=1");
    assertThat(RateLimitHeaders.limit("writes", 0, 1)).isEqualTo("\"writes\";r=0;t=1");
    assertThat(RateLimitHeaders.limit("reads", 437, 0)).isEqualTo("\"reads\";r=437;t=0");
    assertThat(RateLimitHeaders.policy("writes", 500, 1, "acme"))
        .isEqualTo("\"writes\";q=500;w=1;pk=:YWNtZQ==:");
    assertThat(RateLimitHeaders.limit("writes", 3, 2, "acme")).isEqualTo("\"writes\";r=3;t=2;pk=:YWNtZQ==:");
  }

  @Test
  void namesAreStructuredFieldStrings() {
    assertThat(RateLimitHeaders.policy("a\"b\\c", 1, 1)).isEqualTo("\"a\\\"b\\\\c\";q=1;w=1");
    assertThatThrownBy(() -> RateLimitHeaders.policy("caf\u00e9", 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateLimitHeaders.policy("x\n", 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateLimitHeaders.policy("x", 1, 0)).isInstanceOf(IllegalArgumentException.class);
    // Integers are never negative and have at most 15 digits.
    assertThat(RateLimitHeaders.limit("x", -5, Long.MAX_VALUE)).isEqualTo("\"x\";r=0;t=999999999999999");
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
    assertThat(RateLimitHeaders.retryAfterSeconds(0)).isEqualTo(1);
    assertThat(RateLimitHeaders.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(RateLimitHeaders.retryAfterSeconds(1_000 * MS)).isEqualTo(1);
    assertThat(RateLimitHeaders.retryAfterSeconds(1_000 * MS + 1)).isEqualTo(2);
    assertThat(RateLimitHeaders.retryAfterSeconds(2_500 * MS)).isEqualTo(3);
    assertThat(RateLimitHeaders.ceilSeconds(0)).isZero();
    assertThat(RateLimitHeaders.ceilSeconds(-7)).isZero();
    assertThat(RateLimitHeaders.ceilSeconds(1)).isEqualTo(1);
  }

  @Test
  void valuesForADecision() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = new FairLimiter(Kind.WRITE, 1000, 50, 0, 100, ClusterBudget.UNLIMITED, clock);
    long now = clock.getAsLong();

    FairLimiter.Decision ok = limiter.acquire("alpha", now, 0);
    RateLimitHeaders.Values admitted = RateLimitHeaders.of(limiter, ok, now);
    assertThat(admitted.policy()).isEqualTo("\"writes\";q=1000;w=1");
    assertThat(admitted.rateLimit()).isEqualTo("\"writes\";r=49;t=1");
    assertThat(admitted.retryAfter()).isNull();

    FairLimiter.Decision no = ok;
    for (int i = 0; i < 1_000 && no.admitted(); i++) {
      no = limiter.acquire("alpha", now, 0);
    }
    assertThat(no.admitted()).isFalse();
    RateLimitHeaders.Values rejected = RateLimitHeaders.of(limiter, no, now);
    assertThat(rejected.rateLimit()).isEqualTo("\"writes\";r=0;t=1");
    assertThat(rejected.retryAfter()).isEqualTo("1");
  }
}
