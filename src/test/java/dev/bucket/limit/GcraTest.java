package dev.bucket.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GcraTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @Test
  void idleBucketAdmitsExactlyTheBurstAtOnceThenOnePerEmissionInterval() {
    FakeClock clock = new FakeClock();
    Gcra gcra = new Gcra(1000, 50, clock);
    long now = clock.getAsLong();

    int admitted = 0;
    for (int i = 0; i < 200; i++) {
      if (gcra.tryAcquire(now)) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(50);
    Admission next = gcra.acquire(now, 0);
    assertThat(next.outcome()).isEqualTo(Admission.Outcome.REJECTED);
    assertThat(next.retryAfterNanos()).isEqualTo(MS);

    assertThat(gcra.tryAcquire(now + MS - 1)).isFalse();
    assertThat(gcra.tryAcquire(now + MS)).isTrue();
    assertThat(gcra.tryAcquire(now + MS)).isFalse();
  }

  @Test
  void sustainedRateOverTenSimulatedSecondsIsExactWithinHalfAPercent() {
    FakeClock clock = new FakeClock();
    Gcra gcra = new Gcra(1000, 50, clock);
    long start = clock.getAsLong();
    long step = 100_000; // offered 10 000/s, ten times the rate
    long inFirstTen = 0;
    long inSteadyTen = 0;
    for (long t = start; t < start + 11 * SECOND; t += step) {
      if (gcra.tryAcquire(t)) {
        if (t < start + 10 * SECOND) {
          inFirstTen++;
        }
        if (t >= start + SECOND) {
          inSteadyTen++;
        }
      }
    }
    assertThat(inSteadyTen).isBetween(9_950L, 10_050L);
    // From idle: exactly the rate plus one burst, never more.
    assertThat(inFirstTen).isBetween(10_000L, 10_050L);
  }

  @Test
  void noWindowOfOneSecondEverSeesMoreThanRatePlusBurst() {
    FakeClock clock = new FakeClock();
    Gcra gcra = new Gcra(1000, 50, clock);
    long start = clock.getAsLong();
    Random random = new Random(7);
    List<Long> admittedAt = new ArrayList<>();
    // Bursty offered load with idle gaps, crossing many whole-second boundaries.
    for (long t = start; t < start + 10 * SECOND; t += MS) {
      boolean idle = (t - start) / (700 * MS) % 3 == 1;
      int offered = idle ? 0 : random.nextInt(25);
      for (int i = 0; i < offered; i++) {
        if (gcra.tryAcquire(t)) {
          admittedAt.add(t);
        }
      }
    }
    // Right at a fixed-window boundary: a full bucket at x.999 s and again at x+1.000 s.
    long edge = start + 20 * SECOND;
    for (long t : new long[] {edge - MS, edge}) {
      for (int i = 0; i < 5_000; i++) {
        if (gcra.tryAcquire(t)) {
          admittedAt.add(t);
        }
      }
    }

    int max = 0;
    int tail = 0;
    for (int head = 0; head < admittedAt.size(); head++) {
      while (admittedAt.get(head) - admittedAt.get(tail) >= SECOND) {
        tail++;
      }
      max = Math.max(max, head - tail + 1);
    }
    assertThat(max).isLessThanOrEqualTo(1000 + 50);
    assertThat(admittedAt.stream().filter(t -> t >= edge - MS).count()).isEqualTo(51);
  }

  @Test
  void delayedAdmissionsAreBoundedByTheMaximumDelaySoTheQueueIsBounded() {
    FakeClock clock = new FakeClock();
    Gcra gcra = new Gcra(1000, 10, clock);
    long now = clock.getAsLong();
    long maxDelay = 50 * MS;

    int immediate = 0;
    int delayed = 0;
    int rejected = 0;
    long lastDelay = 0;
    for (int i = 0; i < 500; i++) {
      Admission a = gcra.acquire(now, maxDelay);
      switch (a.outcome()) {
        case ADMITTED -> immediate++;
        case DELAYED -> {
          delayed++;
          assertThat(a.delayNanos()).isPositive().isLessThanOrEqualTo(maxDelay).isGreaterThan(lastDelay);
          lastDelay = a.delayNanos();
        }
        case REJECTED -> {
          rejected++;
          assertThat(a.retryAfterNanos()).isPositive();
        }
      }
    }
    assertThat(immediate).isEqualTo(10);
    assertThat(delayed).isEqualTo(50); // maxDelay / T waiters at most
    assertThat(rejected).isEqualTo(440);
    // Later arrivals do not jump the queue: the next free slot is after the last waiter's.
    assertThat(gcra.acquire(now + 10 * MS, maxDelay).delayNanos()).isEqualTo(lastDelay + MS - 10 * MS);
  }

  @Test
  void aRejectionConsumesNothing() {
    FakeClock clock = new FakeClock();
    Gcra gcra = new Gcra(100, 5, clock);
    long now = clock.getAsLong();
    for (int i = 0; i < 5; i++) {
      assertThat(gcra.tryAcquire(now)).isTrue();
    }
    long reset = gcra.resetAfter(now);
    for (int i = 0; i < 10_000; i++) {
      assertThat(gcra.acquire(now, 0).admitted()).isFalse();
    }
    assertThat(gcra.resetAfter(now)).isEqualTo(reset);
    assertThat(gcra.tryAcquire(now + gcra.emissionNanos())).isTrue();
  }

  @Test
  void remainingResetAfterWaitAndRefund() {
    FakeClock clock = new FakeClock();
    Gcra gcra = new Gcra(1000, 20, clock);
    long now = clock.getAsLong();
    assertThat(gcra.remaining(now)).isEqualTo(20);
    assertThat(gcra.resetAfter(now)).isZero();
    assertThat(gcra.waitNanos(now)).isZero();
    for (int i = 0; i < 8; i++) {
      gcra.tryAcquire(now);
    }
    assertThat(gcra.remaining(now)).isEqualTo(12);
    assertThat(gcra.resetAfter(now)).isEqualTo(8 * MS);
    assertThat(gcra.remaining(now + 3 * MS)).isEqualTo(15);

    gcra.refund();
    assertThat(gcra.remaining(now)).isEqualTo(13);
    while (gcra.tryAcquire(now)) {
      // drain
    }
    assertThat(gcra.remaining(now)).isZero();
    assertThat(gcra.waitNanos(now)).isEqualTo(MS);
    assertThat(gcra.burst()).isEqualTo(20);
    assertThat(gcra.ratePerSecond()).isEqualTo(1000.0);
  }

  @Test
  void rejectsNonsenseParameters() {
    assertThatThrownBy(() -> new Gcra(0, 1, System::nanoTime)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Gcra(10, 0, System::nanoTime)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Gcra(Double.NaN, 1, System::nanoTime)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void threadsRacingAtOneInstantGetExactlyTheBurstAndTheQueue() throws Exception {
    FakeClock clock = new FakeClock();
    Gcra gcra = new Gcra(10_000, 100, clock);
    long now = clock.getAsLong();
    long maxDelay = 20 * MS; // 200 more waiters
    AtomicLong admitted = new AtomicLong();
    AtomicLong delayed = new AtomicLong();
    runThreads(4, () -> {
      for (int i = 0; i < 20_000; i++) {
        Admission a = gcra.acquire(now, maxDelay);
        if (a.outcome() == Admission.Outcome.ADMITTED) {
          admitted.incrementAndGet();
        } else if (a.outcome() == Admission.Outcome.DELAYED) {
          delayed.incrementAndGet();
        }
      }
    });
    assertThat(admitted.get()).isEqualTo(100);
    assertThat(delayed.get()).isEqualTo(200);
  }

  @Test
  void threadsOnTheRealClockStayWithinTheCeiling() throws Exception {
    Gcra gcra = new Gcra(2_000, 20, System::nanoTime);
    AtomicLong admitted = new AtomicLong();
    long start = System.nanoTime();
    long end = start + 300 * MS;
    runThreads(3, () -> {
      long calls = 0;
      while (calls++ < 50_000_000 && System.nanoTime() < end) {
        if (gcra.tryAcquire(System.nanoTime())) {
          admitted.incrementAndGet();
        }
      }
    });
    long elapsed = System.nanoTime() - start;
    long ceiling = 20 + elapsed / gcra.emissionNanos() + 1;
    assertThat(admitted.get()).isLessThanOrEqualTo(ceiling).isGreaterThanOrEqualTo(20);
  }

  static void runThreads(int count, Runnable body) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Thread thread = new Thread(() -> {
        try {
          go.await();
          body.run();
        } catch (Throwable e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).isFalse();
    }
    assertThat(failures).isEmpty();
  }
}
