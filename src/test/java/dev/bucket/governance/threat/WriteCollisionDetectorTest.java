package dev.bucket.governance.threat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WriteCollisionDetectorTest {

  private final WriteCollisionDetector detector = new WriteCollisionDetector();

  @Test
  void t4FlagsTheSixthStaleConflictOnOneArtifactWithinTenSeconds() {
    for (int i = 0; i < 5; i++) {
      assertThat(detector.recordConflict("AI_Assistant", "greeting", 1_000 + i * 1_000L)).isEmpty();
    }

    assertThat(detector.recordConflict("AI_Assistant", "greeting", 9_000)).hasValueSatisfying(f -> {
      assertThat(f.threat()).isEqualTo(Threat.T4);
      assertThat(f.pattern()).isEqualTo("write_contention");
      assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
      assertThat(f.blocking()).isFalse();
      assertThat(f.detail()).contains("greeting").contains("AI_Assistant").contains("10 s");
    });
  }

  @Test
  void t4IgnoresConflictsSpreadBeyondTheWindow() {
    for (int i = 0; i < 12; i++) {
      assertThat(detector.recordConflict("AI_Assistant", "greeting", i * 2_500L)).isEmpty();
    }
  }

  @Test
  void t4CountsEachArtifactSeparately() {
    for (int i = 0; i < 5; i++) {
      detector.recordConflict("AI_Assistant", "a", i);
      detector.recordConflict("AI_Assistant", "b", i);
      detector.recordConflict("AI_Avatar", "a", i);
    }

    assertThat(detector.recordConflict("AI_Avatar", "c", 10)).isEmpty();
    assertThat(detector.recordConflict("AI_Assistant", "a", 10)).isPresent();
  }

  @Test
  void t4HonoursAConfiguredLimitAndWindow() {
    WriteCollisionDetector strict = new WriteCollisionDetector(1, Duration.ofMillis(100));

    assertThat(strict.recordConflict("p", "a", 0)).isEmpty();
    assertThat(strict.recordConflict("p", "a", 50)).isPresent();
    assertThat(strict.recordConflict("p", "a", 200)).isEmpty();
  }
}
