package dev.bucket.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.audit.AuditEntry;
import dev.bucket.storage.Batch;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import dev.bucket.support.Api;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Someone with write access to the store edits or drops audit entries; validation names the entry. */
@ExtendWith(VertxExtension.class)
class AuditTamperingTest {

  static final String P = "/v1/products/Enforcement_Engine/artifacts";

  @Test
  void anEditedOrDroppedAuditEntryIsNamedByItsIndex(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api api = node.api();
      Api writer = node.integration("Enforcement_Engine", "decision_record");
      long createIndex = writer.postJson(P, new JsonObject().put("artifact_class", "decision_record")
          .put("artifact_id", "ruling-1").put("data", new JsonObject().put("outcome", "guilty")))
          .bodyAsJsonObject().getLong("audit_index");
      writer.get(P + "/ruling-1");
      long secondIndex = writer.postJson(P, new JsonObject().put("artifact_class", "decision_record")
          .put("artifact_id", "ruling-2").put("data", new JsonObject().put("outcome", "innocent")))
          .bodyAsJsonObject().getLong("audit_index");
      assertThat(validate(api, "ruling-1").getBoolean("valid")).isTrue();

      Store store = node.node().store();
      JsonObject entry = store.get(Space.AUDIT, AuditEntry.key(createIndex)).await();
      store.commit(new Batch().put(Space.AUDIT, AuditEntry.key(createIndex), entry.put("actor", "someone-else")))
          .await();
      JsonObject edited = validate(api, "ruling-1");
      assertThat(edited.getBoolean("valid")).isFalse();
      assertThat(edited.getJsonObject("audit_chain").getLong("first_bad_index")).isEqualTo(createIndex);
      assertThat(edited.getJsonObject("audit_chain").getString("problem")).isEqualTo("entry_hash_mismatch");
      JsonObject verify = api.get("/audit/verify").bodyAsJsonObject();
      assertThat(verify.getBoolean("ok")).isFalse();
      assertThat(verify.getLong("first_bad_index")).isEqualTo(createIndex);

      long dropped = secondIndex; // a durable commit entry, so nothing rewrites it after the removal
      store.commit(new Batch().delete(Space.AUDIT, AuditEntry.key(dropped))).await();
      JsonObject gap = api.get("/audit/verify?from=" + dropped).bodyAsJsonObject();
      assertThat(gap.getBoolean("ok")).isFalse();
      assertThat(gap.getLong("first_bad_index")).isEqualTo(dropped);
      assertThat(gap.getString("problem")).isEqualTo("gap");
    }
  }

  private static JsonObject validate(Api api, String artifactId) {
    return api.send(HttpMethod.POST, "/audit/validate-immutability/" + artifactId, Map.of(), null)
        .bodyAsJsonObject();
  }
}
