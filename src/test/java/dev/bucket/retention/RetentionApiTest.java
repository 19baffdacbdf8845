package dev.bucket.retention;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.Eventually;
import dev.bucket.support.MutableClock;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention, legal hold and tombstones through the real API, on a node whose clock the test moves (no sleeping
 * seven years).
 */
@ExtendWith(VertxExtension.class)
class RetentionApiTest {

  static final String P = "/v1/products/Workflow_Engine/artifacts";

  static JsonObject reason(String why) {
    return new JsonObject().put("reason", why);
  }

  @Test
  void retentionOnlyLengthensHoldsBlockTombstonesAndATombstoneKeepsEverythingButTheBytes(Vertx vertx)
      throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    try (TestNode node = TestNode.started(vertx, Map.of(), clock)) {
      Api owner = node.api();
      Api writer = node.integration("Workflow_Engine", "event_history");
      String id = writer.postJson(P, new JsonObject().put("artifact_class", "event_history")
          .put("metadata", new JsonObject().put("workflow_id", "wf-1")).put("data", "events"))
          .bodyAsJsonObject().getString("artifact_id");
      String version = P + "/" + id + "/versions/1";

      JsonObject initial = writer.get(version + "/retention").bodyAsJsonObject();
      Instant retainUntil = Instant.parse(initial.getString("retain_until"));
      assertThat(Duration.between(clock.instant(), retainUntil).toDays()).isBetween(2554L, 2555L);
      assertThat(initial.getBoolean("legal_hold")).isFalse();

      HttpResponse<Buffer> shorter = writer.postJson(version + "/retention", reason("save space")
          .put("retain_until", retainUntil.minus(Duration.ofDays(1)).toString()));
      assertProblem(shorter, 403, "retention-refused");
      assertThat(shorter.bodyAsJsonObject().getString("refusal")).isEqualTo("retention-shortening");
      Instant later = retainUntil.plus(Duration.ofDays(30));
      HttpResponse<Buffer> extended = writer.postJson(version + "/retention", reason("litigation risk")
          .put("retain_until", later.toString()));
      assertThat(extended.statusCode()).as(extended.bodyAsString()).isEqualTo(200);
      assertThat(Instant.parse(extended.bodyAsJsonObject().getString("retain_until"))).isEqualTo(later);

      HttpResponse<Buffer> early = owner.postJson(version + "/tombstone", reason("cleanup"));
      assertProblem(early, 403, "retention-refused");
      assertThat(early.bodyAsJsonObject().getString("refusal")).isEqualTo("retention-active");
      assertProblem(writer.postJson(version + "/legal-hold", reason("mine")), 403, "role-forbidden");
      assertProblem(writer.postJson(version + "/tombstone", reason("mine")), 403, "role-forbidden");
      assertThat(owner.postJson(version + "/legal-hold", reason("case 42")).statusCode()).isEqualTo(200);

      clock.advance(Duration.ofDays(3000));
      HttpResponse<Buffer> held = owner.postJson(version + "/tombstone", reason("retention over"));
      assertProblem(held, 403, "retention-refused");
      assertThat(held.bodyAsJsonObject().getString("refusal")).isEqualTo("legal-hold");
      assertThat(owner.postJson(version + "/legal-hold/release", reason("case closed")).statusCode())
          .isEqualTo(200);
      HttpResponse<Buffer> tombstoned = owner.postJson(version + "/tombstone", reason("retention over"));
      assertThat(tombstoned.statusCode()).as(tombstoned.bodyAsString()).isEqualTo(200);
      assertThat(tombstoned.bodyAsJsonObject().getJsonObject("tombstone").getString("reason"))
          .isEqualTo("retention over");

      HttpResponse<Buffer> gone = writer.get(version);
      assertProblem(gone, 410, "gone");
      assertThat(gone.bodyAsJsonObject().getJsonObject("artifact").getString("content_hash")).startsWith("sha256:");
      assertProblem(writer.get(version + "/payload"), 410, "gone");
      assertProblem(owner.postJson(version + "/tombstone", reason("again")), 403, "retention-refused");

      // The record stays: the log still proves the version, and validation expects its bytes to be gone.
      // A client follows 503 + Retry-After until a signed checkpoint covers the latest entries (within a second).
      HttpResponse<Buffer> evidence = Eventually.poll(() -> writer.get(version + "/evidence"),
          seen -> seen.statusCode() != 503, Duration.ofSeconds(5));
      assertThat(evidence.statusCode()).as(evidence.bodyAsString()).isEqualTo(200);
      JsonObject bundle = evidence.bodyAsJsonObject();
      assertThat(bundle.getJsonObject("retention").getJsonObject("tombstone")).isNotNull();
      JsonObject report = owner.postJson("/audit/validate-immutability/" + id, new JsonObject()).bodyAsJsonObject();
      assertThat(report.getBoolean("valid")).as(report.encodePrettily()).isTrue();
      String trail = owner.get("/audit/artifact/" + id).bodyAsString();
      assertThat(trail).contains("retention.extend", "retention.hold", "retention.release", "retention.tombstone");
    }
  }

  @Test
  void aWriteMayAskForLongerRetentionButNeverShorter(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api writer = node.integration("Gurukul", "lesson_content");
      Instant longer = Instant.now().plus(Duration.ofDays(4000));
      JsonObject created = writer.postJson("/v1/products/Gurukul/artifacts", new JsonObject()
          .put("artifact_class", "lesson_content").put("data", "x")
          .put("metadata", new JsonObject().put("retain_until", longer.toString()))).bodyAsJsonObject();
      JsonObject state = writer.get("/v1/products/Gurukul/artifacts/" + created.getString("artifact_id")
          + "/versions/1/retention").bodyAsJsonObject();
      assertThat(Instant.parse(state.getString("retain_until"))).isEqualTo(longer.truncatedTo(
          java.time.temporal.ChronoUnit.MILLIS));
      assertProblem(writer.postJson("/v1/products/Gurukul/artifacts", new JsonObject()
          .put("artifact_class", "lesson_content").put("data", "x").put("metadata", new JsonObject()
              .put("retain_until", Instant.now().plus(Duration.ofDays(10)).toString()))), 403, "retention-refused");
    }
  }

  @Test
  void aRuleChangeCannotShortenAProductsRetention(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      HttpResponse<Buffer> shorter = node.api().postJson("/governance/rules", new JsonObject().put("products",
          new JsonObject().put("Gurukul", new JsonObject().put("min_retention_days", 30))));
      assertProblem(shorter, 400, "invalid-request");
      HttpResponse<Buffer> longer = node.api().postJson("/governance/rules", new JsonObject().put("products",
          new JsonObject().put("Gurukul", new JsonObject().put("min_retention_days", 400))));
      assertThat(longer.statusCode()).as(longer.bodyAsString()).isEqualTo(200);
      assertThat(longer.bodyAsJsonObject().getInteger("rules_version")).isEqualTo(2);
    }
  }
}
