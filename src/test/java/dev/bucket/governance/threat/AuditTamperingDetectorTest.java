package dev.bucket.governance.threat;

import dev.bucket.audit.ChainReport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuditTamperingDetectorTest {

  private final AuditTamperingDetector detector = new AuditTamperingDetector();

  @Test
  void t8FlagsABrokenChainAsCriticalNamingTheFirstBadEntry() {
    ChainReport report = ChainReport.bad(41, 41L, "entry_hash_mismatch", "entry 41 was edited after it was written");

    assertThat(detector.inspect(ChainStatus.of(report))).hasValueSatisfying(f -> {
      assertThat(f.threat()).isEqualTo(Threat.T8);
      assertThat(f.pattern()).isEqualTo("broken_chain");
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.detail()).contains("entry 41").contains("edited");
    });
  }

  @Test
  void t8AcceptsAnIntactChain() {
    assertThat(detector.inspect(ChainStatus.of(ChainReport.ok(1_000)))).isEmpty();
  }
}
