package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.Eventually;
import dev.bucket.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The artifact API's behaviour through real HTTP against the embedded store, run once per payload store by the
 * subclasses.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ArtifactApiContract {

  static final String P = "/v1/products/AI_Assistant/artifacts";
  static final String AVATAR = "/v1/products/AI_Avatar/artifacts";
  static final long MAX_ARTIFACT_BYTES = 4 * 1024 * 1024;

  TestNode node;
  /** AI_Assistant's integration, writing class {@code metadata}. */
  Api api;
  /** AI_Avatar's integration, writing binary {@code model_checkpoint}s. */
  Api avatar;
  Api owner;

  abstract String payloadStore();

  /** Flips one stored byte of a payload behind the gateway's back, as an attacker with store access would. */
  abstract void tamperPayload(String ref, long offset) throws Exception;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = new TestNode(vertx, TestNode.freshDataDir(), Map.of("payload_store", payloadStore(),
        "max_artifact_bytes", Long.toString(MAX_ARTIFACT_BYTES), "max_json_body_bytes", "65536"));
    node.start();
    owner = node.api();
    api = node.integration("AI_Assistant", "metadata");
    avatar = node.integration("AI_Avatar", "model_checkpoint");
  }

  @AfterAll
  void stop() {
    node.stop();
  }

  static JsonObject createBody(String id, Object data) {
    return createBody("metadata", id, data);
  }

  static JsonObject createBody(String artifactClass, String id, Object data) {
    JsonObject body = new JsonObject().put("artifact_class", artifactClass)
        .put("metadata", new JsonObject().put("source", "test")).put("data", data);
    return id == null ? body : body.put("artifact_id", id);
  }

  static String uid() {
    return "a-" + UUID.randomUUID();
  }

  @Test
  void jsonArtifactRoundTripsWithProvenanceAndVerifiableHash() {
    String id = uid();
    JsonObject data = new JsonObject().put("answer", 42).put("text", "hello");
    HttpResponse<Buffer> created = api.postJson(P, createBody(id, data));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject body = created.bodyAsJsonObject();
    assertThat(body.getString("artifact_id")).isEqualTo(id);
    assertThat(body.getInteger("version")).isEqualTo(1);
    assertThat(body.getString("product_id")).isEqualTo("AI_Assistant");
    assertThat(body.getString("artifact_class")).isEqualTo("metadata");
    assertThat(body.getString("created_by")).isNotBlank();
    assertThat(body.getString("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(body.getLong("audit_index")).isNotNull();
    assertThat(created.getHeader("Location")).isEqualTo(P + "/" + id + "/versions/1");
    assertThat(created.getHeader("ETag")).isEqualTo("\"" + body.getString("content_hash") + "\"");

    HttpResponse<Buffer> payload = api.get(P + "/" + id + "/versions/1/payload");
    assertThat(payload.statusCode()).isEqualTo(200);
    assertThat(payload.bodyAsJsonObject()).isEqualTo(data);
    assertThat(Api.sha256(payload.body())).isEqualTo(body.getString("content_hash"));
    assertThat(payload.body().length()).isEqualTo(body.getLong("size").intValue());

    JsonObject latest = api.get(P + "/" + id).bodyAsJsonObject();
    assertThat(latest.getString("content_hash")).isEqualTo(body.getString("content_hash"));
    assertThat(latest.getJsonObject("metadata")).isEqualTo(new JsonObject().put("source", "test"));
  }

  @Test
  void binaryArtifactStreamsBackWithRangesAndConditionalRequests() {
    byte[] bytes = new byte[700_000];
    new Random(7).nextBytes(bytes);
    String id = uid();
    HttpResponse<Buffer> created = avatar.postMultipart(AVATAR, new JsonObject().put("artifact_class", "model_checkpoint")
        .put("artifact_id", id).put("metadata", new JsonObject().put("step", 1)), Buffer.buffer(bytes),
        "application/octet-stream", Map.of());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String hash = created.bodyAsJsonObject().getString("content_hash");
    String payloadPath = AVATAR + "/" + id + "/versions/1/payload";

    HttpResponse<Buffer> whole = avatar.get(payloadPath);
    assertThat(Api.sha256(whole.body())).isEqualTo(hash);
    assertThat(whole.getHeader("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(whole.getHeader("Accept-Ranges")).isEqualTo("bytes");

    HttpResponse<Buffer> range = avatar.get(payloadPath, Map.of("Range", "bytes=262000-262999"));
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.getHeader("Content-Range")).isEqualTo("bytes 262000-262999/700000");
    assertThat(range.body().getBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 262000, 263000));

    HttpResponse<Buffer> suffix = avatar.get(payloadPath, Map.of("Range", "bytes=-10"));
    assertThat(suffix.body().getBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 699990, 700000));

    assertProblem(avatar.get(payloadPath, Map.of("Range", "bytes=800000-")), 416, "range-not-satisfiable");
    assertThat(avatar.get(payloadPath, Map.of("If-None-Match", "\"" + hash + "\"")).statusCode()).isEqualTo(304);
    assertThat(avatar.send(HttpMethod.HEAD, payloadPath, Map.of(), null).getHeader("Content-Length"))
        .isEqualTo("700000");
  }

  @Test
  void newVersionNeedsCurrentEtagAndOldVersionsStayReadable() {
    String id = uid();
    HttpResponse<Buffer> v1 = api.postJson(P, createBody(id, "first"));
    String etag1 = v1.getHeader("ETag");
    String versions = P + "/" + id + "/versions";

    assertProblem(api.postJson(versions, new JsonObject().put("data", "second")), 428, "precondition-required");
    HttpResponse<Buffer> v2 = api.postJson(versions, new JsonObject().put("data", "second"),
        Map.of("If-Match", etag1));
    assertThat(v2.statusCode()).as(v2.bodyAsString()).isEqualTo(201);
    JsonObject v2body = v2.bodyAsJsonObject();
    assertThat(v2body.getInteger("version")).isEqualTo(2);
    assertThat(v2body.getString("previous_version_hash")).isEqualTo(v1.bodyAsJsonObject().getString("content_hash"));
    assertThat(v2body.getString("artifact_class")).isEqualTo("metadata");

    HttpResponse<Buffer> stale = api.postJson(versions, new JsonObject().put("data", "third"),
        Map.of("If-Match", etag1));
    assertProblem(stale, 412, "precondition-failed");
    assertThat(stale.getHeader("ETag")).isEqualTo(v2.getHeader("ETag"));

    assertThat(api.get(versions + "/1/payload").bodyAsString()).isEqualTo("\"first\"");
    assertThat(api.get(versions + "/2/payload").bodyAsString()).isEqualTo("\"second\"");
    assertThat(api.get(P + "/" + id).bodyAsJsonObject().getInteger("version")).isEqualTo(2);
    assertThat(api.get(versions).bodyAsJsonObject().getJsonArray("items")).hasSize(2);
  }

  @Test
  void concurrentWritersOnTheSameVersionCollideAndExactlyOneWins(Vertx vertx) {
    String id = uid();
    String etag = api.postJson(P, createBody(id, 0)).getHeader("ETag");
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultPort(node.port())
        .setDefaultHost("127.0.0.1"), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
    List<Future<HttpResponse<Buffer>>> attempts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      attempts.add(client.post(P + "/" + id + "/versions").putHeader("If-Match", etag).bearerTokenAuthentication(api.key())
          .sendJsonObject(new JsonObject().put("data", "writer-" + i)));
    }
    Future.join(attempts).await();
    long won = attempts.stream().filter(f -> f.result().statusCode() == 201).count();
    long lost = attempts.stream().filter(f -> f.result().statusCode() == 412).count();
    assertThat(won).isEqualTo(1);
    assertThat(lost).isEqualTo(11);
    assertThat(api.get(P + "/" + id + "/versions").bodyAsJsonObject().getJsonArray("items")).hasSize(2);
    client.close();
  }

  @Test
  void everyMutatingMethodOnEveryArtifactPathIsRefusedWith405AndAllow() {
    String id = uid();
    api.postJson(P, createBody(id, 1));
    Map<String, String> paths = Map.of(
        P, "GET, POST",
        P + "/" + id, "GET",
        P + "/" + id + "/versions", "GET, POST",
        P + "/" + id + "/versions/1", "GET",
        P + "/" + id + "/versions/1/payload", "GET, HEAD");
    for (var path : paths.entrySet()) {
      for (HttpMethod method : List.of(HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)) {
        HttpResponse<Buffer> response = api.send(method, path.getKey(), Map.of("Content-Type", "application/json"),
            Buffer.buffer("{\"data\":\"overwrite\"}"));
        assertProblem(response, 405, "method-not-allowed");
        assertThat(response.getHeader("Allow")).isEqualTo(path.getValue());
      }
    }
    assertThat(api.get(P + "/" + id + "/versions/1/payload").bodyAsString()).isEqualTo("1");
  }

  @Test
  void retryingACreateReturnsTheOriginalAndDifferentContentConflicts() {
    String id = uid();
    HttpResponse<Buffer> first = api.postJson(P, createBody(id, "same"));
    HttpResponse<Buffer> retry = api.postJson(P, createBody(id, "same"));
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());

    HttpResponse<Buffer> different = api.postJson(P, createBody(id, "other"));
    assertProblem(different, 409, "artifact-exists");
    assertThat(different.getHeader("Location")).isEqualTo(P + "/" + id + "/versions/1");

    String key = UUID.randomUUID().toString();
    HttpResponse<Buffer> keyed = api.postJson(P, createBody(null, "keyed"), Map.of("Idempotency-Key", key));
    HttpResponse<Buffer> keyedRetry = api.postJson(P, createBody(null, "keyed"), Map.of("Idempotency-Key", key));
    assertThat(keyed.statusCode()).isEqualTo(201);
    assertThat(keyedRetry.statusCode()).isEqualTo(200);
    assertThat(keyedRetry.bodyAsJsonObject()).isEqualTo(keyed.bodyAsJsonObject());
    assertProblem(api.postJson(P, createBody(null, "not keyed"), Map.of("Idempotency-Key", key)), 409,
        "artifact-exists");
  }

  @Test
  void concurrentRetriesUnderOneIdempotencyKeyCreateOneArtifactAndReplayIt(Vertx vertx) {
    String key = UUID.randomUUID().toString();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultPort(node.port())
        .setDefaultHost("127.0.0.1"), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
    List<Future<HttpResponse<Buffer>>> attempts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      // No artifact id: each attempt would create its own, so only the key ties them together.
      attempts.add(client.post(P).putHeader("Idempotency-Key", key).bearerTokenAuthentication(api.key())
          .sendJsonObject(createBody(null, "keyed once")));
    }
    Future.join(attempts).await();
    List<HttpResponse<Buffer>> answers = attempts.stream().map(Future::result).toList();
    assertThat(answers).extracting(HttpResponse::statusCode).as(answers.stream().map(HttpResponse::bodyAsString)
        .toList().toString()).containsExactlyInAnyOrder(201, 200, 200, 200, 200, 200, 200, 200);
    assertThat(answers).extracting(r -> r.bodyAsJsonObject().getString("artifact_id")).containsOnly(
        answers.get(0).bodyAsJsonObject().getString("artifact_id"));
    client.close();
  }

  @Test
  void badInputGetsProblemJsonNeverA500() {
    assertProblem(api.send(HttpMethod.POST, P, Map.of("Content-Type", "application/json"),
        Buffer.buffer("{not json")), 400, "malformed-json");
    assertProblem(api.send(HttpMethod.POST, P, Map.of("Content-Type", "text/plain"), Buffer.buffer("x")), 415,
        "unsupported-media-type");
    assertProblem(api.postJson(P, new JsonObject().put("artifact_class", "metadata")), 400, "invalid-request");
    assertProblem(api.postJson(P, createBody(null, 1).put("surprise", true)), 400, "invalid-request");
    assertProblem(api.postJson(P, createBody("../../etc", 1)), 400, "invalid-request");
    assertProblem(api.postJson(P, createBody(null, 1).put("metadata", "flat")), 400, "invalid-request");
    assertProblem(api.postJson("/v1/products/bad%20product!/artifacts", createBody(null, 1)), 400, "invalid-request");
    assertProblem(api.get("/no/such/route"), 404, "not-found");
    assertProblem(api.get(P + "/" + uid()), 404, "artifact-not-found");
    assertProblem(api.get(P + "/x/versions/0"), 400, "invalid-request");
    assertProblem(api.get(P + "?limit=100000"), 400, "bulk-read-refused");
    String boundary = "b";
    Buffer onlyMetadata = dev.bucket.support.Multipart.fieldPart(boundary, "metadata",
        new JsonObject().put("artifact_class", "metadata").encode()).appendString("--" + boundary + "--\r\n");
    assertProblem(api.send(HttpMethod.POST, P, Map.of("Content-Type", "multipart/form-data; boundary=" + boundary),
        onlyMetadata), 400, "missing-part");
    assertProblem(api.postMultipart(P, new JsonObject().put("artifact_class", "Bad Class"), Buffer.buffer("x"),
        "text/plain", Map.of()), 400, "invalid-request");
  }

  @Test
  void aJsonBodyOverItsLimitIsRefusedWith413AndTheConnectionStaysUsable() {
    String big = "x".repeat(70_000);
    assertProblem(api.postJson(P, createBody(uid(), big)), 413, "payload-too-large");
    assertThat(api.postJson(P, createBody(uid(), "small")).statusCode()).isEqualTo(201);
  }

  @Test
  void listingIsPaginatedByCursorWithAHardPageCap() {
    // Gurukul's artifacts are written by this test only, so the listing holds exactly these.
    String product = "/v1/products/Gurukul/artifacts";
    Api gurukul = node.integration("Gurukul", "lesson_content");
    for (int i = 0; i < 5; i++) {
      assertThat(gurukul.postJson(product, createBody("lesson_content", "item-" + i, i)).statusCode()).isEqualTo(201);
    }
    JsonObject first = gurukul.get(product + "?limit=2").bodyAsJsonObject();
    assertThat(first.getJsonArray("items")).hasSize(2);
    JsonObject second = gurukul.get(product + "?limit=2&cursor=" + first.getString("next_cursor")).bodyAsJsonObject();
    JsonObject third = gurukul.get(product + "?limit=2&cursor=" + second.getString("next_cursor")).bodyAsJsonObject();
    List<Object> ids = new ArrayList<>();
    for (JsonObject page : List.of(first, second, third)) {
      page.getJsonArray("items").forEach(item -> ids.add(((JsonObject) item).getString("artifact_id")));
    }
    assertThat(ids).containsExactly("item-0", "item-1", "item-2", "item-3", "item-4");
    assertThat(third.containsKey("next_cursor")).isFalse();
    String foreignCursor = java.util.Base64.getUrlEncoder().encodeToString("Other/item-0/1".getBytes());
    assertProblem(gurukul.get(product + "?cursor=" + foreignCursor), 400, "invalid-request");
    assertProblem(gurukul.get(product + "?cursor=%%%"), 400, "invalid-request");
  }

  @Test
  void everyOperationIncludingRefusalsLandsInTheAuditLog() {
    String id = uid();
    api.postJson(P, createBody(id, "audited"));
    api.get(P + "/" + id);
    api.send(HttpMethod.DELETE, P + "/" + id, Map.of(), null);
    // Reads and refusals are acknowledged once queued; they become visible with the next group commit.
    JsonArray entries = awaitEntries(id, 3);
    List<String> ops = entries.stream().map(e -> ((JsonObject) e).getString("op") + ":"
        + ((JsonObject) e).getString("outcome")).toList();
    assertThat(ops).contains("artifact.create:success", "artifact.read:success", "artifact.mutate:refused");
    JsonObject create = entries.stream().map(e -> (JsonObject) e)
        .filter(e -> e.getString("op").equals("artifact.create")).findFirst().orElseThrow();
    assertThat(create.getString("entry_hash")).matches("[0-9a-f]{64}");
    assertThat(create.getString("retention_until")).isNotBlank();

    JsonArray failed = owner.get("/audit/failed?limit=50").bodyAsJsonObject().getJsonArray("entries");
    assertThat(failed.stream().map(e -> ((JsonObject) e).getString("artifact_id"))).contains(id);
    assertThat(owner.get("/audit/recent?limit=5").bodyAsJsonObject().getJsonArray("entries")).hasSize(5);
    assertThat(owner.get("/audit/user/" + create.getString("actor") + "?limit=3").bodyAsJsonObject()
        .getJsonArray("entries")).hasSize(3);

    HttpResponse<Buffer> manual = owner.postJson("/audit/log", new JsonObject().put("message", "quarterly review")
        .put("artifact_id", id));
    assertThat(manual.statusCode()).isEqualTo(201);
    long index = manual.bodyAsJsonObject().getLong("audit_index");
    JsonArray after = owner.get("/audit/artifact/" + id).bodyAsJsonObject().getJsonArray("entries");
    assertThat(after.getJsonObject(0).getLong("index")).isEqualTo(index);
    assertThat(after.getJsonObject(0).getString("op")).isEqualTo("audit.manual");
  }

  /** The artifact's audit entries once at least {@code count} are durable, waiting at most two seconds. */
  JsonArray awaitEntries(String artifactId, int count) {
    return Eventually.poll(() -> owner.get("/audit/artifact/" + artifactId).bodyAsJsonObject()
        .getJsonArray("entries"), seen -> seen.size() >= count, Duration.ofSeconds(2));
  }

  @Test
  void validationPassesOnAnUntouchedArtifact() {
    String id = uid();
    String etag = api.postJson(P, createBody(id, "v1")).getHeader("ETag");
    api.postJson(P + "/" + id + "/versions", new JsonObject().put("data", "v2"), Map.of("If-Match", etag));
    HttpResponse<Buffer> report = owner.send(HttpMethod.POST, "/audit/validate-immutability/" + id, Map.of(), null);
    assertThat(report.statusCode()).isEqualTo(200);
    JsonObject body = report.bodyAsJsonObject();
    assertThat(body.getBoolean("valid")).as(body.encodePrettily()).isTrue();
    assertThat(body.getJsonArray("versions")).hasSize(2);
    assertThat(body.getJsonObject("audit_chain").getBoolean("ok")).isTrue();
  }

  @Test
  void healthReportsVersionUptimeAndLiveStoreState() {
    JsonObject health = api.get("/health").bodyAsJsonObject();
    assertThat(health.getString("status")).isEqualTo("healthy");
    assertThat(health.getString("bucket_version")).isNotBlank();
    assertThat(health.getLong("uptime_seconds")).isGreaterThanOrEqualTo(0);
    assertThat(health.getJsonObject("services").getString("store")).isEqualTo("connected");
    assertThat(health.getJsonObject("services").getString("payload_store")).isEqualTo(payloadStore());
  }

  @Test
  void validationNamesTheExactByteRangeOfATamperedPayload() throws Exception {
    byte[] bytes = new byte[700_000];
    new Random(11).nextBytes(bytes);
    String id = uid();
    avatar.postMultipart(AVATAR, new JsonObject().put("artifact_class", "model_checkpoint").put("artifact_id", id),
        Buffer.buffer(bytes), "application/octet-stream", Map.of());
    var artifact = node.node().artifacts().findVersion("AI_Avatar", id, 1).await();
    tamperPayload(artifact.payloadRef(), 300_000);

    JsonObject report = owner.send(HttpMethod.POST, "/audit/validate-immutability/" + id, Map.of(), null)
        .bodyAsJsonObject();
    assertThat(report.getBoolean("valid")).isFalse();
    JsonObject payload = report.getJsonArray("versions").getJsonObject(0).getJsonObject("payload");
    assertThat(payload.getBoolean("intact")).isFalse();
    assertThat(payload.getJsonArray("damaged_ranges")).containsExactly(
        new JsonObject().put("chunk", 1).put("first_byte", 262144).put("last_byte", 524287));
    assertThat(report.getJsonArray("problems").encode()).contains("262144-524287");
  }
}
