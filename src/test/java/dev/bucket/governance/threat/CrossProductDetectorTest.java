package dev.bucket.governance.threat;

import dev.bucket.governance.OpType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.bucket.governance.threat.Fixtures.AVATAR;
import static dev.bucket.governance.threat.Fixtures.EXECUTOR;
import static dev.bucket.governance.threat.Fixtures.PRODUCT;
import static dev.bucket.governance.threat.Fixtures.create;
import static dev.bucket.governance.threat.Fixtures.withMetadata;
import static org.assertj.core.api.Assertions.assertThat;

class CrossProductDetectorTest {

  private final CrossProductDetector detector = new CrossProductDetector();

  @Test
  void t7FlagsAProductFieldNamingAnotherProductAnywhereInMetadataOrData() {
    WriteInspection write = create().metadata(new JsonObject().put("product_id", "Gurukul"))
        .data(new JsonObject().put("items", new JsonArray().add(new JsonObject().put("Product_Name", "AI Avatar"))))
        .build();

    List<Finding> findings = detector.inspect(write);

    assertThat(findings).extracting(Finding::path)
        .containsExactly("$.metadata.product_id", "$.data.items[0].Product_Name");
    assertThat(findings).allSatisfy(f -> {
      assertThat(f.pattern()).isEqualTo("foreign_product_claim");
      assertThat(f.severity()).isEqualTo(Severity.HIGH);
    });
  }

  @Test
  void t7FlagsAnIntegrationWritingToAnotherProduct() {
    WriteInspection write = WriteInspection.write(AVATAR, PRODUCT, "conversation", OpType.CREATE).build();

    assertThat(detector.inspect(write)).singleElement().satisfies(f -> {
      assertThat(f.pattern()).isEqualTo("foreign_principal");
      assertThat(f.detail()).contains("AI_Avatar").contains(PRODUCT);
    });
  }

  @Test
  void t7AcceptsProductFieldsNamingTheSameProductInAnySpelling() {
    JsonObject metadata = new JsonObject().put("product", "AI_Assistant").put("origin", new JsonObject()
        .put("product_name", "AI Assistant").put("product_id", "ai-assistant")).put("product_count", 3);

    assertThat(detector.inspect(withMetadata(metadata))).isEmpty();
  }

  @Test
  void t7IgnoresGovernanceRequests() {
    assertThat(detector.inspect(WriteInspection.governance(EXECUTOR, PRODUCT, "integration.approve",
        new JsonObject().put("product_id", "Gurukul")).build())).isEmpty();
  }
}
