package dev.bucket.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.metrics.AlertEvaluator.Alert;
import dev.bucket.metrics.AlertEvaluator.State;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  static Reading storage(double used) {
    return Reading.of(Limit.MAX_STORAGE_BYTES, used, 1000);
  }

  static List<Alert> at(AlertEvaluator alerts, int second, Reading... readings) {
    return alerts.evaluate(List.of(readings), T0.plusSeconds(second));
  }

  @Test
  void firesOnceAtEachThresholdReachedAndNotAgainWhileItStaysThere() {
    AlertEvaluator alerts = new AlertEvaluator(List.of(80, 90, 100), 1000, 5);
    assertThat(at(alerts, 0, storage(500))).isEmpty();
    assertThat(at(alerts, 1, storage(799))).isEmpty();

    List<Alert> fired = at(alerts, 2, storage(800));
    assertThat(fired).singleElement().satisfies(a -> {
      assertThat(a.state()).isEqualTo(State.FIRING);
      assertThat(a.threshold()).isEqualTo(80);
      assertThat(a.limit()).isEqualTo(Limit.MAX_STORAGE_BYTES);
      assertThat(a.percent()).isEqualTo(80.0);
      assertThat(a.severity(alerts.thresholds())).isEqualTo("warning");
    });
    assertThat(at(alerts, 3, storage(850))).isEmpty();
    assertThat(at(alerts, 4, storage(905))).singleElement().satisfies(a -> assertThat(a.threshold()).isEqualTo(90));
    assertThat(at(alerts, 5, storage(1000))).singleElement().satisfies(a -> {
      assertThat(a.threshold()).isEqualTo(100);
      assertThat(a.severity(alerts.thresholds())).isEqualTo("critical");
    });
    assertThat(at(alerts, 6, storage(1000))).isEmpty();
    assertThat(alerts.active()).singleElement().satisfies(a -> {
      assertThat(a.level()).isEqualTo(100);
      assertThat(a.since()).isEqualTo(T0.plusSeconds(5));
    });
  }

  @Test
  void aJumpOverSeveralThresholdsFiresOnlyTheHighest() {
    AlertEvaluator alerts = new AlertEvaluator(List.of(80, 90, 100), 1000, 5);
    assertThat(at(alerts, 0, storage(950))).singleElement()
        .satisfies(a -> assertThat(a.threshold()).isEqualTo(90));
    assertThat(alerts.level(Limit.MAX_STORAGE_BYTES)).isEqualTo(90);
  }

  @Test
  void hoveringAtAThresholdDoesNotFlapAndFallingWellBelowResolves() {
    AlertEvaluator alerts = new AlertEvaluator(List.of(80, 90, 100), 1000, 5);
    at(alerts, 0, storage(900));
    // Within 5 points below 90: still at 90, nothing new.
    for (int i = 1; i <= 10; i++) {
      assertThat(at(alerts, i, storage(i % 2 == 0 ? 900 : 860))).isEmpty();
    }
    assertThat(alerts.level(Limit.MAX_STORAGE_BYTES)).isEqualTo(90);
    // 84 % is more than 5 points below 90, still within 5 of 80: down to 80.
    assertThat(at(alerts, 11, storage(840))).singleElement().satisfies(a -> {
      assertThat(a.state()).isEqualTo(State.RESOLVED);
      assertThat(a.threshold()).isEqualTo(90);
      assertThat(a.level()).isEqualTo(80);
      assertThat(a.severity(alerts.thresholds())).isEqualTo("info");
    });
    assertThat(at(alerts, 12, storage(100))).singleElement().satisfies(a -> {
      assertThat(a.state()).isEqualTo(State.RESOLVED);
      assertThat(a.level()).isZero();
    });
    assertThat(alerts.active()).isEmpty();
    // And it fires again when the limit is approached again.
    assertThat(at(alerts, 13, storage(810))).singleElement()
        .satisfies(a -> assertThat(a.state()).isEqualTo(State.FIRING));
  }

  @Test
  void limitsAreIndependentAndEachEventNamesItsSubject() {
    AlertEvaluator alerts = new AlertEvaluator(List.of(50), 1000, 0);
    List<Alert> fired = at(alerts, 0, storage(600),
        new Reading(Limit.MAX_ARTIFACTS_PER_PRODUCT, 7, 10, "AI_Avatar"), Reading.of(Limit.MAX_ARTIFACTS, 1, 10));
    assertThat(fired).extracting(Alert::limit)
        .containsExactly(Limit.MAX_STORAGE_BYTES, Limit.MAX_ARTIFACTS_PER_PRODUCT);
    assertThat(fired.get(1).subject()).isEqualTo("AI_Avatar");
    assertThat(fired).extracting(Alert::sequence).containsExactly(1L, 2L);
  }

  @Test
  void theHistoryIsBoundedAndNewestFirst() {
    AlertEvaluator alerts = new AlertEvaluator(List.of(50), 10, 0);
    for (int i = 0; i < 40; i++) {
      at(alerts, i, storage(i % 2 == 0 ? 600 : 100)); // fires, resolves, fires, ...
    }
    assertThat(alerts.historySize()).isEqualTo(10);
    List<Alert> newest = alerts.history(3);
    assertThat(newest).extracting(Alert::sequence).containsExactly(40L, 39L, 38L);
    assertThat(alerts.history(100)).hasSize(10);
    assertThat(alerts.evaluations()).isEqualTo(40);
  }

  @Test
  void thresholdsMustBeAscendingPercentages() {
    assertThatThrownBy(() -> new AlertEvaluator(List.of(90, 80), 10, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AlertEvaluator(List.of(0, 80), 10, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AlertEvaluator(List.of(80, 101), 10, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AlertEvaluator(List.of(), 10, 5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secondSeriesKeepsTheLastSecondsOfACumulativeCounter() {
    SecondSeries series = new SecondSeries(3);
    series.sampleTotal(100); // primes
    assertThat(series.seconds()).isZero();
    series.sampleTotal(120);
    series.sampleTotal(150);
    series.sampleTotal(150);
    series.sampleTotal(190);
    assertThat(series.last()).isEqualTo(40);
    assertThat(series.seconds()).isEqualTo(3);
    assertThat(series.peak()).isEqualTo(40);
    assertThat(series.average()).isEqualTo((30 + 0 + 40) / 3.0);
  }
}
