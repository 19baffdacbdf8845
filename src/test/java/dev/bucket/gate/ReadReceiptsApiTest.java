package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.Eventually;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reads reach the audit log as read receipts: counted per window, never served unrecorded, flushed at shutdown. */
@ExtendWith(VertxExtension.class)
class ReadReceiptsApiTest {

  private static final String BASE = "/v1/products/AI_Assistant/artifacts";

  private static String create(Api writer, String id) {
    var created = writer.postJson(BASE, new JsonObject().put("artifact_class", "metadata").put("artifact_id", id)
        .put("data", new JsonObject().put("id", id)));
    assertThat(created.statusCode()).isEqualTo(201);
    return id;
  }

  /** The read entries of an artifact's trail, and the reads their receipts count for it. */
  private static List<JsonObject> reads(Api owner, String id) {
    JsonArray entries = owner.get("/audit/artifact/" + id + "?limit=1000").bodyAsJsonObject().getJsonArray("entries");
    return entries.stream().map(e -> (JsonObject) e).filter(e -> "artifact.read".equals(e.getString("op"))).toList();
  }

  private static long counted(List<JsonObject> reads, String id) {
    return reads.stream().flatMap(e -> e.getJsonObject("details").getJsonObject("receipt").getJsonArray("items")
            .stream().map(i -> (JsonObject) i))
        .filter(i -> id.equals(i.getString("artifact_id"))).mapToLong(i -> i.getLong("count")).sum();
  }

  @Test
  void manyReadsOfOneVersionAreCountedByFewReceiptEntries(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api writer = node.integration("AI_Assistant", "metadata");
      String id = create(writer, "receipted");
      for (int i = 0; i < 60; i++) {
        assertThat(writer.get(BASE + "/" + id + "/versions/1").statusCode()).isEqualTo(200);
      }
      List<JsonObject> reads = Eventually.poll(() -> reads(node.api(), id), seen -> counted(seen, id) >= 60,
          Duration.ofSeconds(5));
      assertThat(counted(reads, id)).isEqualTo(60);
      assertThat(reads.size()).isLessThan(60);
      String writerId = node.api().get("/audit/artifact/" + id).bodyAsJsonObject().getJsonArray("entries").stream()
          .map(e -> (JsonObject) e).filter(e -> "artifact.create".equals(e.getString("op"))).findFirst().orElseThrow()
          .getString("actor");
      assertThat(reads).allSatisfy(e -> {
        assertThat(e.getString("actor")).isEqualTo(writerId);
        assertThat(e.getString("artifact_id")).isEqualTo(id);
        assertThat(e.getInteger("version")).isEqualTo(1);
      });
    }
  }

  @Test
  void whenNoMoreReceiptsCanBeHeldAReadIsRefusedRatherThanServedUnrecorded(Vertx vertx) throws Exception {
    // Room for one target and a window that never closes during the test: the second target finds no room.
    try (TestNode node = TestNode.started(vertx, Map.of("read_receipt_capacity", "1",
        "read_receipt_window_ms", "60000"))) {
      Api writer = node.integration("AI_Assistant", "metadata");
      String first = create(writer, "held-1");
      String second = create(writer, "held-2");
      assertThat(writer.get(BASE + "/" + first + "/versions/1").statusCode()).isEqualTo(200);
      for (int i = 0; i < 5; i++) {
        var refused = writer.get(BASE + "/" + second + "/versions/1");
        assertProblem(refused, 503, "service-unavailable");
        assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
      }
      // Another read of a target already held costs no room.
      assertThat(writer.get(BASE + "/" + first + "/versions/1").statusCode()).isEqualTo(200);
      // The refusals are summarised per route and second, not one entry each (which would feed a log that is behind).
      JsonArray recent = Eventually.poll(() -> node.api().get("/audit/recent?limit=1000").bodyAsJsonObject()
          .getJsonArray("entries"), seen -> unavailable(seen) >= 5, Duration.ofSeconds(5));
      assertThat(unavailable(recent)).isEqualTo(5);
      assertThat(recent.stream().map(e -> (JsonObject) e).filter(e -> e.getInteger("status") == 503)
          .map(e -> e.getString("op"))).containsOnly("gateway.unavailable");
    }
  }

  private static long unavailable(JsonArray entries) {
    return entries.stream().map(e -> (JsonObject) e).filter(e -> "gateway.unavailable".equals(e.getString("op")))
        .filter(e -> "artifact.read".equals(e.getJsonObject("details").getString("route")))
        .mapToLong(e -> e.getJsonObject("details").getLong("count")).sum();
  }

  @Test
  void receiptsOfAWindowStillOpenAtShutdownReachTheLog(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of("read_receipt_window_ms", "60000"))) {
      Api writer = node.integration("AI_Assistant", "metadata");
      String id = create(writer, "at-shutdown");
      for (int i = 0; i < 3; i++) {
        assertThat(writer.get(BASE + "/" + id + "/versions/1").statusCode()).isEqualTo(200);
      }
      assertThat(counted(reads(node.api(), id), id)).isZero();
      node.stop();
      node.start();
      assertThat(counted(reads(node.api(), id), id)).isEqualTo(3);
    }
  }
}
