package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.Multipart;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cap on writes in flight ({@code max_concurrent_writers} = 2) through real HTTP: uploads that stall hold their
 * permits, a third write is answered 503 at once, and every permit comes back however the request ends: success,
 * a refusal after admission, or a client that drops its connection mid-upload.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriterCapApiTest {

  static final String BASE = "/v1/products/AI_Assistant/artifacts";
  static final String BOUNDARY = "writer-cap-boundary";

  TestNode node;
  Api owner;
  Api assistant;
  HttpClient raw;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of("max_concurrent_writers", "2"));
    owner = node.api();
    assistant = node.integration("AI_Assistant", "metadata");
    raw = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(8));
  }

  @AfterAll
  void stop() {
    raw.close().await();
    node.close();
  }

  static JsonObject write(int n) {
    return new JsonObject().put("artifact_class", "metadata")
        .put("metadata", new JsonObject().put("source", "writer-cap-test")).put("data", new JsonObject().put("n", n));
  }

  int inFlight() {
    return owner.get("/metrics/concurrent-writes").bodyAsJsonObject().getInteger("in_flight");
  }

  static void within(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  /** A multipart upload that declares 10 MB, sends its metadata and 64 KiB of payload, then stalls. */
  HttpClientRequest stalledUpload() {
    HttpClientRequest request = raw.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(node.port()).setURI(BASE)).await();
    Buffer head = Multipart.fileHeader(BOUNDARY, "metadata", "application/json")
        .appendString(new JsonObject().put("artifact_class", "metadata").encode()).appendString("\r\n")
        .appendBuffer(Multipart.fileHeader(BOUNDARY, "payload", "application/octet-stream"))
        .appendBuffer(Buffer.buffer(new byte[64 * 1024]));
    request.putHeader("Authorization", "Bearer " + assistant.key())
        .putHeader("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
        .putHeader("Content-Length", Long.toString(10_000_000L));
    request.write(head).await();
    return request;
  }

  @Test
  void stalledUploadsHoldTheirPermitsAThirdWriteIs503AndAbortedUploadsGiveThemBack() throws Exception {
    assertThat(inFlight()).isZero();
    List<HttpClientRequest> stalled = new ArrayList<>();
    stalled.add(stalledUpload());
    stalled.add(stalledUpload());
    within(Duration.ofSeconds(10), () -> inFlight() == 2, "two uploads in flight");

    HttpResponse<Buffer> third = assistant.postJson(BASE, write(3));
    assertProblem(third, 503, "concurrency-limit");
    assertThat(third.getHeader("Retry-After")).isEqualTo("1");
    assertThat(third.bodyAsJsonObject().getInteger("max_concurrent_writers")).isEqualTo(2);
    // The refused write never reached the store, and reads are not capped.
    assertThat(owner.get("/metrics/concurrent-writes").bodyAsJsonObject().getLong("refused_total")).isEqualTo(1);

    // The clients go away mid-upload: both permits come back.
    stalled.forEach(request -> request.connection().close());
    within(Duration.ofSeconds(10), () -> inFlight() == 0, "permits of aborted uploads returned");
    HttpResponse<Buffer> after = assistant.postJson(BASE, write(4));
    assertThat(after.statusCode()).as(after.bodyAsString()).isEqualTo(201);
    // The permit comes back once the response is written, which the client may see a moment before.
    within(Duration.ofSeconds(5), () -> inFlight() == 0, "the permit of the finished write returned");

    // Not one audit entry per 503: a per-second summary of the writer-cap refusals.
    within(Duration.ofSeconds(10), () -> gatewayEntries().stream().anyMatch(e -> "ceiling.shed".equals(
        e.getString("op")) && "concurrency".equals(e.getJsonObject("details").getString("cause"))
        && e.getJsonObject("details").getLong("count") == 1), "a concurrency shed summary");
    assertThat(owner.get("/audit/failed?limit=1000").bodyAsJsonObject().getJsonArray("entries").stream()
        .map(JsonObject.class::cast).filter(e -> "concurrency-limit".equals(e.getString("reason"))))
        .allSatisfy(e -> assertThat(e.getString("op")).isEqualTo("ceiling.shed"));
  }

  @Test
  void writesRefusedAfterAdmissionReturnTheirPermits() throws Exception {
    // Admitted by the ceilings, then refused by the gate's class check, the schema, or If-Match: 4xx, permit back.
    HttpResponse<Buffer> forbidden = assistant.postJson(BASE, write(1).put("artifact_class", "system_config"));
    assertThat(forbidden.statusCode()).isEqualTo(403);
    HttpResponse<Buffer> malformed = assistant.send(HttpMethod.POST, BASE, Map.of("Content-Type",
        "application/json"), Buffer.buffer("{not json"));
    assertThat(malformed.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> noIfMatch = assistant.postJson(BASE + "/nothing/versions", new JsonObject()
        .put("data", new JsonObject()));
    assertThat(noIfMatch.statusCode()).isEqualTo(428);
    within(Duration.ofSeconds(5), () -> inFlight() == 0, "permits of refused writes returned");
    for (int i = 0; i < 5; i++) {
      assertThat(assistant.postJson(BASE, write(10 + i)).statusCode()).isEqualTo(201);
    }
    assertThat(inFlight()).isZero();
  }

  List<JsonObject> gatewayEntries() {
    return owner.get("/audit/user/gateway?limit=1000").bodyAsJsonObject().getJsonArray("entries").stream()
        .map(JsonObject.class::cast).toList();
  }
}
