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

  static final String BOUNDARY = "hostile-boundary";
  static final String METADATA = new io.vertx.core.json.JsonObject().put("artifact_class", "metadata")
      .put("metadata", new io.vertx.core.json.JsonObject().put("source", "hostile")).encode();

  static String part(String headers, String content) {
    return "--" + BOUNDARY + "\r\n" + headers + "\r\n" + content + "\r\n";
  }

  static String metadataPart() {
    return part("Content-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n", METADATA);
  }

  static String payloadPart(String content) {
    return part("Content-Disposition: form-data; name=\"payload\"; filename=\"p.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n", content);
  }

  static String closing() {
    return "--" + BOUNDARY + "--\r\n";
  }

  /** A multipart create with {@code body} (ISO-8859-1 text), framed by Content-Length. */
  RawHttp.Response upload(String key, String contentType, String body) throws Exception {
    return RawHttp.exchange(node.port(), head(key, contentType, "Content-Length: " + body.length() + "\r\n") + body,
        ANSWER);
  }

  @Test
  void aMultipartBodyWithoutItsClosingDelimiterIs400AndLeavesNothing() throws Exception {
    Api writer = node.integration("AI_Assistant", "metadata");
    RawHttp.Response response = upload(writer.key(), "multipart/form-data; boundary=" + BOUNDARY,
        metadataPart() + payloadPart("x".repeat(100_000)));
    assertThat(response.status()).as(response.toString()).isEqualTo(400);
    assertThat(response.isProblem()).isTrue();
    assertThat(response.json().getString("detail")).contains("closing delimiter");
  }

  @Test
  void anUploadWhoseClientLeavesMidPayloadLeavesNothing() throws Exception {
    Api writer = node.integration("AI_Assistant", "metadata");
    String body = metadataPart() + payloadPart("y".repeat(200_000));
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(head(writer.key(), "multipart/form-data; boundary=" + BOUNDARY, "Content-Length: "
          + (body.length() + 1_000_000) + "\r\n") + body);
      Thread.sleep(300);
      assertThat(leftovers.writersInFlight()).isEqualTo(1);
    }
  }

  @Test
  void malformedMultipartBodiesAre400() throws Exception {
    Api writer = node.integration("AI_Assistant", "metadata");
    String type = "multipart/form-data; boundary=" + BOUNDARY;
    Map<String, String[]> cases = new java.util.LinkedHashMap<>();
    cases.put("no boundary", new String[] {"multipart/form-data", metadataPart() + payloadPart("p") + closing()});
    cases.put("empty boundary", new String[] {"multipart/form-data; boundary=", metadataPart() + closing()});
    cases.put("part without disposition", new String[] {type, metadataPart()
        + part("Content-Type: application/octet-stream\r\n", "p") + closing()});
    cases.put("100 KB part header", new String[] {type, metadataPart() + part("Content-Disposition: form-data; "
        + "name=\"payload\"\r\nX-Filler: " + "f".repeat(100_000) + "\r\n", "p") + closing()});
    cases.put("base64 transfer encoding", new String[] {type, metadataPart() + part("Content-Disposition: "
        + "form-data; name=\"payload\"\r\nContent-Transfer-Encoding: base64\r\n", "cA==") + closing()});
    cases.put("random bytes", new String[] {type, "\u0001\u00ff garbage \u0000 not multipart at all"});
    cases.put("nested multipart/mixed payload", new String[] {type, metadataPart() + part("Content-Disposition: "
        + "form-data; name=\"payload\"\r\nContent-Type: multipart/mixed; boundary=inner\r\n", "--inner\r\n"
        + "Content-Disposition: file; filename=\"a.bin\"\r\n\r\ninner bytes\r\n--inner--") + closing()});
    cases.put("two metadata parts", new String[] {type, metadataPart() + metadataPart() + payloadPart("p")
        + closing()});
    cases.put("two payload parts", new String[] {type, metadataPart() + payloadPart("p") + payloadPart("q")
        + closing()});
    cases.put("an unknown part", new String[] {type, metadataPart() + part("Content-Disposition: form-data; "
        + "name=\"extra\"\r\n", "e") + payloadPart("p") + closing()});
    cases.put("metadata that is not an object", new String[] {type, part("Content-Disposition: form-data; "
        + "name=\"metadata\"\r\n", "[1,2]") + payloadPart("p") + closing()});
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      RawHttp.Response response = upload(writer.key(), c.getValue()[0], c.getValue()[1]);
      assertThat(response.status()).as(c.getKey() + ": " + response).isEqualTo(400);
      assertThat(response.isProblem()).as(c.getKey()).isTrue();
      leftovers.assertNoneWithin(Duration.ofSeconds(5));
    }
    assertThat(writer.get(ARTIFACTS).bodyAsJsonObject().getJsonArray("items")).isEmpty();
  }

  @Test
  void thePayloadIsStoredExactlyAsSent() throws Exception {
    Api writer = node.integration("AI_Assistant", "metadata");
    // Bytes that look like delimiters and line ends, but are not this body's delimiter.
    String payload = "\r\n--" + BOUNDARY.substring(0, 10) + "\r\n\r\n-" + BOUNDARY + "--\r\n--"
        + BOUNDARY.substring(1) + "\r\n\u0000\u00ff\r\n";
    RawHttp.Response created = upload(writer.key(), "Multipart/Form-Data; boundary=\"" + BOUNDARY + "\"",
        metadataPart() + payloadPart(payload) + closing());
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    io.vertx.core.buffer.Buffer stored = writer.get(created.header("location") + "/payload").body();
    assertThat(stored.getBytes()).isEqualTo(payload.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }
}
