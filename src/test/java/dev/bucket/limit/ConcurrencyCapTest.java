package dev.bucket.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConcurrencyCapTest {

  @Test
  void admitsUpToTheCapAndAgainAfterARelease() {
    ConcurrencyCap cap = new ConcurrencyCap(3);
    assertThat(cap.tryAcquire()).isTrue();
    assertThat(cap.tryAcquire()).isTrue();
    assertThat(cap.tryAcquire()).isTrue();
    assertThat(cap.tryAcquire()).isFalse();
    assertThat(cap.inUse()).isEqualTo(3);
    assertThat(cap.refused()).isEqualTo(1);
    cap.release();
    assertThat(cap.tryAcquire()).isTrue();
    assertThat(cap.max()).isEqualTo(3);
  }

  @Test
  void aReleaseWithoutAPermitIsABugAndCannotRaiseTheCap() {
    ConcurrencyCap cap = new ConcurrencyCap(1);
    assertThatThrownBy(cap::release).isInstanceOf(IllegalStateException.class);
    assertThat(cap.inUse()).isZero();
    assertThat(cap.tryAcquire()).isTrue();
    assertThat(cap.tryAcquire()).isFalse();
    assertThatThrownBy(() -> new ConcurrencyCap(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void threadsNeverHoldMoreThanTheCap() throws Exception {
    ConcurrencyCap cap = new ConcurrencyCap(5);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicLong granted = new AtomicLong();
    GcraTest.runThreads(4, () -> {
      for (int i = 0; i < 200_000; i++) {
        if (cap.tryAcquire()) {
          granted.incrementAndGet();
          int now = holding.incrementAndGet();
          most.accumulateAndGet(now, Math::max);
          holding.decrementAndGet();
          cap.release();
        }
      }
    });
    assertThat(most.get()).isLessThanOrEqualTo(5);
    assertThat(cap.inUse()).isZero();
    assertThat(granted.get() + cap.refused()).isEqualTo(800_000);
  }
}
