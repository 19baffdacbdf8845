package dev.bucket.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditEntryTest {

  private static final String PREV = "0".repeat(64);

  private static AuditEntry entry(JsonObject details) {
    return new AuditEntry(7, "2026-11-22T18:00:00.123Z", "alice", "prod-a", "artifact.create", "art-1", 1,
        "sha256:ff", "success", 201, null, "2033-11-20T18:00:00.123Z", details, PREV, null);
  }

  @Test
  void canonicalBytesAreJcsSortedWithoutIdHashesOrNullFields() {
    JsonObject details = new JsonObject().put("z", 1).put("a", new JsonArray().add("x").add(2L)).put("m", true);

    String canonical = new String(entry(details).canonicalBytes(), StandardCharsets.UTF_8);

    assertThat(canonical).isEqualTo("{\"actor\":\"alice\",\"artifact_id\":\"art-1\",\"content_hash\":\"sha256:ff\","
        + "\"details\":{\"a\":[\"x\",2],\"m\":true,\"z\":1},\"index\":7,\"op\":\"artifact.create\","
        + "\"outcome\":\"success\",\"product\":\"prod-a\",\"retention_until\":\"2033-11-20T18:00:00.123Z\","
        + "\"status\":201,\"ts\":\"2026-11-22T18:00:00.123Z\",\"version\":1}");
  }

  @Test
  void canonicalBytesDoNotDependOnFieldInsertionOrder() {
    JsonObject oneOrder = new JsonObject().put("b", "2").put("a", "1");
    JsonObject otherOrder = new JsonObject().put("a", "1").put("b", "2");

    assertThat(entry(oneOrder).canonicalBytes()).isEqualTo(entry(otherOrder).canonicalBytes());
  }

  @Test
  void documentUsesIndexAsIdAndSnakeCaseAndOmitsNulls() {
    JsonObject doc = entry(null).withEntryHash("1".repeat(64)).toDocument();

    assertThat(doc.getLong("_id")).isEqualTo(7L);
    assertThat(doc.fieldNames()).containsExactlyInAnyOrder("_id", "index", "ts", "actor", "product", "op",
        "artifact_id", "version", "content_hash", "outcome", "status", "retention_until", "prev_hash", "entry_hash");
  }

  @Test
  void documentRoundTripReproducesTheEntryAndItsCanonicalBytes() {
    AuditEntry original = entry(new JsonObject().put("k", "v")).withEntryHash("1".repeat(64));

    AuditEntry read = AuditEntry.fromDocument(original.toDocument());

    assertThat(read).isEqualTo(original);
    assertThat(read.canonicalBytes()).isEqualTo(original.canonicalBytes());
  }

  @Test
  void fromDocumentRefusesWhatItCouldNotReproduce() {
    JsonObject doc = entry(null).withEntryHash("1".repeat(64)).toDocument();

    assertThatThrownBy(() -> AuditEntry.fromDocument(doc.copy().put("note", "hidden")))
        .hasMessageContaining("unexpected field 'note'");
    assertThatThrownBy(() -> AuditEntry.fromDocument(doc.copy().put("reason", (String) null)))
        .hasMessageContaining("explicit null");
    assertThatThrownBy(() -> AuditEntry.fromDocument(doc.copy().put("version", 1.0)))
        .hasMessageContaining("version is not an integer");
    assertThatThrownBy(() -> AuditEntry.fromDocument(doc.copy().put("prev_hash", "xyz")))
        .hasMessageContaining("prevHash");
  }

  @Test
  void detailsMayHoldOnlyValuesThatSurviveMongoAndJcsUnchanged() {
    assertThatThrownBy(() -> entry(new JsonObject().put("ratio", 0.5))).hasMessageContaining("Double");
    assertThatThrownBy(() -> entry(new JsonObject().put("at", Instant.EPOCH))).hasMessageContaining("Instant");
    assertThatThrownBy(() -> entry(new JsonObject().put("big", 1L << 53))).hasMessageContaining("2^53");
    assertThatThrownBy(() -> entry(new JsonObject().put("$date", "x"))).hasMessageContaining("$date");
    assertThatThrownBy(() -> entry(new JsonObject().put("a.b", "x"))).hasMessageContaining("a.b");
    assertThatThrownBy(() -> entry(new JsonObject().put("s", "\uD800"))).hasMessageContaining("surrogate");
  }
}
