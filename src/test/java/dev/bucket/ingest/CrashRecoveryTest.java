package dev.bucket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.storage.Store;
import dev.bucket.storage.Stores;
import dev.bucket.support.Api;
import dev.bucket.support.Eventually;
import dev.bucket.support.GatewayProcess;
import dev.bucket.support.MongoStandIn;
import dev.bucket.support.TestNode;
import dev.bucket.verify.Inputs;
import dev.bucket.verify.Report;
import dev.bucket.verify.StoreVerifier;
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
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What start-up repairs after a crash, and proof that a real SIGKILL in the middle of a write burst loses no
 * acknowledged artifact and leaves no artifact without its audit entry.
 */
@ExtendWith(VertxExtension.class)
class CrashRecoveryTest {

  static final String PRODUCT = "Workflow_Engine";
  static final String P = "/v1/products/" + PRODUCT + "/artifacts";

  @Test
  @Timeout(60)
  void anArtifactWrittenWithoutItsAuditEntryGetsTheEntryOnTheNextStart(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      HttpResponse<Buffer> v1 = node.integration(PRODUCT, "workflow_state").postJson(P, new JsonObject().put("artifact_class", "workflow_state")
          .put("artifact_id", "crashed").put("data", new JsonObject().put("state", "v1")));
      assertThat(v1.statusCode()).isEqualTo(201);
      node.stop();

      // The state a crash between the two writes leaves: version 2's document is in, its audit entry is not.
      Store store = Stores.open(vertx, node.config()).await();
      ArtifactRepository repository = new ArtifactRepository(store, 10);
      Artifact first = repository.findVersion(PRODUCT, "crashed", 1).await();
      Artifact orphan = new Artifact(PRODUCT, "crashed", first.artifactClass(), 2, first.createdAt(),
          first.createdBy(), first.contentHash(), first.size(), first.contentType(), first.contentHash(),
          first.metadata(), first.payloadRef(), first.chunkHashes(), null, first.rulesVersion(),
          first.schemaVersion());
      repository.insert(orphan).await();
      store.close().await();

      node.start();
      JsonArray entries = node.api().get("/audit/artifact/crashed").bodyAsJsonObject().getJsonArray("entries");
      JsonObject recovered = entries.stream().map(e -> (JsonObject) e)
          .filter(e -> e.getString("op").equals("artifact.version")).findFirst().orElseThrow();
      assertThat(recovered.getInteger("version")).isEqualTo(2);
      assertThat(recovered.getJsonObject("details").getBoolean("recovered")).isTrue();
      JsonObject report = node.api().send(HttpMethod.POST, "/audit/validate-immutability/crashed", Map.of(), null)
          .bodyAsJsonObject();
      assertThat(report.getBoolean("valid")).as(report.encodePrettily()).isTrue();

      // A second start finds nothing more to repair.
      node.stop();
      node.start();
      long versionEntries = node.api().get("/audit/artifact/crashed").bodyAsJsonObject().getJsonArray("entries")
          .stream().filter(e -> ((JsonObject) e).getString("op").equals("artifact.version")).count();
      assertThat(versionEntries).isEqualTo(1);
    }
  }

  @Test
  @Timeout(60)
  void aRetryCompletesAWriteWhoseAuditEntryWasNeverWritten(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api api = node.integration(PRODUCT, "workflow_state");
      JsonObject body = new JsonObject().put("artifact_class", "workflow_state")
          .put("data", new JsonObject().put("state", "same bytes"));
      Artifact template = node.node().artifacts()
          .findVersion(PRODUCT, api.postJson(P, body.copy().put("artifact_id", "template")).bodyAsJsonObject()
              .getString("artifact_id"), 1).await();
      // The document of "half-done" is stored, its commit entry is not (say the log was saturated).
      node.node().artifacts().insert(new Artifact(PRODUCT, "half-done", template.artifactClass(), 1,
          template.createdAt(), template.createdBy(), template.contentHash(), template.size(),
          template.contentType(), null, template.metadata(), template.payloadRef(), template.chunkHashes(), null,
          template.rulesVersion(), template.schemaVersion()))
          .await();

      HttpResponse<Buffer> retry = api.postJson(P, body.copy().put("artifact_id", "half-done"));
      assertThat(retry.statusCode()).isEqualTo(200);
      long index = retry.bodyAsJsonObject().getLong("audit_index");
      JsonObject commit = node.node().auditQueries().commitEntry(PRODUCT, "half-done", 1).await().toDocument();
      assertThat(commit.getLong("index")).isEqualTo(index);
      assertThat(commit.getJsonObject("details").getBoolean("recovered")).isTrue();
    }
  }

  @Test
  @Timeout(60)
  void writesTheSaturatedLogRefusesLeaveNothingBehindAndEveryStoredVersionIsWhole(Vertx vertx) throws Exception {
    // A log that takes one entry at a time refuses most of a burst (503).
    try (TestNode node = TestNode.started(vertx, Map.of("audit_queue_capacity", "1",
        "max_writes_per_second", "100000", "max_concurrent_writers", "1000"))) {
      Api api = node.integration(PRODUCT, "workflow_state");
      List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        burst.add(api.postJsonAsync(P, new JsonObject().put("artifact_class", "workflow_state")
            .put("artifact_id", "burst-" + i).put("data", new JsonObject().put("i", i))));
      }
      Future.join(burst).otherwiseEmpty().await();
      assertThat(burst).as("some writes were refused by the saturated log")
          .anyMatch(f -> f.succeeded() && f.result().statusCode() == 503);
      String key = node.api().get("/v1/log/key").bodyAsString().trim();
      node.stop();

      // A version is stored with its entry and its bytes or not at all: nothing is left for recovery to finish.
      Report report = new StoreVerifier(Inputs.verifierKey(key)).verify(node.dataDir(), null);
      assertThat(report.passed()).as(report.toString()).isTrue();
      assertThat(report.toString()).doesNotContain("awaiting");
    }
  }

  @ParameterizedTest(name = "payload store {0}")
  @ValueSource(strings = {"filesystem", "gridfs"})
  @Timeout(200)
  void aSigkillDuringAWriteBurstLosesNoAcknowledgedArtifact(String payloadStore, Vertx vertx) throws Exception {
    Path data = TestNode.freshDataDir();
    int port = freePort();
    Process gateway = startGateway(data, port, payloadStore);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(port), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
    String writerKey = GatewayProcess.approveWriter(client, "burst", PRODUCT, "workflow_state");
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Future<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 16; w++) {
      writers.add(writeUntilStopped(client, writerKey, "w" + w, acknowledged, writing));
    }
    // Kill mid-burst once writes flow (a cold gateway on a busy machine takes a while to acknowledge the first).
    Eventually.poll(acknowledged::size, n -> n >= 20, Duration.ofSeconds(30));
    Thread.sleep(300);
    gateway.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, requests in flight
    gateway.waitFor(10, TimeUnit.SECONDS);
    writing.set(false);
    Future.join(writers).await();
    assertThat(acknowledged).as("the burst acknowledged writes before the kill").isNotEmpty();

    gateway = startGateway(data, port, payloadStore);
    try {
      Set<String> listed = listArtifacts(client, writerKey);
      Set<String> committed = committedArtifacts(client);
      assertThat(listed).as("every acknowledged artifact survived").containsAll(acknowledged.keySet());
      assertThat(committed).as("every stored artifact has its audit entry").containsAll(listed);
      for (var ack : acknowledged.entrySet()) {
        JsonObject stored = client.get(P + "/" + ack.getKey()).bearerTokenAuthentication(writerKey).send().await()
            .bodyAsJsonObject();
        assertThat(stored.getString("content_hash")).isEqualTo(ack.getValue());
      }
      JsonObject chain = client.get("/audit/verify").bearerTokenAuthentication(TestNode.OWNER_KEY).send().await()
          .bodyAsJsonObject();
      assertThat(chain.getBoolean("ok")).as(chain.encode()).isTrue();
      System.out.printf("SIGKILL test (%s): %d acknowledged, %d stored, %d with commit entries%n",
          payloadStore, acknowledged.size(), listed.size(), committed.size());
    } finally {
      gateway.destroy();
      gateway.waitFor(20, TimeUnit.SECONDS);
      client.close();
    }
  }

  private static Future<Void> writeUntilStopped(WebClient client, String key, String writer,
                                                Map<String, String> acknowledged, AtomicBoolean writing) {
    if (!writing.get()) {
      return Future.succeededFuture();
    }
    String id = writer + "-" + System.nanoTime();
    return client.post(P).bearerTokenAuthentication(key).sendJsonObject(new JsonObject().put("artifact_class", "workflow_state")
            .put("artifact_id", id).put("data", new JsonObject().put("writer", writer).put("id", id)))
        .map(response -> {
          if (response.statusCode() == 201) {
            acknowledged.put(id, response.bodyAsJsonObject().getString("content_hash"));
          }
          return (Void) null;
        })
        .otherwiseEmpty()
        .compose(v -> writing.get() ? writeUntilStopped(client, key, writer, acknowledged, writing)
            : Future.succeededFuture());
  }

  private static Set<String> listArtifacts(WebClient client, String key) {
    Set<String> ids = new HashSet<>();
    String cursor = null;
    do {
      String uri = P + "?limit=100" + (cursor == null ? "" : "&cursor=" + cursor);
      JsonObject page = client.get(uri).bearerTokenAuthentication(key).send().await().bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> ids.add(((JsonObject) item).getString("artifact_id")));
      cursor = page.getString("next_cursor");
    } while (cursor != null);
    return ids;
  }

  /** Walks the whole log newest to oldest, collecting artifacts whose create was committed. */
  private static Set<String> committedArtifacts(WebClient client) {
    Set<String> ids = new HashSet<>();
    Long before = null;
    do {
      String uri = "/audit/recent?limit=1000" + (before == null ? "" : "&before=" + before);
      JsonObject page = client.get(uri).bearerTokenAuthentication(TestNode.OWNER_KEY).send().await()
          .bodyAsJsonObject();
      page.getJsonArray("entries").stream().map(e -> (JsonObject) e)
          .filter(e -> e.getString("op").equals("artifact.create") && e.getInteger("status") == 201)
          .forEach(e -> ids.add(e.getString("artifact_id")));
      before = page.getLong("next_before");
    } while (before != null);
    return ids;
  }

  private static Process startGateway(Path data, int port, String payloadStore) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "dev.bucket.Main", "serve", "--data-dir", data.toString(), "--http-port", Integer.toString(port),
        "--set", "payload_store=" + payloadStore, "--set", "owner_key=" + TestNode.OWNER_KEY,
        // GridFS lives in MongoDB: that gateway runs on the external store, the stand-in in this JVM.
        "--set", "mongo_uri=" + (payloadStore.equals("gridfs") ? MongoStandIn.uri() : ""),
        "--set", "mongo_db=" + MongoStandIn.database(data))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("gateway.log").toFile()))
        .start();
    // MongoDB waits out a crashed writer's intents (up to 30 s) before it serves, so allow for that.
    Instant deadline = Instant.now().plus(Duration.ofSeconds(75));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("gateway exited: " + Files.readString(data.resolve("gateway.log")));
      }
      try (var socket = new java.net.Socket("127.0.0.1", port)) {
        return process;
      } catch (java.io.IOException notYet) {
        Thread.sleep(100);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("gateway did not open port " + port + " within 75 s");
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
