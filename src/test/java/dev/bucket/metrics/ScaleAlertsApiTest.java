package dev.bucket.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.Eventually;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Storage and artifact ceilings, the scale alerts and the governance view of them through real HTTP, on a node with
 * tiny limits: 20 000 payload bytes, 5 artifact versions, 3 per product, 5 products (exactly the governed ones),
 * alerts at 50, 80 and 100 %, and a public /metrics.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleAlertsApiTest {

  static final String ASSISTANT = "/v1/products/AI_Assistant/artifacts";
  static final String WORKFLOW = "/v1/products/Workflow_Engine/artifacts";

  TestNode node;
  Api owner;
  Api assistant;
  Api workflow;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of("max_storage_bytes", "20000", "max_artifacts", "5",
        "max_artifacts_per_product", "3", "max_products", "5", "alert_thresholds", "50,80,100",
        "metrics_public", "true"));
    owner = node.api();
    assistant = node.integration("AI_Assistant", "metadata");
    workflow = node.integration("Workflow_Engine", "event_history");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  static JsonObject write(String artifactClass, Object data) {
    return new JsonObject().put("artifact_class", artifactClass)
        .put("metadata", new JsonObject().put("source", "scale-test")).put("data", data);
  }

  static void assertFull(HttpResponse<Buffer> response, String limit) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(507);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo("urn:bucket:problem:capacity-exceeded");
    assertThat(problem.getString("limit")).isEqualTo(limit);
    assertThat(problem.getString("detail")).contains(limit);
  }

  @Test
  @Order(1)
  void metricsArePublicWhenConfiguredButTheMonitoringApiIsNot() {
    Api anonymous = node.client(null);
    HttpResponse<Buffer> scraped = anonymous.get("/metrics");
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.bodyAsString()).contains("bucket_storage_capacity_bytes 20000.0")
        .contains("bucket_artifacts_capacity 5.0");
    assertThat(anonymous.get("/metrics/scale-status").statusCode()).isEqualTo(401);
    assertThat(anonymous.get("/governance/scale/certification").statusCode()).isEqualTo(401);
  }

  @Test
  @Order(2)
  void maxProductsBoundsTheRulesAChangeAddingASixthProductIsRefused() {
    HttpResponse<Buffer> refused = owner.postJson("/governance/rules", new JsonObject().put("products",
        new JsonObject().put("Sixth_Product", new JsonObject().put("description", "one too many")
            .put("allowed_classes", new JsonArray().add("metadata")).put("forbidden_classes", new JsonArray())
            .put("default_retention_days", 30).put("min_retention_days", 30).put("quota_bytes", 1000)
            .put("max_artifacts", 10))));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(400);
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("max_products");
    JsonObject products = owner.get("/governance/scale/proximity/max_products").bodyAsJsonObject();
    assertThat(products.getInteger("current")).isEqualTo(5);
    assertThat(products.getString("status")).isEqualTo("critical");
  }

  @Test
  @Order(3)
  void aWriteLargerThanTheStorageLeftIsRefusedBeforeItsBodyIsRead() {
    HttpResponse<Buffer> tooBig = assistant.postJson(ASSISTANT, write("metadata",
        new JsonObject().put("blob", "x".repeat(30_000))));
    assertFull(tooBig, "max_storage_bytes");
    JsonObject storage = owner.get("/metrics/storage-capacity").bodyAsJsonObject();
    assertThat(storage.getLong("bytes_used")).isZero();
    assertThat(storage.getLong("max_storage_bytes")).isEqualTo(20_000);
  }

  @Test
  @Order(4)
  void artifactCeilingsPerProductAndInTotalRefuseFurtherWrites() {
    for (int i = 0; i < 3; i++) {
      assertThat(assistant.postJson(ASSISTANT, write("metadata", new JsonObject().put("i", i))).statusCode())
          .isEqualTo(201);
    }
    assertFull(assistant.postJson(ASSISTANT, write("metadata", new JsonObject().put("i", 3))),
        "max_artifacts_per_product");
    for (int i = 0; i < 2; i++) {
      assertThat(workflow.postJson(WORKFLOW, write("event_history", new JsonObject().put("i", i))).statusCode())
          .isEqualTo(201);
    }
    assertFull(workflow.postJson(WORKFLOW, write("event_history", new JsonObject().put("i", 2))), "max_artifacts");
    // Reads are not capped by storage.
    JsonObject storage = owner.get("/metrics/storage-capacity").bodyAsJsonObject();
    assertThat(storage.getLong("artifacts")).isEqualTo(5);
    assertThat(storage.getJsonObject("products").getJsonObject("AI_Assistant").getLong("artifacts")).isEqualTo(3);
    assertThat(storage.getString("status")).isEqualTo("critical");
    // Refusals by capacity are audited one by one (they are rare and not load shedding); refusals are appended
    // without waiting for durability, so the newest may need a group commit to show.
    assertThat(Eventually.poll(() -> owner.get("/audit/failed?limit=1000").bodyAsJsonObject().getJsonArray("entries")
        .stream().map(JsonObject.class::cast).filter(e -> "capacity-exceeded".equals(e.getString("reason"))).count(),
        n -> n >= 3, Duration.ofSeconds(5))).isEqualTo(3);
  }

  @Test
  @Order(5)
  void alertsFireAtTheirThresholdsAndEachFiringIsAnAuditEntry() throws Exception {
    JsonArray active = Eventually.poll(() -> owner.get("/metrics/alerts").bodyAsJsonObject().getJsonArray("active"),
        a -> a.stream().map(JsonObject.class::cast).filter(x -> x.getInteger("level_percent") == 100)
            .map(x -> x.getString("limit")).toList().containsAll(List.of("max_artifacts",
                "max_artifacts_per_product", "max_products")), Duration.ofSeconds(10));
    assertThat(active.stream().map(JsonObject.class::cast).filter(x -> x.getInteger("level_percent") == 100))
        .extracting(x -> x.getString("limit"))
        .contains("max_artifacts", "max_artifacts_per_product", "max_products");
    JsonObject perProduct = active.stream().map(JsonObject.class::cast)
        .filter(x -> "max_artifacts_per_product".equals(x.getString("limit"))).findFirst().orElseThrow();
    assertThat(perProduct.getString("severity")).isEqualTo("critical");
    assertThat(perProduct.getString("subject")).isEqualTo("AI_Assistant");

    JsonArray events = owner.get("/metrics/alert-history?limit=1000").bodyAsJsonObject().getJsonArray("events");
    assertThat(events.stream().map(JsonObject.class::cast).filter(e -> "firing".equals(e.getString("state"))))
        .extracting(e -> e.getString("limit") + "@" + e.getInteger("threshold_percent"))
        .contains("max_artifacts_per_product@100", "max_artifacts@100", "max_products@100");

    List<JsonObject> audited = Eventually.poll(() -> owner.get("/audit/user/gateway?limit=1000")
            .bodyAsJsonObject().getJsonArray("entries").stream().map(JsonObject.class::cast)
            .filter(e -> "scale.alert".equals(e.getString("op"))).toList(),
        list -> list.stream().anyMatch(e -> "max_artifacts".equals(e.getJsonObject("details").getString("limit"))
            && e.getJsonObject("details").getInteger("threshold_percent") == 100), Duration.ofSeconds(10));
    long firings = events.stream().map(JsonObject.class::cast).filter(e -> "firing".equals(e.getString("state")))
        .count();
    assertThat(audited.stream().filter(e -> "firing".equals(e.getJsonObject("details").getString("state"))).count())
        .isEqualTo(firings);
    assertThat(audited).anySatisfy(e -> {
      assertThat(e.getString("product")).isEqualTo("AI_Assistant");
      assertThat(e.getJsonObject("details").getString("limit")).isEqualTo("max_artifacts_per_product");
      assertThat(e.getJsonObject("details").getString("severity")).isEqualTo("critical");
      assertThat(e.getJsonObject("details").getLong("max")).isEqualTo(3);
    });
  }

  @Test
  @Order(6)
  void theGovernanceViewIsComputedFromTheLiveLimits() {
    JsonObject proximity = owner.get("/governance/scale/proximity/max_artifacts").bodyAsJsonObject();
    assertThat(proximity.getInteger("current")).isEqualTo(5);
    assertThat(proximity.getInteger("max")).isEqualTo(5);
    assertThat(proximity.getDouble("utilisation_percent")).isEqualTo(100.0);
    assertThat(proximity.getString("status")).isEqualTo("critical");
    assertThat(proximity.getJsonArray("thresholds")).hasSize(3);
    assertThat(owner.get("/governance/scale/proximity/max_widgets").statusCode()).isEqualTo(404);

    JsonObject storage = owner.get("/governance/scale/proximity/max_storage_bytes").bodyAsJsonObject();
    assertThat(storage.getString("status")).isEqualTo("ok");

    JsonObject thresholds = owner.get("/governance/scale/thresholds").bodyAsJsonObject();
    assertThat(thresholds.getJsonArray("alert_thresholds_percent")).containsExactly(50, 80, 100);
    assertThat(thresholds.getJsonObject("limits").getJsonObject("max_storage_bytes").getJsonObject("fires_at")
        .getInteger("50")).isEqualTo(10_000);

    JsonObject certification = owner.get("/governance/scale/certification").bodyAsJsonObject();
    assertThat(certification.getString("certification")).isEqualTo("not_certified");
    assertThat(certification.getJsonArray("failed_checks")).contains("capacity_headroom",
        "no_critical_capacity_alerts");
    assertThat(certification.getJsonObject("checks").getJsonObject("ceilings_held").getBoolean("ok")).isTrue();
    assertThat(certification.getJsonObject("checks").getJsonObject("audit_chain").getBoolean("ok")).isTrue();

    JsonObject status = owner.get("/metrics/scale-status").bodyAsJsonObject();
    assertThat(status.getString("status")).isEqualTo("critical");
    assertThat(status.getInteger("active_alerts")).isGreaterThanOrEqualTo(3);
  }
}
