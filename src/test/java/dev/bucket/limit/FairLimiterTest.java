package dev.bucket.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.limit.FairLimiter.Decision;
import dev.bucket.limit.FairLimiter.Scope;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FairLimiterTest {

  private static final long US = 1_000L;
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  /** One product offering a request every {@code everyNanos}. */
  private record Load(String product, long everyNanos) {
  }

  private static final class Tally {
    long offered;
    long admitted;
    long delayed;
    long maxDelay;
  }

  private static FairLimiter limiter(FakeClock clock, long rate, long burst, ClusterBudget budget) {
    return new FairLimiter(Kind.WRITE, rate, burst, 0, 100, budget, clock);
  }

  /** Steps the fake clock by 100 µs and offers every load whose period divides the elapsed time. */
  private static Map<String, Tally> simulate(FairLimiter limiter, FakeClock clock, long duration, long maxDelay,
      Load... loads) {
    Map<String, Tally> tallies = new LinkedHashMap<>();
    for (Load load : loads) {
      tallies.put(load.product(), new Tally());
    }
    long start = clock.getAsLong();
    for (long elapsed = 0; elapsed < duration; elapsed += 100 * US) {
      long now = start + elapsed;
      clock.set(now);
      for (Load load : loads) {
        if (elapsed % load.everyNanos() == 0) {
          Tally tally = tallies.get(load.product());
          tally.offered++;
          Decision decision = limiter.acquire(load.product(), now, maxDelay);
          if (decision.admitted()) {
            tally.admitted++;
            assertThat(decision.delayNanos()).isLessThanOrEqualTo(maxDelay);
            if (decision.outcome() == Admission.Outcome.DELAYED) {
              tally.delayed++;
              tally.maxDelay = Math.max(tally.maxDelay, decision.delayNanos());
            }
          } else {
            assertThat(decision.retryAfterNanos()).isPositive();
            assertThat(decision.limitedBy()).isNotEqualTo(Scope.NONE);
          }
        }
      }
    }
    clock.set(start + duration);
    return tallies;
  }

  @Test
  void aLoneProductMayUseTheWholeCeilingAndNoMore() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);

    Tally a = simulate(limiter, clock, 10 * SECOND, 0, new Load("alpha", 100 * US)).get("alpha");

    assertThat(a.offered).isEqualTo(100_000);
    assertThat(a.admitted).isBetween(9_950L, 10_050L);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 100 * MS})
  void aGreedyProductCannotStarveAModestOne(long maxDelay) {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);

    // Ten times the ceiling against a tenth of it.
    Map<String, Tally> t = simulate(limiter, clock, 10 * SECOND, maxDelay,
        new Load("greedy", 100 * US), new Load("modest", 10 * MS));

    Tally greedy = t.get("greedy");
    Tally modest = t.get("modest");
    assertThat(modest.offered).isEqualTo(1_000);
    assertThat(modest.admitted).isEqualTo(modest.offered);
    // The rate plus one burst, plus the waiters still queued when the run ends.
    assertThat(greedy.admitted + modest.admitted).isBetween(9_900L, 10_050L + maxDelay / MS);
    assertThat(greedy.admitted).isGreaterThan(8_500);
  }

  @Test
  void everyModestProductGetsAllItAsksBesideAGreedyOne() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);

    // Four products at ~15 % each (under the fair share of 20 % with five active) and one at 10x.
    Map<String, Tally> t = simulate(limiter, clock, 10 * SECOND, 0, new Load("greedy", 100 * US),
        new Load("m1", 6_700 * US), new Load("m2", 6_700 * US), new Load("m3", 6_700 * US),
        new Load("m4", 6_700 * US));

    long total = 0;
    for (String m : new String[] {"m1", "m2", "m3", "m4"}) {
      assertThat(t.get(m).admitted).as(m).isEqualTo(t.get(m).offered);
      total += t.get(m).admitted;
    }
    total += t.get("greedy").admitted;
    assertThat(total).isBetween(9_900L, 10_050L);
  }

  @Test
  void twoGreedyProductsSplitTheCeilingEvenly() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);

    Map<String, Tally> t = simulate(limiter, clock, 10 * SECOND, 0, new Load("a", 100 * US), new Load("b", 100 * US));

    assertThat(t.get("a").admitted).isBetween(4_500L, 5_500L);
    assertThat(t.get("b").admitted).isBetween(4_500L, 5_500L);
    assertThat(t.get("a").admitted + t.get("b").admitted).isBetween(9_900L, 10_050L);
    assertThat(limiter.activeProducts()).isEqualTo(2);
    assertThat(limiter.fairShare()).isEqualTo(500.0);
  }

  @Test
  void aNewcomerIsAdmittedAtOnceWhileAGreedyProductSaturatesTheCeiling() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);
    simulate(limiter, clock, 2 * SECOND, 0, new Load("greedy", 100 * US));
    long now = clock.getAsLong();
    for (int i = 0; i < 100 && limiter.acquire("greedy", now, 0).admitted(); i++) {
      // use up whatever the last step left
    }
    assertThat(limiter.acquire("greedy", now, 0).admitted()).isFalse();

    Decision first = limiter.acquire("newcomer", now, 0);

    assertThat(first.outcome()).isEqualTo(Admission.Outcome.ADMITTED);
    assertThat(first.borrowed()).isFalse();
    assertThat(limiter.activeProducts()).isEqualTo(2);
  }

  @Test
  void queuedWaitersAreBoundedByTheMaximumDelay() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);
    long now = clock.getAsLong();
    long maxDelay = 100 * MS;
    int admitted = 0;
    int delayed = 0;
    for (int i = 0; i < 10_000; i++) {
      Decision d = limiter.acquire("alpha", now, maxDelay);
      if (d.outcome() == Admission.Outcome.DELAYED) {
        delayed++;
        assertThat(d.delayNanos()).isLessThanOrEqualTo(maxDelay);
      } else if (d.admitted()) {
        admitted++;
      }
    }
    // Half the burst through the product's bucket, borrowing adds nothing past half the tolerance,
    // and at most maxDelay / T (100) waiters.
    assertThat(admitted).isEqualTo(25);
    assertThat(delayed).isEqualTo(100);
  }

  @Test
  void aGlobalRejectionGivesTheProductSlotBack() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);
    long now = clock.getAsLong();
    // A lone product books the global bucket far ahead through the delay queue.
    for (int i = 0; i < 1_000; i++) {
      limiter.acquire("greedy", now, 100 * MS);
    }
    assertThat(limiter.global().backlog(now)).isGreaterThan(100 * MS);

    for (int i = 0; i < 100; i++) {
      Decision d = limiter.acquire("modest", now, 0);
      assertThat(d.limitedBy()).isEqualTo(Scope.GLOBAL);
    }
    assertThat(limiter.productBacklog("modest", now)).isZero();
  }

  @Test
  void aClusterRejectionGivesBothSlotsBack() {
    FakeClock clock = new FakeClock();
    AtomicBoolean open = new AtomicBoolean(false);
    ClusterBudget budget = new ClusterBudget() {
      @Override
      public boolean tryTake(long nowNanos) {
        return open.get();
      }

      @Override
      public long retryAfterNanos(long nowNanos) {
        return 7 * MS;
      }
    };
    FairLimiter limiter = limiter(clock, 1000, 50, budget);
    long now = clock.getAsLong();
    for (int i = 0; i < 1_000; i++) {
      Decision d = limiter.acquire("alpha", now, 0);
      assertThat(d.limitedBy()).isEqualTo(Scope.CLUSTER);
      assertThat(d.retryAfterNanos()).isEqualTo(7 * MS);
    }
    assertThat(limiter.remaining(now)).isEqualTo(50);
    assertThat(limiter.productBacklog("alpha", now)).isZero();

    open.set(true);
    FairLimiter fresh = limiter(new FakeClock(now), 1000, 50, ClusterBudget.UNLIMITED);
    int admittedAfter = 0;
    int admittedFresh = 0;
    for (int i = 0; i < 1_000; i++) {
      admittedAfter += limiter.acquire("alpha", now, 0).admitted() ? 1 : 0;
      admittedFresh += fresh.acquire("alpha", now, 0).admitted() ? 1 : 0;
    }
    assertThat(admittedAfter).isEqualTo(admittedFresh).isEqualTo(25);
  }

  @Test
  void aProductRejectionLeavesTheSharedBucketUntouched() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);
    simulate(limiter, clock, SECOND, 0, new Load("a", 100 * US), new Load("b", 100 * US));
    long now = clock.getAsLong();
    int rejections = 0;
    for (int i = 0; i < 1_000; i++) {
      long before = limiter.global().backlog(now);
      Decision d = limiter.acquire("a", now, 0);
      if (d.limitedBy() == Scope.PRODUCT) {
        rejections++;
        assertThat(limiter.global().backlog(now)).isEqualTo(before);
      }
    }
    assertThat(rejections).isGreaterThan(900);
  }

  @Test
  void theProductTableIsBoundedAndForgetsIdleProducts() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = new FairLimiter(Kind.READ, 10_000, 500, 0, 3, ClusterBudget.UNLIMITED, clock);
    long now = clock.getAsLong();
    for (int i = 0; i < 10; i++) {
      Decision d = limiter.acquire("p" + i, now, 0);
      assertThat(d.bucket()).isEqualTo(i < 3 ? "p" + i : FairLimiter.OTHER);
    }
    assertThat(limiter.acquire(null, now, 0).bucket()).isEqualTo(FairLimiter.OTHER);
    assertThat(limiter.trackedProducts()).isEqualTo(3);
    clock.advance(200 * MS);
    limiter.acquire("p0", clock.getAsLong(), 0);
    assertThat(limiter.activeProducts()).isEqualTo(4); // three products and the shared bucket

    clock.advance(11 * SECOND);
    Decision later = limiter.acquire("p7", clock.getAsLong(), 0);
    assertThat(later.bucket()).isEqualTo("p7");
    assertThat(limiter.trackedProducts()).isEqualTo(1);
    assertThat(limiter.activeProducts()).isEqualTo(1);
  }

  @Test
  void theActiveCountFollowsTheLastSecond() {
    FakeClock clock = new FakeClock();
    FairLimiter limiter = limiter(clock, 1000, 50, ClusterBudget.UNLIMITED);
    simulate(limiter, clock, 500 * MS, 0, new Load("a", MS), new Load("b", MS), new Load("c", MS));
    assertThat(limiter.activeProducts()).isEqualTo(3);
    simulate(limiter, clock, 1_300 * MS, 0, new Load("a", MS));
    assertThat(limiter.activeProducts()).isEqualTo(1);
    assertThat(limiter.fairShare()).isEqualTo(1000.0);
  }

  @Test
  void threadsOnTheRealClockStayWithinTheCeiling() throws Exception {
    FairLimiter limiter = new FairLimiter(Kind.WRITE, 2_000, 40, 0, 100, ClusterBudget.UNLIMITED, System::nanoTime);
    AtomicLong admitted = new AtomicLong();
    AtomicLong thread = new AtomicLong();
    long start = System.nanoTime();
    long end = start + 300 * MS;
    GcraTest.runThreads(3, () -> {
      String product = "p" + thread.getAndIncrement();
      long calls = 0;
      while (calls++ < 50_000_000 && System.nanoTime() < end) {
        if (limiter.acquire(product).admitted()) {
          admitted.incrementAndGet();
        }
      }
    });
    long elapsed = System.nanoTime() - start;
    long ceiling = 40 + elapsed / limiter.global().emissionNanos() + 1;
    assertThat(admitted.get()).isLessThanOrEqualTo(ceiling).isGreaterThanOrEqualTo(40);
  }

  @Test
  void decidingCostsWellUnderAMicrosecond() {
    FairLimiter limiter = new FairLimiter(Kind.READ, 10_000, 500, 0, 100, ClusterBudget.UNLIMITED, System::nanoTime);
    String[] products = new String[16];
    for (int i = 0; i < products.length; i++) {
      products[i] = "product-" + i;
    }
    long sink = 0;
    for (int i = 0; i < 300_000; i++) {
      sink += limiter.acquire(products[i & 15]).delayNanos();
    }
    // CPU time of this thread, so that other processes on the shared machine do not count.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int rounds = 2_000_000;
    long start = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < rounds; i++) {
      sink += limiter.acquire(products[i & 15]).delayNanos();
    }
    double perDecision = (threads.getCurrentThreadCpuTime() - start) / (double) rounds;
    System.out.printf("FairLimiter decision: %.0f ns of CPU (sink %d)%n", perDecision, sink);
    assertThat(perDecision).isLessThan(1_000);
  }
}
