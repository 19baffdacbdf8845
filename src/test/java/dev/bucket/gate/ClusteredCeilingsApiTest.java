package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.embedded.RedisServer;

/** With {@code redis_uri} set, the gateway's ceilings are leased from Redis (Ceilings.clustered), end to end. */
@ExtendWith(VertxExtension.class)
class ClusteredCeilingsApiTest {

  @Test
  void aNodeWithRedisSpendsLeasedTokens(Vertx vertx) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    RedisServer redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
        .setting("appendonly no").build();
    redis.start();
    try (TestNode node = TestNode.started(vertx, Map.of("redis_uri", "redis://127.0.0.1:" + port,
        "cluster_expected_nodes", "2"))) {
      Api owner = node.api();
      long deadline = System.nanoTime() + 10_000_000_000L;
      JsonObject cluster = owner.get("/metrics/scale-status").bodyAsJsonObject().getJsonObject("cluster");
      while (!cluster.getBoolean("connected", false) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        cluster = owner.get("/metrics/scale-status").bodyAsJsonObject().getJsonObject("cluster");
      }
      assertThat(cluster.getString("mode")).isEqualTo("redis_leases");
      assertThat(cluster.getBoolean("connected")).isTrue();

      Api assistant = node.integration("AI_Assistant", "metadata");
      for (int i = 0; i < 3; i++) {
        assertThat(assistant.postJson("/v1/products/AI_Assistant/artifacts", new JsonObject()
            .put("artifact_class", "metadata").put("metadata", new JsonObject().put("source", "redis-test"))
            .put("data", new JsonObject().put("i", i))).statusCode()).isEqualTo(201);
      }
      JsonObject after = owner.get("/metrics/scale-status").bodyAsJsonObject().getJsonObject("cluster");
      assertThat(after.getLong("leased_writes")).isPositive();
      JsonObject certification = owner.get("/governance/scale/certification").bodyAsJsonObject();
      assertThat(certification.getJsonObject("checks").getJsonObject("cluster_budget").getBoolean("ok")).isTrue();
    } finally {
      redis.stop();
    }
  }
}
