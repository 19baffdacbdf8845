package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.RawHttp;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Requests refused below the router (by the HTTP codec) still get a problem answer; 405s name what is allowed. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolErrorsApiTest {

  static final Duration ANSWER = Duration.ofSeconds(10);
  static final String VERSION = "/v1/products/AI_Assistant/artifacts/a/versions/1";

  TestNode node;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  RawHttp.Response send(String request) throws Exception {
    return RawHttp.exchange(node.port(), request, ANSWER);
  }

  static void assertProblem(RawHttp.Response response, int status, String slug) {
    assertThat(response.status()).as(response.toString()).isEqualTo(status);
    assertThat(response.isProblem()).as(response.toString()).isTrue();
    assertThat(response.json().getString("type")).isEqualTo("urn:bucket:problem:" + slug);
    assertThat(response.json().getInteger("status")).isEqualTo(status);
  }

  @Test
  void codecRefusalsAreProblemAnswers() throws Exception {
    assertProblem(send("POST /audit/log HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"), 400, "invalid-request");
    assertProblem(send("GET /health?" + "q".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "uri-too-long");
    assertProblem(send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n"), 431,
        "headers-too-large");
    assertProblem(send("GET /health HTTP/9.9\r\nHost: x\r\n\r\n"), 505, "version-not-supported");
    assertProblem(send("GET /health HTTP/1.x\r\nHost: x\r\n\r\n"), 400, "invalid-request");
    // The gateway is fine afterwards.
    assertThat(send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
  }

  @Test
  void methodsARetentionPathDoesNotTakeAre405WithAllow() throws Exception {
    Map<String, String> allowed = Map.of("/retention", "GET, POST", "/legal-hold", "POST", "/legal-hold/release",
        "POST", "/tombstone", "POST");
    for (Map.Entry<String, String> path : allowed.entrySet()) {
      for (String method : new String[] {"PUT", "PATCH", "DELETE"}) {
        RawHttp.Response response = send(method + " " + VERSION + path.getKey() + " HTTP/1.1\r\nHost: x\r\n"
            + "Authorization: Bearer " + TestNode.OWNER_KEY + "\r\nContent-Length: 0\r\n\r\n");
        assertProblem(response, 405, "method-not-allowed");
        assertThat(response.header("allow")).as(method + " " + path.getKey()).isEqualTo(path.getValue());
      }
    }
    RawHttp.Response get = send("GET " + VERSION + "/tombstone HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + TestNode.OWNER_KEY + "\r\n\r\n");
    assertProblem(get, 405, "method-not-allowed");
    assertThat(get.header("allow")).isEqualTo("POST");
  }
}
