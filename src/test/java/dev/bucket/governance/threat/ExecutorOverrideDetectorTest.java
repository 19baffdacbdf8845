package dev.bucket.governance.threat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.bucket.governance.threat.Fixtures.ASSISTANT;
import static dev.bucket.governance.threat.Fixtures.EXECUTOR;
import static dev.bucket.governance.threat.Fixtures.OWNER;
import static dev.bucket.governance.threat.Fixtures.patterns;
import static dev.bucket.governance.threat.Fixtures.withMetadata;
import static org.assertj.core.api.Assertions.assertThat;

class ExecutorOverrideDetectorTest {

  private final ExecutorOverrideDetector detector = new ExecutorOverrideDetector();

  @Test
  void t5FlagsReservedFieldsInMetadataAsBlocking() {
    List<Finding> findings = detector.inspect(withMetadata(new JsonObject().put("created_by", "someone-else")
        .put("Content_Hash", "00ff").put("legal_hold", false).put("lang", "en")));

    assertThat(findings).extracting(Finding::path)
        .containsExactly("$.metadata.created_by", "$.metadata.Content_Hash", "$.metadata.legal_hold");
    assertThat(findings).allSatisfy(f -> {
      assertThat(f.pattern()).isEqualTo("reserved_field");
      assertThat(f.severity()).isEqualTo(Severity.HIGH);
    });
  }

  @Test
  void t5AcceptsReservedNamesNestedInsideOrdinaryMetadata() {
    assertThat(detector.inspect(withMetadata(new JsonObject().put("model", new JsonObject().put("version", "1.2"))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "system"))
            .add(new JsonObject().put("role", "assistant")))))).isEmpty();
  }

  @Test
  void t5FlagsARoleFieldNamingAPrivilegedRoleAsCritical() {
    List<Finding> findings = detector.inspect(withMetadata(new JsonObject()
        .put("session", new JsonObject().put("role", " Owner "))));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.pattern()).isEqualTo("role_escalation");
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.path()).isEqualTo("$.metadata.session.role");
    });
  }

  @Test
  void t5FlagsAnOwnerOnlyActionByAnyoneButTheOwner() {
    assertThat(detector.ownerOnlyAttempt(EXECUTOR, "suspension.lift")).hasValueSatisfying(f -> {
      assertThat(f.pattern()).isEqualTo("owner_only_action");
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.detail()).contains("executor-1").contains("suspension.lift");
    });
    assertThat(detector.ownerOnlyAttempt(ASSISTANT, "schema.approve")).isPresent();
  }

  @Test
  void t5AcceptsOwnerOnlyActionsByTheOwnerAndOtherActionsByAnyone() {
    assertThat(detector.ownerOnlyAttempt(OWNER, "legal_hold.set")).isEmpty();
    assertThat(detector.ownerOnlyAttempt(EXECUTOR, "integration.approve")).isEmpty();
  }

  @Test
  void t5FlagsAGovernanceRequestFromANonOwnerThatSetsAuthorityFieldsOrRoles() {
    JsonObject body = new JsonObject().put("integration_id", "int-new").put("product_id", "AI_Assistant")
        .put("approved_by", "owner-1").put("grant", new JsonObject().put("role", "owner"));

    List<Finding> findings = detector.inspect(WriteInspection.governance(EXECUTOR, null, "legal_hold.set", body)
        .build());

    assertThat(patterns(findings)).containsExactly("owner_only_action", "reserved_field", "role_escalation");
    assertThat(findings).allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.CRITICAL));
    assertThat(findings).extracting(Finding::path).containsExactly(null, "$.approved_by", "$.grant.role");
  }

  @Test
  void t5AcceptsTheOwnersGovernanceRequestsAndAnExecutorNamingItsOwnRole() {
    JsonObject ownerBody = new JsonObject().put("legal_hold", true).put("role", "executor");
    JsonObject executorBody = new JsonObject().put("product_id", "AI_Assistant").put("version", 2)
        .put("reviewer", new JsonObject().put("role", "executor"));

    assertThat(detector.inspect(WriteInspection.governance(OWNER, null, "legal_hold.set", ownerBody).build()))
        .isEmpty();
    assertThat(detector.inspect(WriteInspection.governance(EXECUTOR, null, "integration.approve", executorBody)
        .build())).isEmpty();
  }
}
