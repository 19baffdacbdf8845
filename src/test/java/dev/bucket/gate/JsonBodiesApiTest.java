package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** JSON bodies a client may get wrong: every JSON route answers a precise 4xx, never a 500 or a 503. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonBodiesApiTest {

  static final String ARTIFACTS = "/v1/products/AI_Assistant/artifacts";
  static final String VERSION = ARTIFACTS + "/some-id/versions/1";
  static final String ETAG = "\"sha256:" + "0".repeat(64) + "\"";

  /** Every POST route that reads a JSON body, with the key allowed to call it. */
  record JsonRoute(String path, boolean integration) {
  }

  static final List<JsonRoute> ROUTES = List.of(
      new JsonRoute(ARTIFACTS, true),
      new JsonRoute(ARTIFACTS + "/some-id/versions", true),
      new JsonRoute(VERSION + "/retention", false),
      new JsonRoute(VERSION + "/legal-hold", false),
      new JsonRoute("/governance/gate/validate-operation", false),
      new JsonRoute("/governance/gate/validate-integration", false),
      new JsonRoute("/governance/keys", false),
      new JsonRoute("/governance/rules", false),
      new JsonRoute("/governance/schemas/metadata/proposals", false),
      new JsonRoute("/governance/threats/scan", false),
      new JsonRoute("/governance/scale/validate", false),
      new JsonRoute("/metrics/record-query-latency", false),
      new JsonRoute("/audit/log", false));

  TestNode node;
  Api owner;
  Api integration;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of());
    owner = node.api();
    integration = node.integration("AI_Assistant", "metadata");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  HttpResponse<Buffer> post(JsonRoute route, String body) {
    return (route.integration() ? integration : owner).send(HttpMethod.POST, route.path(),
        Map.of("Content-Type", "application/json", "If-Match", ETAG), Buffer.buffer(body));
  }

  @Test
  void bodiesThatAreNotJsonObjectsAre400OnEveryJsonRoute() {
    for (JsonRoute route : ROUTES) {
      for (String body : List.of("[]", "null", "\"\"", "123", "true", "[{}]", "")) {
        HttpResponse<Buffer> response = post(route, body);
        assertThat(response.statusCode()).as(route.path() + " with " + body + ": " + response.bodyAsString())
            .isEqualTo(400);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(response.bodyAsJsonObject().getString("type")).isIn("urn:bucket:problem:invalid-request",
            "urn:bucket:problem:malformed-json");
      }
    }
  }

  @Test
  void suspendingWithANonObjectBodyIs400() {
    assertProblem(owner.send(HttpMethod.POST, "/governance/integrations/nobody/suspend",
        Map.of("Content-Type", "application/json"), Buffer.buffer("[1]")), 400, "invalid-request");
  }

  @Test
  void manualAuditEntriesKeepNestedDetailsAndRefuseWhatAnEntryCannotHold() {
    JsonObject details = new JsonObject().put("tags", new io.vertx.core.json.JsonArray().add("a").add(2))
        .put("nested", new JsonObject().put("deeper", new JsonObject().put("n", 1)).put("list",
            new io.vertx.core.json.JsonArray().add(new JsonObject().put("ok", true))));
    HttpResponse<Buffer> created = owner.postJson("/audit/log", new JsonObject().put("message", "nested details")
        .put("details", details));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long index = created.bodyAsJsonObject().getLong("audit_index");
    JsonObject entry = owner.get("/audit/recent?limit=50").bodyAsJsonObject().getJsonArray("entries").stream()
        .map(JsonObject.class::cast).filter(e -> e.getLong("index") == index).findFirst().orElseThrow();
    assertThat(entry.getJsonObject("details").getJsonObject("details")).isEqualTo(details);
    assertThat(owner.get("/audit/verify").bodyAsJsonObject().getBoolean("ok")).isTrue();

    for (String refused : List.of("{\"ratio\":0.5}", "{\"a\":{\"b\":[1.25]}}", "{\"big\":9007199254740993}",
        "{\"$where\":1}", "{\"a.b\":1}")) {
      HttpResponse<Buffer> response = owner.send(HttpMethod.POST, "/audit/log", Map.of("Content-Type",
          "application/json"), Buffer.buffer("{\"message\":\"m\",\"details\":" + refused + "}"));
      assertProblem(response, 400, "invalid-request");
      assertThat(response.bodyAsJsonObject().getString("detail")).as(refused).startsWith("details");
    }
  }
}
