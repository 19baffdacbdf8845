package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.Leftovers;
import dev.bucket.support.LogCapture;
import dev.bucket.support.RawHttp;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
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
 * Uploads that end badly (broken framing, a body that stops short of its closing boundary, a client that vanishes)
 * give back everything they took: writer permits, temp files and their descriptors.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadResourcesApiTest {

  static final String ARTIFACTS = "/v1/products/AI_Assistant/artifacts";
  static final Duration ANSWER = Duration.ofSeconds(10);

  TestNode node;
  Leftovers leftovers;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of());
    leftovers = new Leftovers(node);
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @AfterEach
  void nothingLeft() throws InterruptedException {
    leftovers.assertNoneWithin(Duration.ofSeconds(5));
  }

  static String head(String key, String contentType, String framing) {
    return "POST " + ARTIFACTS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key + "\r\nContent-Type: "
        + contentType + "\r\n" + framing + "\r\n";
  }

  @Test
  void anInvalidChunkSizeNeverLeavesAWriterPermitHeld() throws Exception {
    for (int i = 0; i < 3; i++) {
      // A key's first request looks its principal up in the store, so the broken chunk is read (and the connection
      // closed) while authentication is still pending: the race that used to keep the permit.
      Api fresh = node.integration("AI_Assistant", "metadata");
      RawHttp.Response response = RawHttp.exchange(node.port(), head(fresh.key(), "application/json",
          "Transfer-Encoding: chunked\r\n") + "zz\r\n{}\r\n0\r\n\r\n", ANSWER);
      assertThat(response.status()).as(response.toString()).isIn(0, 400);
      leftovers.assertNoneWithin(Duration.ofSeconds(5));
    }
  }

  @Test
  void brokenFramingIsLoggedAsOneRateLimitedLineWithoutAStackTrace() throws Exception {
    Api writer = node.integration("AI_Assistant", "metadata");
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 40; i++) {
        RawHttp.exchange(node.port(), head(writer.key(), "application/json", "Transfer-Encoding: chunked\r\n")
            + "zz\r\n{}\r\n0\r\n\r\n", ANSWER);
      }
      leftovers.assertNoneWithin(Duration.ofSeconds(5));
      assertThat(logs.tracesAndErrors()).isEmpty();
      // 40 faults within a second or two: the first lines, and a count of those left out.
      assertThat(logs.linesOf(ClientFaults.class)).hasSizeBetween(1, 20)
          .allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    }
  }
}
