package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.RawHttp;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Headers and numbers read as the RFCs say, not as a lenient parser would guess. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrictParsingApiTest {

  static final String ARTIFACTS = "/v1/products/AI_Assistant/artifacts";

  TestNode node;
  Api owner;
  Api writer;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of());
    owner = node.api();
    writer = node.integration("AI_Assistant", "metadata");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  static Buffer create(String id) {
    return new JsonObject().put("artifact_class", "metadata").put("artifact_id", id)
        .put("data", new JsonObject().put("text", "0123456789")).toBuffer();
  }

  HttpResponse<Buffer> post(String contentType, Map<String, String> extra, Buffer body) {
    Map<String, String> headers = new java.util.HashMap<>(extra);
    headers.put("Content-Type", contentType);
    return writer.send(HttpMethod.POST, ARTIFACTS, headers, body);
  }

  @Test
  void aRangeWhoseIfRangeNoLongerMatchesGetsTheWholePayload() {
    HttpResponse<Buffer> created = post("application/json", Map.of(), create("ranged"));
    assertThat(created.statusCode()).isEqualTo(201);
    String payload = ARTIFACTS + "/ranged/versions/1/payload";
    String etag = created.getHeader("ETag");
    HttpResponse<Buffer> matching = writer.get(payload, Map.of("Range", "bytes=0-3", "If-Range", etag));
    assertThat(matching.statusCode()).isEqualTo(206);
    assertThat(matching.bodyAsString()).isEqualTo("{\"te");
    for (String stale : List.of("\"sha256:" + "1".repeat(64) + "\"", "W/" + etag, "Sun, 06 Nov 1994 08:49:37 GMT")) {
      HttpResponse<Buffer> whole = writer.get(payload, Map.of("Range", "bytes=0-3", "If-Range", stale));
      assertThat(whole.statusCode()).as(stale).isEqualTo(200);
      assertThat(whole.bodyAsString()).isEqualTo("{\"text\":\"0123456789\"}");
    }
  }

  @Test
  void aContentEncodingTheGatewayDoesNotDecodeIs415() {
    HttpResponse<Buffer> gzip = post("application/json", Map.of("Content-Encoding", "gzip"), create("gz"));
    assertProblem(gzip, 415, "unsupported-media-type");
    assertThat(gzip.getHeader("Accept-Encoding")).isEqualTo("identity");
    assertProblem(owner.send(HttpMethod.POST, "/audit/log", Map.of("Content-Type", "application/json",
        "Content-Encoding", "br"), new JsonObject().put("message", "m").toBuffer()), 415, "unsupported-media-type");
    assertThat(post("application/json", Map.of("Content-Encoding", "identity"), create("plain")).statusCode())
        .isEqualTo(201);
  }

  @Test
  void mediaTypesAreCaseInsensitiveAndJsonIsUtf8Only() {
    assertThat(post("APPLICATION/JSON", Map.of(), create("upper")).statusCode()).isEqualTo(201);
    assertThat(post("Application/Json; Charset=UTF-8", Map.of(), create("mixed")).statusCode()).isEqualTo(201);
    assertProblem(post("application/json; charset=utf-16", Map.of(), create("utf16")), 415,
        "unsupported-media-type");
    assertProblem(post("text/plain", Map.of(), create("text")), 415, "unsupported-media-type");
    assertProblem(owner.send(HttpMethod.POST, "/audit/log", Map.of("Content-Type", "application/json; charset=latin1"),
        new JsonObject().put("message", "m").toBuffer()), 415, "unsupported-media-type");
  }

  @Test
  void dataSizesOutsideALongAreRefusedNotWrapped() {
    String integration = writer.key();
    for (String size : List.of("99999999999999999999", "-1", "1.5", "\"10\"")) {
      HttpResponse<Buffer> response = node.client(integration).send(HttpMethod.POST,
          "/governance/gate/validate-operation", Map.of("Content-Type", "application/json"), Buffer.buffer(
              "{\"operation_type\":\"CREATE\",\"artifact_class\":\"metadata\",\"data_size\":" + size + "}"));
      assertProblem(response, 400, "invalid-request");
      assertThat(response.bodyAsJsonObject().getString("detail")).as(size).contains("data_size");
    }
    assertProblem(owner.send(HttpMethod.POST, "/governance/threats/scan", Map.of("Content-Type",
        "application/json"), Buffer.buffer("{\"data_size\":99999999999999999999}")), 400, "invalid-request");
  }

  @Test
  void twoAuthorizationHeadersAreRefused() throws Exception {
    RawHttp.Response response = RawHttp.exchange(node.port(), "GET /audit/recent HTTP/1.1\r\nHost: x\r\n"
        + "Authorization: Bearer " + TestNode.OWNER_KEY + "\r\nAuthorization: Bearer someone-else\r\n\r\n",
        Duration.ofSeconds(5));
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.isProblem()).isTrue();
    assertThat(response.json().getString("detail")).contains("exactly one Authorization");
  }
}
