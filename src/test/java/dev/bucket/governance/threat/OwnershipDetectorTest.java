package dev.bucket.governance.threat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.bucket.governance.threat.Fixtures.EXECUTOR;
import static dev.bucket.governance.threat.Fixtures.withMetadata;
import static org.assertj.core.api.Assertions.assertThat;

class OwnershipDetectorTest {

  private final OwnershipDetector detector = new OwnershipDetector();

  @Test
  void t9FlagsAnIntegrationApprovalWithoutADataOwner() {
    JsonObject noOwner = new JsonObject().put("integration_id", "int-new")
        .put("data_schema", new JsonObject().put("fields", new JsonObject()));
    JsonObject blankOwner = new JsonObject().put("data_schema", new JsonObject().put("data_owner", "  "));

    List<Finding> findings = detector.inspect(approval(noOwner));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.pattern()).isEqualTo("missing_data_owner");
      assertThat(f.severity()).isEqualTo(Severity.HIGH);
      assertThat(f.path()).isEqualTo("$.data_schema.data_owner");
    });
    assertThat(detector.inspect(approval(blankOwner))).hasSize(1);
    assertThat(detector.inspect(approval(new JsonObject()))).hasSize(1);
  }

  @Test
  void t9AcceptsAnIntegrationApprovalNamingItsDataOwner() {
    JsonObject body = new JsonObject().put("data_schema", new JsonObject().put("data_owner", "legal-entity-42"));

    assertThat(detector.inspect(approval(body))).isEmpty();
  }

  @Test
  void t9FlagsMetadataClaimingAnotherOwnerOrCreator() {
    List<Finding> findings = detector.inspect(withMetadata(new JsonObject().put("owner", "int-avatar")
        .put("created_by", 7)));

    assertThat(findings).extracting(Finding::path).containsExactlyInAnyOrder("$.metadata.owner",
        "$.metadata.created_by");
    assertThat(findings).allSatisfy(f -> assertThat(f.pattern()).isEqualTo("ownership_claim_mismatch"));
  }

  @Test
  void t9AcceptsMetadataNamingTheWritingPrincipal() {
    assertThat(detector.inspect(withMetadata(new JsonObject().put("owner", "int-assistant")
        .put("created_by", "int-assistant")))).isEmpty();
  }

  private static WriteInspection approval(JsonObject body) {
    return WriteInspection.governance(EXECUTOR, null, OwnershipDetector.APPROVE_INTEGRATION, body).build();
  }
}
