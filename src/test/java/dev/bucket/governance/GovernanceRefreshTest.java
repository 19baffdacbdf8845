package dev.bucket.governance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Eventually;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A rule change made by another node sharing the store reaches a running node without a restart. */
@ExtendWith(VertxExtension.class)
class GovernanceRefreshTest {

  @Test
  void aRuleChangeStoredByAnotherNodeIsInForceHereWithinSeconds(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      // "Another node": its own view of the same rules and schemas, over the same store.
      GovernanceStore other = GovernanceStore.open(node.node().store(), Clock.systemUTC(),
          Path.of("conf", "governance.json"), Path.of("conf", "schemas"), 100).await();
      other.changeRules(new JsonObject().put("products", new JsonObject().put("Gurukul",
          new JsonObject().put("min_retention_days", 400))), "owner").await();

      JsonObject rules = Eventually.poll(() -> node.api().get("/governance/gate/product-rules").bodyAsJsonObject(),
          seen -> seen.getInteger("rules_version") >= 2, Duration.ofSeconds(10));
      assertThat(rules.getInteger("rules_version")).isEqualTo(2);
    }
  }
}
