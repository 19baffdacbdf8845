package dev.bucket.governance.threat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LockPolicyTest {

  private static final String PRINCIPAL = "int-assistant";
  private static final Finding CREDENTIAL = new Finding(Threat.T2, "cloud_access_key", Severity.CRITICAL,
      "$.metadata.key", "a value matching credential pattern cloud_access_key at $.metadata.key");
  private static final Finding UNKNOWN_FIELD = new Finding(Threat.T3, "unknown_metadata_field", Severity.HIGH,
      "$.metadata.x", "field $.metadata.x is not in the active schema");
  private static final Finding UNSIGNED = new Finding(Threat.T10, "unsigned_provenance", Severity.MEDIUM,
      "$.metadata.provenance", "provenance unverified");
  private static final long MINUTE = 60_000;

  private final LockPolicy policy = new LockPolicy();

  @Test
  void anyCriticalFindingSuspendsAtOnce() {
    LockDecision decision = policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD, CREDENTIAL), 0);

    assertThat(decision.suspends()).isTrue();
    assertThat(decision.principalId()).isEqualTo(PRINCIPAL);
    assertThat(decision.cause()).containsExactly(CREDENTIAL);
    assertThat(decision.reason()).contains("T2/cloud_access_key");
  }

  @Test
  void theFifthBlockedRequestWithinTenMinutesSuspends() {
    for (int i = 0; i < 4; i++) {
      assertThat(policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), i * MINUTE).action())
          .isEqualTo(LockDecision.Action.NONE);
    }

    LockDecision fifth = policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), 9 * MINUTE);

    assertThat(fifth.suspends()).isTrue();
    assertThat(fifth.reason()).contains("5").contains("10 min");
    assertThat(fifth.cause()).containsExactly(UNKNOWN_FIELD);
  }

  @Test
  void aRequestCountsOnceHoweverManyFindingsItHas() {
    List<Finding> many = List.of(UNKNOWN_FIELD, UNKNOWN_FIELD, UNKNOWN_FIELD, UNKNOWN_FIELD, UNKNOWN_FIELD);

    assertThat(policy.record(PRINCIPAL, many, 0).suspends()).isFalse();
  }

  @Test
  void violationsOlderThanTheWindowNoLongerCount() {
    for (int i = 0; i < 4; i++) {
      policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), i * MINUTE);
    }

    // The first violation (at 0) is exactly one window old by now, so only four remain inside it.
    assertThat(policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), 10 * MINUTE).suspends()).isFalse();
    assertThat(policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), 10 * MINUTE + 1).suspends()).isTrue();
  }

  @Test
  void mediumFindingsAndCleanRequestsNeverCount() {
    for (int i = 0; i < 20; i++) {
      assertThat(policy.record(PRINCIPAL, List.of(UNSIGNED), i).suspends()).isFalse();
      assertThat(policy.record(PRINCIPAL, List.of(), i).suspends()).isFalse();
    }
  }

  @Test
  void releaseStartsThePrincipalAgainFromZero() {
    for (int i = 0; i < 4; i++) {
      policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), i);
    }

    policy.release(PRINCIPAL);

    for (int i = 0; i < 4; i++) {
      assertThat(policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), 10 + i).suspends()).isFalse();
    }
    assertThat(policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), 20).suspends()).isTrue();
  }

  @Test
  void violationsAtWallClockTimesExpireLikeAnyOthers() {
    long now = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
    for (int i = 0; i < 4; i++) {
      assertThat(policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), now + i * MINUTE).suspends()).isFalse();
    }

    assertThat(policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), now + 30 * MINUTE).suspends()).isFalse();
    assertThat(policy.record(PRINCIPAL, List.of(UNKNOWN_FIELD), now + 31 * MINUTE).suspends()).isFalse();
  }

  @Test
  void principalsAreCountedSeparatelyAndTheThresholdAndWindowAreConfigurable() {
    LockPolicy strict = new LockPolicy(2, Duration.ofSeconds(30));

    assertThat(strict.record("int-a", List.of(UNKNOWN_FIELD), 0).suspends()).isFalse();
    assertThat(strict.record("int-b", List.of(UNKNOWN_FIELD), 1_000).suspends()).isFalse();
    assertThat(strict.record("int-a", List.of(UNKNOWN_FIELD), 40_000).suspends()).isFalse();
    LockDecision second = strict.record("int-a", List.of(UNKNOWN_FIELD), 50_000);
    assertThat(second.suspends()).isTrue();
    assertThat(second.reason()).contains("30 s");
  }
}
