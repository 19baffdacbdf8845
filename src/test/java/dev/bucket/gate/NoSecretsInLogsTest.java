package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.bucket.identity.ApiKeys;
import dev.bucket.support.Api;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A run that creates keys of every kind, uses them, presents wrong ones and sends credentials in metadata leaves no
 * key and no credential in any log line (at DEBUG, with stack traces, the access log on) nor in the audit log.
 */
@ExtendWith(VertxExtension.class)
class NoSecretsInLogsTest {

  @Test
  void keysAndCredentialsNeverReachTheLogs(Vertx vertx) throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    root.setLevel(Level.DEBUG);
    List<String> secrets = new ArrayList<>();
    String audit;
    try (TestNode node = TestNode.started(vertx, Map.of("access_log", "true"))) {
      Api owner = node.api();
      secrets.add(TestNode.OWNER_KEY);
      for (String role : List.of("executor", "auditor")) {
        secrets.add(owner.postJson("/governance/keys", new JsonObject().put("role", role).put("name", "logs"))
            .bodyAsJsonObject().getString("api_key"));
      }
      JsonObject approval = owner.postJson("/governance/gate/validate-integration", new JsonObject()
          .put("integration_id", "logs").put("integration_type", "api")
          .put("artifact_classes", new JsonArray().add("metadata")).put("product_name", "AI_Assistant")
          .put("data_schema", new JsonObject().put("nsfw_policy", "strict").put("retention_policy", "7_years")
              .put("data_owner", "tests"))).bodyAsJsonObject();
      String integrationKey = approval.getString("api_key");
      secrets.add(integrationKey);
      Api integration = node.client(integrationKey);
      assertThat(integration.postJson("/v1/products/AI_Assistant/artifacts", new JsonObject()
          .put("artifact_class", "metadata").put("data", "ok")).statusCode()).isEqualTo(201);
      for (String key : secrets) {
        node.client(key).get("/audit/recent");
      }
      String wrong = ApiKeys.generate();
      secrets.add(wrong);
      node.client(wrong).get("/audit/recent");
      node.client("not-a-key-but-still-a-secret-value-123456").get("/audit/recent");
      secrets.add("not-a-key-but-still-a-secret-value-123456");
      String aws = "AKIA" + "QWERTYUIOPASDFGH";
      String password = "correct-horse-battery-staple";
      secrets.add(aws);
      secrets.add(password);
      integration.postJson("/v1/products/AI_Assistant/artifacts", new JsonObject().put("artifact_class", "metadata")
          .put("data", "x").put("metadata", new JsonObject().put("description", "key " + aws)));
      owner.postJson("/governance/threats/scan", new JsonObject().put("metadata", new JsonObject()
          .put("db", "postgres://app:" + password + "@db:5432/x")));
      audit = owner.get("/audit/recent?limit=1000").bodyAsString();
    } finally {
      root.detachAppender(captured);
      root.setLevel(level);
    }
    assertThat(captured.list).as("the run logged something").isNotEmpty();
    StringBuilder logs = new StringBuilder();
    for (ILoggingEvent event : captured.list) {
      logs.append(event.getFormattedMessage()).append('\n');
      if (event.getThrowableProxy() != null) {
        logs.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
      }
    }
    for (String secret : secrets) {
      assertThat(logs.toString()).as("log output").doesNotContain(secret);
      assertThat(audit).as("audit log").doesNotContain(secret);
    }
  }
}
