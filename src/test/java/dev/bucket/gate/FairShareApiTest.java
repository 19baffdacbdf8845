package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.PacedLoad;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fair shares through real HTTP: a product offering three times the reads ceiling cannot starve one that stays
 * within its share. The ceiling is 100 reads/s with a burst of 10 (τ = 100 ms, ten requests): fair shares need a
 * tolerance of several requests, see decision 0005 (with a burst of 1 a single request fills the whole tolerance).
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FairShareApiTest {

  static final int READS = 100;

  TestNode node;
  Api assistant;
  Api workflow;
  String assistantArtifact;
  String workflowArtifact;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of("max_reads_per_second", Integer.toString(READS), "read_burst", "10"));
    assistant = node.integration("AI_Assistant", "metadata");
    workflow = node.integration("Workflow_Engine", "event_history");
    assistantArtifact = created(assistant, "AI_Assistant", "metadata");
    workflowArtifact = created(workflow, "Workflow_Engine", "event_history");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  static String created(Api api, String product, String artifactClass) {
    HttpResponse<Buffer> response = api.postJson("/v1/products/" + product + "/artifacts", new JsonObject()
        .put("artifact_class", artifactClass).put("metadata", new JsonObject().put("source", "fair-share-test"))
        .put("data", new JsonObject().put("x", 1)));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.getHeader("Location");
  }

  @Test
  void aGreedyProductCannotStarveAModestOne(Vertx vertx) throws Exception {
    Thread.sleep(1_200); // full buckets, no product active
    Duration offered = Duration.ofSeconds(4);
    Duration drain = Duration.ofSeconds(20);
    PacedLoad.Running greedy = PacedLoad.start(vertx, 3 * READS, offered,
        n -> assistant.sendAsync(HttpMethod.GET, assistantArtifact, Map.of(), null));
    PacedLoad.Running modest = PacedLoad.start(vertx, READS / 4.0, offered,
        n -> workflow.sendAsync(HttpMethod.GET, workflowArtifact, Map.of(), null));
    PacedLoad.Result greedyResult = greedy.await(drain);
    PacedLoad.Result modestResult = modest.await(drain);
    double together = greedyResult.perSecond(200) + modestResult.perSecond(200);
    System.out.printf("[ceilings] fairness (reads, ceiling %d/s): greedy offered %d (%d/s), accepted %d (%.2f/s); "
            + "modest offered %d (%d/s), accepted %d (%.2f/s); together %.2f/s%n", READS, greedyResult.sent(),
        3 * READS, greedyResult.count(200), greedyResult.perSecond(200), modestResult.sent(), READS / 4,
        modestResult.count(200), modestResult.perSecond(200), together);

    // The modest product stays within its fair share (rate / 2 active products): every request is guaranteed.
    assertThat(modestResult.count(200)).as("modest: %s", modestResult.statuses())
        .isGreaterThanOrEqualTo((int) Math.floor(modestResult.sent() * 0.95));
    // The greedy one gets what the modest one leaves (it borrows beyond its share), and no more.
    assertThat(greedyResult.count(429)).as("greedy: %s", greedyResult.statuses()).isPositive();
    assertThat(greedyResult.perSecond(200)).isGreaterThan(READS / 2.0);
    assertThat(together).isBetween(READS * 0.9, READS * 1.05 + 10 / 4.0);
  }
}
