package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.bucket.logging.RequestIdJsonProvider;
import dev.bucket.support.Api;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Every answer carries the request's id, chosen from the client's {@code traceparent} or {@code X-Request-Id} or made
 * up, and the same id is in the request's audit entry and in its log lines: a product's trace leads to the entry.
 */
@ExtendWith(VertxExtension.class)
class RequestIdApiTest {

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String TRACEPARENT = "00-" + TRACE + "-b7ad6b7169203331-01";

  @Test
  void everyAnswerEchoesTheIdTheClientSentOrAGeneratedOne(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api owner = node.api();
      Api anonymous = node.client(null);

      assertThat(owner.get("/health").getHeader("X-Request-Id")).matches("[0-9a-f]{32}");
      assertThat(owner.get("/health", Map.of("traceparent", TRACEPARENT)).getHeader("X-Request-Id"))
          .isEqualTo(TRACE);
      assertThat(owner.get("/health", Map.of("X-Request-Id", "order-17")).getHeader("X-Request-Id"))
          .isEqualTo("order-17");
      assertThat(owner.get("/health", Map.of("X-Request-Id", "no spaces, please")).getHeader("X-Request-Id"))
          .matches("[0-9a-f]{32}");
      // Refusals too: no key, no route, a router-level 405.
      assertThat(anonymous.get("/audit/recent", Map.of("X-Request-Id", "r-401")).getHeader("X-Request-Id"))
          .isEqualTo("r-401");
      assertThat(owner.get("/nowhere", Map.of("X-Request-Id", "r-404")).getHeader("X-Request-Id"))
          .isEqualTo("r-404");
    }
  }

  @Test
  void theIdOfAWriteAndOfARefusalIsInTheirAuditEntries(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api writer = node.integration("AI_Assistant", "metadata");
      HttpResponse<?> created = writer.postJson("/v1/products/AI_Assistant/artifacts", new JsonObject()
          .put("artifact_class", "metadata").put("artifact_id", "traced").put("data", "x"),
          Map.of("traceparent", TRACEPARENT));
      assertThat(created.statusCode()).isEqualTo(201);
      assertThat(writer.postJson("/v1/products/AI_Assistant/artifacts", new JsonObject()
          .put("artifact_class", "metadata").put("artifact_id", "traced").put("data", "other"),
          Map.of("X-Request-Id", "conflicting-write")).statusCode()).isEqualTo(409);

      List<JsonObject> entries = node.api().get("/audit/artifact/traced").bodyAsJsonObject()
          .getJsonArray("entries").stream().map(JsonObject.class::cast).toList();

      assertThat(entries).anySatisfy(entry -> {
        assertThat(entry.getString("op")).isEqualTo("artifact.create");
        assertThat(entry.getInteger("status")).isEqualTo(201);
        assertThat(entry.getString("request_id")).isEqualTo(TRACE);
      });
      assertThat(node.api().get("/audit/failed").bodyAsJsonObject().getJsonArray("entries"))
          .map(JsonObject.class::cast).anySatisfy(entry -> {
            assertThat(entry.getInteger("status")).isEqualTo(409);
            assertThat(entry.getString("request_id")).isEqualTo("conflicting-write");
          });
      assertThat(node.api().get("/audit/verify").bodyAsJsonObject().getBoolean("ok")).isTrue();
    }
  }

  @Test
  void theAccessLogLineOfARequestCarriesItsIdAsTextAndAsJson(Vertx vertx) throws Exception {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setPattern("%requestId%msg%n");
    LogstashEncoder json = new LogstashEncoder();
    json.addProvider(new RequestIdJsonProvider());
    ByteArrayOutputStream textLines = new ByteArrayOutputStream();
    ByteArrayOutputStream jsonLines = new ByteArrayOutputStream();
    Logger access = logging.getLogger("dev.bucket.gate.access");
    List<OutputStreamAppender<ILoggingEvent>> appenders = List.of(appender(logging, text, textLines),
        appender(logging, json, jsonLines));
    appenders.forEach(access::addAppender);
    try (TestNode node = TestNode.started(vertx, Map.of("access_log", "true"))) {
      node.api().get("/health", Map.of("X-Request-Id", "followed-1"));
    } finally {
      appenders.forEach(appender -> {
        access.detachAppender(appender);
        appender.stop();
      });
    }

    assertThat(textLines.toString(StandardCharsets.UTF_8)).contains("[followed-1] GET /health 200");
    assertThat(jsonLines.toString(StandardCharsets.UTF_8).lines().map(JsonObject::new))
        .anySatisfy(line -> {
          assertThat(line.getString("request_id")).isEqualTo("followed-1");
          assertThat(line.getString("message")).startsWith("GET /health 200 ");
          assertThat(line.getString("level")).isEqualTo(Level.INFO.toString());
        });
  }

  private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext logging, Encoder<ILoggingEvent> encoder,
                                                              ByteArrayOutputStream out) {
    encoder.setContext(logging);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(logging);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    return appender;
  }
}
