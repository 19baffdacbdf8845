package dev.bucket.governance.threat;

import dev.bucket.governance.OpType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static dev.bucket.governance.threat.Fixtures.ASSISTANT;
import static dev.bucket.governance.threat.Fixtures.PRODUCT;
import static dev.bucket.governance.threat.Fixtures.create;
import static dev.bucket.governance.threat.Fixtures.withMetadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WriteInspectionTest {

  @Test
  void productClaimsAreFoundAtAnyDepthOfMetadataAndDataWithTheirPaths() {
    WriteInspection write = create().metadata(new JsonObject().put("product_id", "Gurukul").put("n", 1))
        .data(new JsonArray().add(new JsonObject().put("PRODUCT", "Workflow").put("product", 7))).build();

    assertThat(write.productClaims()).containsExactly(
        new WriteInspection.ProductClaim("$.metadata.product_id", "Gurukul"),
        new WriteInspection.ProductClaim("$.data[0].PRODUCT", "Workflow"));
  }

  @Test
  void provenanceIsTheMetadataProvenanceFieldWhateverItsType() {
    JsonObject signed = new JsonObject().put("signature", "c2ln").put("key_id", "k1");

    assertThat(withMetadata(new JsonObject()).provenance()).isNull();
    assertThat(withMetadata(new JsonObject().put("provenance", signed)).provenance())
        .satisfies(p -> {
          assertThat(p.signature()).isEqualTo("c2ln");
          assertThat(p.keyId()).isEqualTo("k1");
        });
    assertThat(withMetadata(new JsonObject().put("provenance", 42)).provenance().signature()).isNull();
  }

  @Test
  void anInspectionIsEitherAWriteOrAGovernanceRequest() {
    WriteInspection write = WriteInspection.write(ASSISTANT, PRODUCT, "conversation", OpType.CREATE).build();

    assertThat(write.isWrite()).isTrue();
    assertThat(write.metadata()).isEqualTo(new JsonObject());
    assertThat(write.declaredSize()).isNegative();
    assertThatThrownBy(() -> new WriteInspection(ASSISTANT, PRODUCT, null, null, null, null, -1, null, null, null,
        null)).isInstanceOf(IllegalArgumentException.class);
  }
}
