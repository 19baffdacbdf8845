package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.PacedLoad;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway ceilings through real HTTP on a node with low ceilings (20 writes/s, 50 reads/s; bursts rate/20, so
 * 1 and 2; 50 ms maximum delay): load offered at three times a ceiling is admitted at the ceiling and the rest is
 * answered 429 with the rate-limit headers and a problem body, shed requests are audited as per-second summaries
 * only, and /metrics shows it all. Fair shares: {@link FairShareApiTest}.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CeilingsApiTest {

  static final int WRITES = 20;
  static final int READS = 50;
  static final Duration OFFERED = Duration.ofSeconds(3);
  static final Duration DRAIN = Duration.ofSeconds(20);
  static final String ASSISTANT = "/v1/products/AI_Assistant/artifacts";
  static final String WORKFLOW = "/v1/products/Workflow_Engine/artifacts";

  TestNode node;
  Api owner;
  Api assistant;
  Api workflow;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of("max_writes_per_second", Integer.toString(WRITES),
        "max_reads_per_second", Integer.toString(READS)));
    owner = node.api();
    assistant = node.integration("AI_Assistant", "metadata");
    workflow = node.integration("Workflow_Engine", "event_history");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  /** Every test starts from full buckets and no active product (idle for longer than the 1 s activity window). */
  @BeforeEach
  void quiet() throws InterruptedException {
    Thread.sleep(1_200);
  }

  static JsonObject write(String artifactClass, int n) {
    return new JsonObject().put("artifact_class", artifactClass)
        .put("metadata", new JsonObject().put("source", "ceilings-test"))
        .put("data", new JsonObject().put("n", n).put("at", System.nanoTime()));
  }

  static void assertRateLimited(HttpResponse<Buffer> response, String policy, long quota) {
    assertProblem(response, 429, "rate-limited");
    assertThat(Long.parseLong(response.getHeader("Retry-After"))).isBetween(1L, 2L);
    assertThat(response.getHeader("RateLimit-Policy")).isEqualTo("\"" + policy + "\";q=" + quota + ";w=1");
    assertThat(response.getHeader("RateLimit")).isEqualTo("\"" + policy + "\";r=0;t="
        + response.getHeader("Retry-After"));
    assertThat(response.bodyAsJsonObject().getString("kind")).isEqualTo(policy);
    assertThat(response.bodyAsJsonObject().getLong("retry_after_seconds"))
        .isEqualTo(Long.parseLong(response.getHeader("Retry-After")));
  }

  /** The gateway's own entries (actor "gateway"), newest first. */
  List<JsonObject> gatewayEntries() {
    HttpResponse<Buffer> response = owner.get("/audit/user/gateway?limit=1000");
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray("entries").stream().map(JsonObject.class::cast).toList();
  }

  /** Sum of the shed summaries matching {@code which}, polled (at most 10 s) until it reaches {@code expected}. */
  long shedSummaries(Predicate<JsonObject> which, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long sum;
    do {
      sum = gatewayEntries().stream().filter(e -> "ceiling.shed".equals(e.getString("op"))).filter(which)
          .mapToLong(e -> e.getJsonObject("details").getLong("count")).sum();
      if (sum >= expected) {
        return sum;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return sum;
  }

  @Test
  void writesOfferedAtThreeTimesTheCeilingAreAdmittedAtTheCeilingAndTheRestAnswered429(Vertx vertx)
      throws Exception {
    PacedLoad.Result result = PacedLoad.offer(vertx, 3 * WRITES, OFFERED, DRAIN,
        n -> assistant.postJsonAsync(ASSISTANT, write("metadata", n)));

    int accepted = result.count(201);
    int limited = result.count(429);
    System.out.printf("[ceilings] writes: offered %d in %s (%.1f/s), accepted %d (%.2f/s against a ceiling of "
        + "%d/s), 429 %d, statuses %s%n", result.sent(), OFFERED, result.sent() / 3.0, accepted,
        result.perSecond(201), WRITES, limited, result.statuses());
    assertThat(accepted + limited).as("every request answered 201 or 429: %s", result.statuses())
        .isEqualTo(result.sent());
    // At most rate × time + burst (1) may pass; with the ceiling saturated all the time, no fewer than 95 %.
    assertThat(result.perSecond(201)).isBetween(WRITES * 0.95, WRITES * 1.05 + 1.0 / 3);
    for (HttpResponse<Buffer> refused : result.samples().get(429)) {
      assertRateLimited(refused, "writes", WRITES);
    }

    // Admitted writes carry the headers too.
    Thread.sleep(1_100);
    HttpResponse<Buffer> created = assistant.postJson(ASSISTANT, write("metadata", -1));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.getHeader("RateLimit-Policy")).isEqualTo("\"writes\";q=" + WRITES + ";w=1");
    assertThat(created.getHeader("RateLimit")).startsWith("\"writes\";r=");
    assertThat(created.getHeader("Retry-After")).isNull();

    // No audit entry per 429; one summary per product, kind and second, adding up to every 429.
    long summarised = shedSummaries(e -> "AI_Assistant".equals(e.getString("product"))
        && "writes".equals(e.getJsonObject("details").getString("kind")), limited);
    assertThat(summarised).isEqualTo(limited);
    List<JsonObject> summaries = gatewayEntries().stream().filter(e -> "ceiling.shed".equals(e.getString("op")))
        .toList();
    assertThat(summaries).isNotEmpty().allSatisfy(e -> {
      assertThat(e.getString("outcome")).isEqualTo("refused");
      assertThat(e.getString("reason")).isEqualTo("rate-limited");
      assertThat(e.getInteger("status")).isEqualTo(429);
      assertThat(e.getJsonObject("details").getString("cause")).isEqualTo("rate");
    });
    // at most one summary per product, kind and second
    assertThat(summaries.stream().map(e -> e.getString("product") + e.getJsonObject("details").getString("kind")
        + e.getJsonObject("details").getString("second")).distinct().count()).isEqualTo(summaries.size());
    JsonArray failed = owner.get("/audit/failed?limit=1000").bodyAsJsonObject().getJsonArray("entries");
    assertThat(failed.stream().map(JsonObject.class::cast).filter(e -> e.getInteger("status") == 429))
        .allSatisfy(e -> assertThat(e.getString("op")).isEqualTo("ceiling.shed"));

    String metrics = owner.get("/metrics").bodyAsString();
    assertThat(metrics)
        .contains("bucket_operations_total{kind=\"writes\",outcome=\"rejected_rate\",product=\"AI_Assistant\"} "
            + limited + ".0")
        // at three times the rate, nearly every admitted write waited on its timer for its reserved slot
        .contains("bucket_operations_total{kind=\"writes\",outcome=\"accepted_delayed\",product=\"AI_Assistant\"}");
  }

  @Test
  void readsOfferedAtThreeTimesTheCeilingAreAdmittedAtTheCeiling(Vertx vertx) throws Exception {
    HttpResponse<Buffer> created = assistant.postJson(ASSISTANT, write("metadata", 0));
    assertThat(created.statusCode()).isEqualTo(201);
    String location = created.getHeader("Location");
    Thread.sleep(1_100);

    PacedLoad.Result result = PacedLoad.offer(vertx, 3 * READS, OFFERED, DRAIN,
        n -> assistant.sendAsync(io.vertx.core.http.HttpMethod.GET, location, Map.of(), null));
    int accepted = result.count(200);
    int limited = result.count(429);
    System.out.printf("[ceilings] reads: offered %d in %s (%.1f/s), accepted %d (%.2f/s against a ceiling of "
        + "%d/s), 429 %d, statuses %s%n", result.sent(), OFFERED, result.sent() / 3.0, accepted,
        result.perSecond(200), READS, limited, result.statuses());
    assertThat(accepted + limited).as("%s", result.statuses()).isEqualTo(result.sent());
    assertThat(result.perSecond(200)).isBetween(READS * 0.95, READS * 1.05 + 2.0 / 3);
    for (HttpResponse<Buffer> refused : result.samples().get(429)) {
      assertRateLimited(refused, "reads", READS);
    }
    long summarised = shedSummaries(e -> "AI_Assistant".equals(e.getString("product"))
        && "reads".equals(e.getJsonObject("details").getString("kind")), limited);
    assertThat(summarised).isEqualTo(limited);
  }

  @Test
  void metricsNeedTheOwnerOrAnAuditorAndCarryBucketsVertxAndJvmMeters() {
    HttpResponse<Buffer> created = workflow.postJson(WORKFLOW, write("event_history", 0));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(workflow.get(created.getHeader("Location")).statusCode()).isEqualTo(200);
    assertProblem(node.client(null).get("/metrics"), 401, "unauthorized");
    assertProblem(assistant.get("/metrics"), 403, "role-forbidden");
    assertProblem(assistant.get("/metrics/scale-status"), 403, "role-forbidden");
    String auditorKey = owner.postJson("/governance/keys", new JsonObject().put("role", "auditor")
        .put("name", "metrics-reader")).bodyAsJsonObject().getString("api_key");
    Api auditor = node.client(auditorKey);

    HttpResponse<Buffer> scraped = auditor.get("/metrics");
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
    assertThat(scraped.bodyAsString())
        .contains("bucket_operations_total{kind=\"writes\",outcome=\"accepted\",product=\"Workflow_Engine\"}")
        .contains("bucket_operations_total{kind=\"reads\",outcome=\"accepted\",product=\"Workflow_Engine\"}")
        .contains("bucket_ceiling_rate{kind=\"writes\"} 20.0")
        .contains("bucket_ceiling_rate{kind=\"reads\"} 50.0")
        .contains("bucket_ceiling_utilisation{kind=\"writes\"}")
        .contains("bucket_ceiling_delayed{kind=\"writes\"}")
        .contains("bucket_writers_in_flight")
        .contains("bucket_audit_pending")
        .contains("bucket_product_storage_used_bytes{product=\"AI_Assistant\"}")
        .contains("bucket_product_artifacts_stored{product=\"Workflow_Engine\"}")
        .contains("bucket_limit_utilisation_percent{limit=\"max_writes_per_second\"}")
        .contains("bucket_request_duration_seconds_count{kind=\"writes\"}")
        .contains("vertx_http_server_requests_total")
        .contains("vertx_eventbus_")
        .contains("jvm_memory_used_bytes");
    // The product tag only ever names governed products.
    assertThat(scraped.bodyAsString().lines().filter(l -> l.contains("product=\"")))
        .allSatisfy(l -> assertThat(l).containsAnyOf("AI_Assistant", "AI_Avatar", "Gurukul", "Workflow_Engine",
            "Enforcement_Engine", "~none"));

    JsonObject status = auditor.get("/metrics/scale-status").bodyAsJsonObject();
    assertThat(status.getJsonObject("ceilings").getJsonObject("writes").getLong("ceiling_per_second"))
        .isEqualTo(WRITES);
    assertThat(status.getJsonArray("limits")).hasSize(8);
  }

  @Test
  void clientsRecordQueryLatenciesForTheirOwnProductOnly() {
    HttpResponse<Buffer> recorded = assistant.postJson("/metrics/record-query-latency",
        new JsonObject().put("latency_ms", 12.5));
    assertThat(recorded.statusCode()).as(recorded.bodyAsString()).isEqualTo(202);
    assertThat(recorded.bodyAsJsonObject().getString("product")).isEqualTo("AI_Assistant");
    assertProblem(assistant.postJson("/metrics/record-query-latency", new JsonObject().put("latency_ms", 3)
        .put("product", "Gurukul")), 403, "cross-product");
    assertProblem(assistant.postJson("/metrics/record-query-latency", new JsonObject().put("latency_ms", -1)),
        400, "invalid-request");
    assertProblem(owner.postJson("/metrics/record-query-latency", new JsonObject().put("latency_ms", 1)
        .put("product", "Nope")), 404, "unknown-product");

    JsonObject performance = owner.get("/metrics/query-performance").bodyAsJsonObject();
    JsonObject reported = performance.getJsonObject("client_reported_latency_ms").getJsonObject("AI_Assistant");
    assertThat(reported.getLong("count")).isEqualTo(1);
    assertThat(reported.getDouble("max")).isEqualTo(12.5);
    assertThat(owner.get("/metrics").bodyAsString())
        .contains("bucket_client_query_latency_seconds_count{product=\"AI_Assistant\"} 1");
  }
}
