package dev.bucket.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bucket.support.Api;
import dev.bucket.support.Eventually;
import dev.bucket.support.GatewayProcess;
import dev.bucket.support.TestNode;
import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.NoteException;
import dev.bucket.transparency.NoteVerifier;
import dev.bucket.verify.ConsistencyVerifier;
import dev.bucket.verify.Inputs;
import dev.bucket.verify.Report;
import dev.bucket.verify.StoreVerifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Crash torture: cycles of writing at full speed for a random while, then SIGKILL or SIGTERM at a random moment,
 * then a restart. After every stop {@code bucket verify store} checks the data directory offline: the hash chain
 * from the first entry, the Merkle root against the newest stored checkpoint and against the last one seen before
 * the stop, and every version's commit entry and payload hash. After every restart every acknowledged write reads
 * back byte-identical, and a consistency proof from the last checkpoint seen before the stop to the newest verifies
 * with the log's key.
 *
 * <p>The normal run does a short version. The documented long run (docs/benchmarks.md) sets
 * {@code -Dtorture.cycles=20 -Dtorture.min.seconds=5 -Dtorture.max.seconds=30}, and {@code -Dtorture.data.dir=DIR}
 * to torture a store that already holds a million artifacts (only the writes of this run are then read back; the
 * offline check still covers everything, so allow it {@code -Dtorture.check.seconds=600} per cycle).
 */
@ExtendWith(VertxExtension.class)
class CrashTortureTest {

  static final String PRODUCT = "Workflow_Engine";
  static final String P = "/v1/products/" + PRODUCT + "/artifacts";
  static final int CYCLES = Integer.getInteger("torture.cycles", 3);
  static final int MIN_SECONDS = Integer.getInteger("torture.min.seconds", 2);
  static final int MAX_SECONDS = Integer.getInteger("torture.max.seconds", 4);
  static final int WRITERS = Integer.getInteger("torture.writers", 16);
  static final long SEED = Long.getLong("torture.seed", System.nanoTime());
  /** Time allowed per cycle for the stop, the checks and the restart; a store of a million needs more. */
  static final int CHECK_SECONDS = Integer.getInteger("torture.check.seconds", 120);

  /** An acknowledged write: what was sent and the content hash the 201 named. */
  record Acknowledged(JsonObject data, String contentHash) {
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.HOURS) // the real bound is the budget below, which scales with the cycles
  void everyAcknowledgedWriteSurvivesRandomKillsAndStops(Vertx vertx) throws Exception {
    Duration budget = Duration.ofSeconds((long) CYCLES * (MAX_SECONDS + CHECK_SECONDS));
    assertTimeoutPreemptively(budget, () -> torture(vertx));
  }

  private void torture(Vertx vertx) throws Exception {
    Random random = new Random(SEED);
    String given = System.getProperty("torture.data.dir");
    Path data = given == null ? TestNode.freshDataDir() : Path.of(given);
    Map<String, Acknowledged> acknowledged = new ConcurrentHashMap<>();
    System.out.printf("crash torture: seed %d, %d cycles of %d-%d s, data in %s%n", SEED, CYCLES, MIN_SECONDS,
        MAX_SECONDS, data);
    try (GatewayProcess gateway = new GatewayProcess(data, List.of("max_writes_per_second=1000000",
        "max_reads_per_second=1000000", "max_concurrent_writers=10000"))) {
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(gateway.port()), new PoolOptions().setHttp1MaxSize(WRITERS + 16));
      gateway.start(Duration.ofSeconds(60));
      String writerKey = GatewayProcess.approveWriter(client, "torture", PRODUCT, "workflow_state");
      NoteVerifier key = Inputs.verifierKey(client.get("/v1/log/key").send().await().bodyAsString().trim());
      String previousNote = null;
      String how = "first start";
      for (int cycle = 1; cycle <= CYCLES; cycle++) {
        if (cycle > 1) {
          verifyStopped(data, key, previousNote);
          gateway.start(Duration.ofSeconds(60));
          verifyRestarted(client, acknowledged, key, previousNote);
        }
        System.out.printf("cycle %d: healthy %d ms after %s; %d acknowledged so far%n", cycle,
            gateway.lastStartup().toMillis(), how, acknowledged.size());
        long writeMillis = 1000L * MIN_SECONDS + (long) (random.nextDouble() * 1000 * (MAX_SECONDS - MIN_SECONDS));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> lastNote = new AtomicReference<>(previousNote);
        List<Future<Void>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          writers.add(writeUntilStopped(client, writerKey, "c" + cycle + "w" + w, acknowledged, writing));
        }
        long timer = vertx.setPeriodic(200, id -> client.get("/v1/log/checkpoint").send()
            .onSuccess(r -> {
              if (r.statusCode() == 200) {
                lastNote.set(r.bodyAsString());
              }
            }));
        Thread.sleep(writeMillis);
        boolean kill = random.nextBoolean();
        vertx.cancelTimer(timer);
        if (kill) {
          gateway.kill();
        } else {
          gateway.stop();
        }
        writing.set(false);
        Future.join(writers).otherwiseEmpty().await();
        previousNote = lastNote.get();
        how = kill ? "SIGKILL" : "SIGTERM";
      }
      verifyStopped(data, key, previousNote);
      gateway.start(Duration.ofSeconds(60));
      System.out.printf("final start: healthy %d ms after %s%n", gateway.lastStartup().toMillis(), how);
      verifyRestarted(client, acknowledged, key, previousNote);
      client.close();
    }
    assertThat(acknowledged).as("the cycles acknowledged writes").isNotEmpty();
  }

  /**
   * Everything this run promised, checked on the stopped gateway's data directory (chain, tree, every version's commit
   * entry and payload, the last checkpoint seen before the stop) and then through the restarted gateway (every
   * acknowledged write read back, a consistency proof across the stop).
   */
  private static void verifyStopped(Path data, NoteVerifier key, String previousNote) {
    long started = System.nanoTime();
    Report offline = new StoreVerifier(key).verify(data, previousNote);
    assertThat(offline.passed()).as("bucket verify store:\n" + offline).isTrue();
    // Versions are committed with their entries: a stop, however abrupt, leaves none for recovery to finish.
    assertThat(offline.toString()).as("versions without their commit entry").doesNotContain("awaiting");
    System.out.printf("  verified offline in %d ms: %s%n", (System.nanoTime() - started) / 1_000_000,
        offline.steps().get(offline.steps().size() - 1).detail());
  }

  private static void verifyRestarted(WebClient client, Map<String, Acknowledged> acknowledged, NoteVerifier key,
                                      String previousNote) throws Exception {
    long started = System.nanoTime();
    readBack(client, acknowledged);
    long before = previousNote == null ? 0 : Checkpoint.parse(NoteVerifier.open(previousNote, key).text()).size();
    if (before > 0) {
      // The tree catches up with the durable log within a second of start.
      String note = Eventually.poll(() -> client.get("/v1/log/checkpoint").send().await().bodyAsString(),
          signed -> size(signed, key) >= before, Duration.ofSeconds(10));
      long after = size(note, key);
      assertThat(after).as("the tree never shrinks across a restart").isGreaterThanOrEqualTo(before);
      HttpResponse<Buffer> answer = client.get("/v1/log/proof/consistency?first=" + before + "&second=" + after)
          .bearerTokenAuthentication(TestNode.OWNER_KEY).send().await();
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
      Report consistent = new ConsistencyVerifier(key).verify(previousNote, note,
          ConsistencyVerifier.Proof.parse(answer.bodyAsJsonObject()));
      assertThat(consistent.passed()).as("consistency " + before + " -> " + after + ": " + consistent.steps())
          .isTrue();
    }
    System.out.printf("  %d writes read back, consistency proof checked in %d ms%n", acknowledged.size(),
        (System.nanoTime() - started) / 1_000_000);
  }

  private static long size(String note, NoteVerifier key) {
    try {
      return Checkpoint.parse(NoteVerifier.open(note, key).text()).size();
    } catch (NoteException e) {
      return -1;
    }
  }

  /** Reads every acknowledged payload back, 32 at a time, comparing its bytes' hash and content. */
  private static void readBack(WebClient client, Map<String, Acknowledged> acknowledged) {
    List<Map.Entry<String, Acknowledged>> all = new ArrayList<>(acknowledged.entrySet());
    for (int from = 0; from < all.size(); from += 32) {
      List<Future<Void>> page = new ArrayList<>();
      for (Map.Entry<String, Acknowledged> ack : all.subList(from, Math.min(all.size(), from + 32))) {
        page.add(client.get(P + "/" + ack.getKey() + "/versions/1/payload")
            .bearerTokenAuthentication(TestNode.OWNER_KEY).send().map(response -> {
              assertThat(response.statusCode()).as(ack.getKey()).isEqualTo(200);
              Buffer bytes = response.body();
              assertThat(Api.sha256(bytes)).as(ack.getKey()).isEqualTo(ack.getValue().contentHash());
              assertThat(new JsonObject(bytes)).as(ack.getKey()).isEqualTo(ack.getValue().data());
              return null;
            }));
      }
      Future.all(page).await();
    }
  }

  private static Future<Void> writeUntilStopped(WebClient client, String key, String writer,
                                                Map<String, Acknowledged> acknowledged, AtomicBoolean writing) {
    if (!writing.get()) {
      return Future.succeededFuture();
    }
    String id = writer + "-" + System.nanoTime();
    JsonObject data = new JsonObject().put("writer", writer).put("id", id).put("n", System.nanoTime() % 1000);
    return client.post(P).bearerTokenAuthentication(key).sendJsonObject(new JsonObject()
            .put("artifact_class", "workflow_state").put("artifact_id", id).put("data", data))
        .map(response -> record(response, id, data, acknowledged))
        .otherwiseEmpty()
        .compose(v -> writeUntilStopped(client, key, writer, acknowledged, writing));
  }

  private static Void record(HttpResponse<Buffer> response, String id, JsonObject data,
                             Map<String, Acknowledged> acknowledged) {
    if (response.statusCode() == 201) {
      acknowledged.put(id, new Acknowledged(data, response.bodyAsJsonObject().getString("content_hash")));
    }
    return null;
  }
}
