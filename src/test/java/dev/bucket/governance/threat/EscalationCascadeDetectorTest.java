package dev.bucket.governance.threat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EscalationCascadeDetectorTest {

  private final EscalationCascadeDetector detector = new EscalationCascadeDetector();

  @Test
  void t6FlagsThe21stRefusalOfOnePrincipalWithinAMinute() {
    for (int i = 0; i < 20; i++) {
      assertThat(detector.recordRefusal("int-assistant", i * 1_000L)).isEmpty();
    }

    assertThat(detector.recordRefusal("int-assistant", 30_000)).hasValueSatisfying(f -> {
      assertThat(f.threat()).isEqualTo(Threat.T6);
      assertThat(f.pattern()).isEqualTo("refusal_storm");
      assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
      assertThat(f.blocking()).isFalse();
      assertThat(f.detail()).contains("int-assistant");
    });
  }

  @Test
  void t6IgnoresRefusalsSpreadOverMoreThanTheWindow() {
    for (int i = 0; i < 40; i++) {
      assertThat(detector.recordRefusal("int-assistant", i * 3_001L)).isEmpty();
    }
  }

  @Test
  void t6CountsEachPrincipalSeparately() {
    for (int i = 0; i < 20; i++) {
      detector.recordRefusal("int-assistant", i);
    }

    assertThat(detector.recordRefusal("int-avatar", 25)).isEmpty();
    assertThat(detector.recordRefusal("int-assistant", 25)).isPresent();
  }
}
