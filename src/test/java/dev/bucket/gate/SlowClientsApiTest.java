package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.Leftovers;
import dev.bucket.support.RawHttp;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow clients are cut off (head, idle body, trickled body) with short timeouts, and give back the writer permit and
 * temp file they held; a client that keeps to the limits is not.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsApiTest {

  static final String ARTIFACTS = "/v1/products/AI_Assistant/artifacts";
  static final String BOUNDARY = "slow-boundary";

  TestNode node;
  Leftovers leftovers;
  Api writer;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of("request_header_timeout_ms", "1500", "request_body_idle_timeout_ms",
        "1500", "min_upload_bytes_per_second", "1024", "upload_rate_window_ms", "1500"));
    leftovers = new Leftovers(node);
    writer = node.integration("AI_Assistant", "metadata");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @AfterEach
  void nothingLeft() throws InterruptedException {
    leftovers.assertNoneWithin(Duration.ofSeconds(5));
  }

  /** A multipart upload's head and its first bytes (metadata, then the start of the payload). */
  String uploadStart(long declaredLength) {
    String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n"
        + new JsonObject().put("artifact_class", "metadata").encode() + "\r\n--" + BOUNDARY
        + "\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n" + "z".repeat(10_000);
    return "POST " + ARTIFACTS + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + writer.key() + "\r\nContent-Type: "
        + "multipart/form-data; boundary=" + BOUNDARY + "\r\nContent-Length: " + declaredLength + "\r\n\r\n" + body;
  }

  @Test
  void aHeadSentOneLineAtATimeOrNotAtAllIsCutOff() throws Exception {
    try (RawHttp idle = new RawHttp(node.port())) {
      assertThat(idle.closedWithin(Duration.ofSeconds(5))).as("a connection that sends nothing").isTrue();
    }
    try (RawHttp slowloris = new RawHttp(node.port())) {
      slowloris.send("GET /health HTTP/1.1\r\nHost: x\r\n");
      long start = System.nanoTime();
      boolean closed = false;
      for (int i = 0; i < 40 && !closed; i++) {
        slowloris.send("X-Line-" + i + ": still coming\r\n");
        closed = slowloris.closedWithin(Duration.ofMillis(200));
      }
      assertThat(closed).as("a head trickled a line every 200 ms").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(node.api().get("/metrics").bodyAsString()).containsPattern(
        "bucket_client_timeouts_total\\{phase=\"header\"\\} [1-9]");
  }

  @Test
  void aKeepAliveConnectionServesRequestsWithinTheHeadTimeout() throws Exception {
    try (RawHttp client = new RawHttp(node.port())) {
      for (int i = 0; i < 3; i++) {
        client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(client.response(Duration.ofSeconds(5)).status()).isEqualTo(200);
        Thread.sleep(700);
      }
    }
  }

  @Test
  void aBodyThatStopsIsA408AndReleasesItsPermitAndTempFile() throws Exception {
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(uploadStart(1_000_000));
      RawHttp.Response response = raw.response(Duration.ofSeconds(5));
      assertThat(response.status()).as(response.toString()).isEqualTo(408);
      assertThat(response.isProblem()).isTrue();
      assertThat(response.json().getString("type")).isEqualTo("urn:bucket:problem:request-timeout");
      assertThat(response.header("connection")).isEqualTo("close");
    }
  }

  @Test
  void aTrickledBodyIsA408() throws Exception {
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(uploadStart(1_000_000));
      RawHttp.Response response = null;
      for (int i = 0; i < 40 && response == null; i++) {
        raw.send("t".repeat(50)); // 250 bytes/s: never idle, far under 1024 bytes/s
        RawHttp.Response got = raw.response(Duration.ofMillis(200));
        response = got.status() == 0 ? null : got;
      }
      assertThat(response).isNotNull();
      assertThat(response.status()).as(response.toString()).isEqualTo(408);
      assertThat(response.json().getString("detail")).contains("min_upload_bytes_per_second");
    }
  }
}
