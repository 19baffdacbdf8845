package dev.bucket.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.retention.RetentionEvent.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure rules and the fold: no I/O, no clock but the instants passed in. */
class RetentionRulesTest {

  static final String KEY = "prod-a/report/3";
  static final Instant CREATED = Instant.parse("2026-01-10T08:00:00.250Z");
  static final RetentionPolicy POLICY = new RetentionPolicy(RetentionPolicy.DEFAULT_RETENTION_DAYS, 365);
  static final Instant DEFAULT_UNTIL = Instant.parse("2033-01-08T08:00:00.250Z");

  private final List<RetentionEvent> history = new ArrayList<>();

  private RetentionState state() {
    return RetentionState.fold(KEY, CREATED, POLICY, history);
  }

  /** Applies an allowed decision to the history, as the repository would after its insert. */
  private RetentionEvent accept(Decision<RetentionEvent> decision) {
    RetentionEvent event = decision.orElseThrow();
    history.add(event);
    return event;
  }

  private static RetentionRefusal refusal(Decision<?> decision) {
    assertThat(decision).isInstanceOf(Decision.Refused.class);
    return ((Decision.Refused<?>) decision).refusal();
  }

  @Test
  void defaultRetentionIsTheProductDefaultAfterCreation() {
    assertThat(POLICY.defaultRetainUntil(CREATED)).isEqualTo(DEFAULT_UNTIL);
    assertThat(POLICY.initialRetainUntil(CREATED, null).orElseThrow()).isEqualTo(DEFAULT_UNTIL);
    assertThat(state().retainUntil()).isEqualTo(DEFAULT_UNTIL);
    assertThat(new RetentionPolicy(30, 7).defaultRetainUntil(CREATED)).isEqualTo(CREATED.plus(Duration.ofDays(30)));
  }

  @Test
  void aRequestedRetentionShorterThanTheMinimumIsRefusedAndOneAtOrAboveItAccepted() {
    Instant minimum = CREATED.plus(Duration.ofDays(365));
    RetentionRefusal refused = refusal(POLICY.initialRetainUntil(CREATED, minimum.minusMillis(1)));
    assertThat(refused.slug()).isEqualTo(RetentionRefusal.BELOW_MINIMUM);
    assertThat(refused.message()).contains("365 days", "2027-01-10T08:00:00.250Z");
    assertThat(POLICY.initialRetainUntil(CREATED, minimum).orElseThrow()).isEqualTo(minimum);
    Instant later = DEFAULT_UNTIL.plus(Duration.ofDays(1000));
    assertThat(POLICY.initialRetainUntil(CREATED, later).orElseThrow()).isEqualTo(later);
    assertThatThrownBy(() -> POLICY.initialRetainUntil(CREATED, minimum.minusSeconds(1)).orElseThrow())
        .isInstanceOf(RetentionRefusedException.class).hasMessageStartingWith("retention-below-minimum: ");
  }

  @Test
  void aPolicyWhoseMinimumExceedsItsDefaultIsRejected() {
    assertThatThrownBy(() -> new RetentionPolicy(10, 11)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetentionPolicy(10, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retentionCanOnlyBeExtended() {
    Instant now = CREATED.plus(Duration.ofDays(1));
    RetentionRefusal shorter = refusal(RetentionRules.extend(state(), DEFAULT_UNTIL.minusMillis(1), now, "owner", "x"));
    assertThat(shorter.slug()).isEqualTo(RetentionRefusal.RETENTION_SHORTENING);
    assertThat(shorter.message()).contains("2033-01-08T08:00:00.250Z");
    assertThat(refusal(RetentionRules.extend(state(), DEFAULT_UNTIL, now, "owner", "x")).slug())
        .isEqualTo(RetentionRefusal.RETENTION_UNCHANGED);

    Instant longer = DEFAULT_UNTIL.plus(Duration.ofDays(90));
    RetentionEvent event = accept(RetentionRules.extend(state(), longer, now, "owner", "litigation pending"));
    assertThat(event).isEqualTo(new RetentionEvent(Type.EXTENDED, KEY, 1, now, "owner", "litigation pending", longer));
    assertThat(state().retainUntil()).isEqualTo(longer);
    assertThat(state().lastSeq()).isEqualTo(1);

    assertThat(refusal(RetentionRules.extend(state(), DEFAULT_UNTIL.plusSeconds(1), now, "owner", null)).slug())
        .as("back below the extended date").isEqualTo(RetentionRefusal.RETENTION_SHORTENING);
    accept(RetentionRules.extend(state(), longer.plusSeconds(1), now, "owner", null));
    assertThat(state().retainUntil()).isEqualTo(longer.plusSeconds(1));
    assertThat(state().lastSeq()).isEqualTo(2);
  }

  @Test
  void anExtensionMustLieInTheFutureAndWithinTheTimestampFormat() {
    RetentionPolicy brief = new RetentionPolicy(1, 1);
    RetentionState expired = RetentionState.fold(KEY, CREATED, brief, List.of());
    Instant now = CREATED.plus(Duration.ofDays(10));
    assertThat(refusal(RetentionRules.extend(expired, now.minusSeconds(1), now, "owner", null)).slug())
        .isEqualTo(RetentionRefusal.RETAIN_UNTIL_IN_PAST);
    assertThat(refusal(RetentionRules.extend(expired, Instant.parse("+10000-01-01T00:00:00Z"), now, "owner", null))
        .slug()).isEqualTo(RetentionRefusal.RETAIN_UNTIL_OUT_OF_RANGE);
  }

  @Test
  void aLegalHoldIsSetAndReleasedOnceEach() {
    Instant setAt = CREATED.plus(Duration.ofDays(3));
    assertThat(refusal(RetentionRules.releaseHold(state(), setAt, "owner", null)).slug())
        .isEqualTo(RetentionRefusal.NO_LEGAL_HOLD);
    accept(RetentionRules.setHold(state(), setAt, "owner", "subpoena 17"));
    assertThat(state().legalHold()).isTrue();
    assertThat(state().hold()).isEqualTo(new RetentionState.Hold(setAt, "owner", "subpoena 17"));
    assertThat(refusal(RetentionRules.setHold(state(), setAt.plusSeconds(1), "owner", null)).slug())
        .isEqualTo(RetentionRefusal.HOLD_ALREADY_SET);
    accept(RetentionRules.releaseHold(state(), setAt.plusSeconds(60), "owner", "case closed"));
    assertThat(state().legalHold()).isFalse();
    assertThat(state().hold()).isNull();
    assertThat(state().retainUntil()).as("a hold does not move the date").isEqualTo(DEFAULT_UNTIL);
  }

  @Test
  void tombstoneIsRefusedBeforeRetainUntilWithTheDate() {
    RetentionRefusal refused = refusal(RetentionRules.tombstone(state(), DEFAULT_UNTIL.minusMillis(1), "owner", null));
    assertThat(refused.slug()).isEqualTo(RetentionRefusal.RETENTION_ACTIVE);
    assertThat(refused.message()).contains("retained until 2033-01-08T08:00:00.250Z");
  }

  @Test
  void tombstoneIsRefusedUnderLegalHoldEvenAfterRetainUntil() {
    accept(RetentionRules.setHold(state(), CREATED.plusSeconds(5), "owner", "audit"));
    Instant later = DEFAULT_UNTIL.plus(Duration.ofDays(400));
    assertThat(refusal(RetentionRules.tombstone(state(), later, "owner", null)).slug())
        .isEqualTo(RetentionRefusal.LEGAL_HOLD);
    accept(RetentionRules.releaseHold(state(), later, "owner", null));
    assertThat(RetentionRules.tombstone(state(), later, "owner", null)).isInstanceOf(Decision.Allowed.class);
  }

  @Test
  void tombstoneIsAllowedFromRetainUntilOnAndOnlyOnce() {
    RetentionEvent event = accept(RetentionRules.tombstone(state(), DEFAULT_UNTIL, "owner", "end of life"));
    assertThat(event.type()).isEqualTo(Type.TOMBSTONED);
    assertThat(event.id()).isEqualTo(KEY + "#1");
    assertThat(state().tombstone()).isEqualTo(new RetentionState.Tombstone(DEFAULT_UNTIL, "owner", "end of life"));
    assertThat(state().toJson().getJsonObject("tombstone").getString("at")).isEqualTo("2033-01-08T08:00:00.250Z");

    Instant later = DEFAULT_UNTIL.plusSeconds(10);
    assertThat(refusal(RetentionRules.tombstone(state(), later, "owner", null)).slug())
        .isEqualTo(RetentionRefusal.ALREADY_TOMBSTONED);
    assertThat(refusal(RetentionRules.extend(state(), later.plus(Duration.ofDays(9)), later, "owner", null)).slug())
        .isEqualTo(RetentionRefusal.TOMBSTONED);
    assertThat(refusal(RetentionRules.setHold(state(), later, "owner", null)).slug())
        .isEqualTo(RetentionRefusal.TOMBSTONED);
  }

  @Test
  void theFoldTakesEventsInAnyOrderButRejectsAHistoryTheRulesCannotProduce() {
    Instant t = CREATED.plusSeconds(1);
    RetentionEvent set = new RetentionEvent(Type.HOLD_SET, KEY, 1, t, "owner", null, null);
    RetentionEvent release = new RetentionEvent(Type.HOLD_RELEASED, KEY, 2, t, "owner", null, null);
    RetentionEvent extend = new RetentionEvent(Type.EXTENDED, KEY, 3, t, "owner", null, DEFAULT_UNTIL.plusSeconds(9));
    RetentionState folded = RetentionState.fold(KEY, CREATED, POLICY, List.of(extend, release, set));
    assertThat(folded.lastSeq()).isEqualTo(3);
    assertThat(folded.legalHold()).isFalse();
    assertThat(folded.retainUntil()).isEqualTo(DEFAULT_UNTIL.plusSeconds(9));

    assertThatThrownBy(() -> RetentionState.fold(KEY, CREATED, POLICY, List.of(set, extend)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("follows event #1");
    RetentionEvent tombstone = new RetentionEvent(Type.TOMBSTONED, KEY, 1, t, "owner", null, null);
    RetentionEvent afterTombstone = new RetentionEvent(Type.HOLD_SET, KEY, 2, t, "owner", null, null);
    assertThatThrownBy(() -> RetentionState.fold(KEY, CREATED, POLICY, List.of(tombstone, afterTombstone)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("follows the tombstone");
    RetentionEvent other = new RetentionEvent(Type.HOLD_SET, "prod-a/report/4", 1, t, "owner", null, null);
    assertThatThrownBy(() -> RetentionState.fold(KEY, CREATED, POLICY, List.of(other)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void eventsRoundTripThroughTheirDocumentWithADeterministicId() {
    RetentionEvent event = new RetentionEvent(Type.EXTENDED, KEY, 7, Instant.parse("2030-05-05T05:05:05.123456Z"),
        "owner", "why", Instant.parse("2040-01-01T00:00:00.999999Z"));
    assertThat(event.at()).as("kept to the millisecond").isEqualTo(Instant.parse("2030-05-05T05:05:05.123Z"));
    assertThat(event.id()).isEqualTo("prod-a/report/3#7");
    assertThat(event.toDocument().getString("type")).isEqualTo("extended");
    assertThat(event.toDocument().getString("retain_until")).isEqualTo("2040-01-01T00:00:00.999Z");
    assertThat(RetentionEvent.fromDocument(event.toDocument())).isEqualTo(event);
    assertThatThrownBy(() -> new RetentionEvent(Type.HOLD_SET, KEY, 1, CREATED, "owner", null, DEFAULT_UNTIL))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetentionEvent(Type.HOLD_SET, KEY, 0, CREATED, "owner", null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
