package dev.bucket.governance.threat;

import dev.bucket.governance.OpType;
import dev.bucket.governance.threat.WriteInspection.ProductUsage;
import dev.bucket.governance.threat.WriteInspection.Quota;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.bucket.governance.threat.Fixtures.ASSISTANT;
import static dev.bucket.governance.threat.Fixtures.PRODUCT;
import static dev.bucket.governance.threat.Fixtures.create;
import static dev.bucket.governance.threat.Fixtures.patterns;
import static org.assertj.core.api.Assertions.assertThat;

class StorageExhaustionDetectorTest {

  private static final Quota QUOTA = new Quota(1_000, 10, 100);
  private final StorageExhaustionDetector detector = new StorageExhaustionDetector();

  @Test
  void t1FlagsDeclaredSizeAboveThePerArtifactLimit() {
    List<Finding> findings = detector.inspect(create().quota(QUOTA).declaredSize(101).build());

    assertThat(patterns(findings)).containsExactly("artifact_too_large");
    assertThat(findings.get(0).severity()).isEqualTo(Severity.HIGH);
    assertThat(findings.get(0).blocking()).isTrue();
  }

  @Test
  void t1FlagsAWriteThatWouldPassTheProductsByteQuota() {
    List<Finding> findings = detector.inspect(create().quota(QUOTA).usage(new ProductUsage(950, 3))
        .declaredSize(60).build());

    assertThat(patterns(findings)).containsExactly("product_bytes_quota");
    assertThat(findings.get(0).detail()).contains("950").contains("1000");
  }

  @Test
  void t1FlagsACreateBeyondTheProductsArtifactQuota() {
    List<Finding> findings = detector.inspect(create().quota(QUOTA).usage(new ProductUsage(0, 10))
        .declaredSize(1).build());

    assertThat(patterns(findings)).containsExactly("product_artifact_quota");
  }

  @Test
  void t1AcceptsAWriteWithinEveryLimit() {
    assertThat(detector.inspect(create().quota(QUOTA).usage(new ProductUsage(900, 9)).declaredSize(100).build()))
        .isEmpty();
  }

  @Test
  void t1CountsANewVersionAgainstBytesButNotAgainstTheArtifactQuota() {
    WriteInspection version = WriteInspection.write(ASSISTANT, PRODUCT, "conversation", OpType.UPDATE)
        .quota(QUOTA).usage(new ProductUsage(10, 10)).declaredSize(5).build();

    assertThat(detector.inspect(version)).isEmpty();
  }

  @Test
  void t1DoesNotOverflowOnAnUnlimitedQuota() {
    Quota unlimited = new Quota(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    assertThat(detector.inspect(create().quota(unlimited).usage(new ProductUsage(Long.MAX_VALUE - 1, 0))
        .declaredSize(1).build())).isEmpty();
  }

  @Test
  void t1JudgesNothingWithoutAQuota() {
    assertThat(detector.inspect(create().declaredSize(Long.MAX_VALUE).build())).isEmpty();
  }
}
