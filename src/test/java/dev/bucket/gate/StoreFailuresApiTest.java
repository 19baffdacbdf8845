package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;

import dev.bucket.support.Api;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A store that cannot answer is the client's 503 with Retry-After, on reads and writes, never a 500. */
@ExtendWith(VertxExtension.class)
class StoreFailuresApiTest {

  static final String P = "/v1/products/AI_Assistant/artifacts";

  @Test
  void aStoreThatCannotAnswerIsA503OnReadsAndWrites(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api writer = node.integration("AI_Assistant", "metadata");
      node.node().store().close().await();
      assertProblem(writer.get(P + "/never-written"), 503, "service-unavailable");
      assertProblem(writer.postJson(P, new JsonObject().put("artifact_class", "metadata")
          .put("artifact_id", "after-close").put("data", new JsonObject().put("x", 1))), 503, "service-unavailable");
      assertProblem(node.api().get("/audit/recent?limit=5"), 503, "service-unavailable");
    }
  }
}
