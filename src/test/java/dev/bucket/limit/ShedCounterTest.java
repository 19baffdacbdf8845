package dev.bucket.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ShedCounterTest {

  @Test
  void countsPerProductKindAndSecondAndDrainsOnlyFinishedSeconds() {
    AtomicLong second = new AtomicLong(1_700_000_000L);
    ShedCounter shed = new ShedCounter(100, second::get);
    for (int i = 0; i < 5; i++) {
      shed.record("alpha", Kind.WRITE);
    }
    shed.record("alpha", Kind.READ);
    shed.record("beta", Kind.WRITE);
    shed.record(null, Kind.WRITE);

    assertThat(shed.drain()).isEmpty(); // the second is not over yet
    second.incrementAndGet();
    shed.record("alpha", Kind.WRITE);

    assertThat(shed.drain()).containsExactly(
        new ShedSummary("alpha", Kind.WRITE, 1_700_000_000L, 5),
        new ShedSummary("beta", Kind.WRITE, 1_700_000_000L, 1),
        new ShedSummary(FairLimiter.OTHER, Kind.WRITE, 1_700_000_000L, 1),
        new ShedSummary("alpha", Kind.READ, 1_700_000_000L, 1));
    assertThat(shed.drain()).isEmpty();
    assertThat(shed.drainAll()).containsExactly(new ShedSummary("alpha", Kind.WRITE, 1_700_000_001L, 1));
    assertThat(shed.size()).isZero();
  }

  @Test
  void isBoundedWhateverTheNumberOfProductsOrUndrainedSeconds() {
    AtomicLong second = new AtomicLong(1_000);
    ShedCounter shed = new ShedCounter(10, second::get);
    for (int i = 0; i < 10_000; i++) {
      shed.record("product-" + i, Kind.values()[i % 2]);
    }
    assertThat(shed.size()).isLessThanOrEqualTo(shed.capacity());
    List<ShedSummary> first = shed.drain(second.get() + 1);
    assertThat(first.stream().mapToLong(ShedSummary::count).sum()).isEqualTo(10_000);
    assertThat(first).anyMatch(s -> s.product().equals(FairLimiter.OTHER) && s.count() > 1_000);

    // Nobody drains for a long time: memory stays bounded and the overflow is counted, not kept.
    for (int s = 0; s < 1_000; s++) {
      second.incrementAndGet();
      for (int i = 0; i < 30; i++) {
        shed.record("product-" + i, Kind.WRITE);
      }
    }
    assertThat(shed.size()).isLessThanOrEqualTo(shed.capacity());
    assertThat(shed.lost()).isPositive();
    long drained = shed.drainAll().stream().mapToLong(ShedSummary::count).sum();
    assertThat(drained + shed.lost()).isEqualTo(30_000);
  }

  @Test
  void concurrentRecordingLosesNothing() throws Exception {
    AtomicLong second = new AtomicLong(5);
    ShedCounter shed = new ShedCounter(100, second::get);
    AtomicLong drained = new AtomicLong();
    GcraTest.runThreads(3, () -> {
      for (int i = 0; i < 100_000; i++) {
        shed.record("p" + (i % 7), Kind.READ);
        if (i % 10_000 == 0) {
          second.incrementAndGet();
          drained.addAndGet(shed.drain().stream().mapToLong(ShedSummary::count).sum());
        }
      }
    });
    drained.addAndGet(shed.drainAll().stream().mapToLong(ShedSummary::count).sum());
    assertThat(drained.get()).isEqualTo(300_000);
  }
}
