package dev.bucket.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.audit.AuditEntry;
import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.RocksStore;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import dev.bucket.storage.Stores;
import dev.bucket.support.Api;
import dev.bucket.support.Eventually;
import dev.bucket.support.TestNode;
import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.NoteVerifier;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code bucket verify store} on the data directory of a real gateway, stopped, as written and after tampering. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreVerifierTest {

  static final String P = "/v1/products/AI_Assistant/artifacts";

  private TestNode node;
  private NoteVerifier key;
  private String keptNote;

  /** A gateway that stored small JSON artifacts (inline) and one large payload (a file), then stopped. */
  @BeforeEach
  void writeAndStop(Vertx vertx) throws IOException {
    node = TestNode.started(vertx, Map.of());
    try {
      write(node, 0, 12);
      Buffer large = Buffer.buffer(new byte[40_000]).setString(0, "large");
      Api writer = node.integration("AI_Assistant", "metadata");
      assertThat(writer.postMultipart(P, new JsonObject().put("artifact_class", "metadata")
          .put("artifact_id", "large"), large, "application/octet-stream", Map.of()).statusCode()).isEqualTo(201);
      key = Inputs.verifierKey(node.api().get("/v1/log/key").bodyAsString().trim());
      keptNote = signedCheckpointOfWholeLog(node);
    } catch (UnusableInputException e) {
      throw new AssertionError(e);
    } finally {
      node.stop();
    }
  }

  @Test
  void aStoppedGatewaysDataDirectoryVerifiesWithTheCheckpointAClientKept() {
    Report report = new StoreVerifier(key).verify(node.dataDir(), keptNote);

    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.steps()).extracting(Report.Step::name).containsExactly(StoreVerifier.STORE,
        StoreVerifier.CHECKPOINT, StoreVerifier.CHAIN, StoreVerifier.ROOT, StoreVerifier.VERSIONS);
    assertThat(report.steps().get(4).detail()).startsWith("13 versions intact");
  }

  @Test
  void anEditedLogEntryIsNamedByTheHashChain(Vertx vertx) {
    tamper(vertx, store -> {
      JsonObject entry = store.get(Space.AUDIT, AuditEntry.key(3)).await();
      return new Batch().put(Space.AUDIT, AuditEntry.key(3), entry.put("actor", "someone_else"));
    });

    Report report = new StoreVerifier(key).verify(node.dataDir(), keptNote);

    assertThat(report.failure()).hasValueSatisfying(step -> {
      assertThat(step.name()).isEqualTo(StoreVerifier.CHAIN);
      assertThat(step.detail()).contains("audit entry 3");
    });
  }

  @Test
  void changedInlinePayloadBytesAreFound(Vertx vertx) {
    tamper(vertx, store -> {
      KeyValue payload = store.scan(Space.PAYLOADS, null, null, 1, false).await().get(0);
      return new Batch().put(Space.PAYLOADS, payload.key(), new JsonObject().put("bytes", "{}".getBytes()));
    });

    Report report = new StoreVerifier(key).verify(node.dataDir(), keptNote);

    assertThat(report.failure()).hasValueSatisfying(step -> {
      assertThat(step.name()).isEqualTo(StoreVerifier.VERSIONS);
      assertThat(step.detail()).contains("its payload is 2 bytes");
    });
  }

  @Test
  void aChangedPayloadFileIsFound() throws IOException {
    Path file;
    try (Stream<Path> files = Files.walk(node.dataDir().resolve("payloads").resolve("sha256"))) {
      file = files.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);

    Report report = new StoreVerifier(key).verify(node.dataDir(), keptNote);

    assertThat(report.failure()).hasValueSatisfying(step -> {
      assertThat(step.name()).isEqualTo(StoreVerifier.VERSIONS);
      assertThat(step.detail()).contains("AI_Assistant/large v1");
    });
  }

  @Test
  void aStoreRolledBackBehindAKeptCheckpointFails(Vertx vertx) throws IOException {
    Path older = Files.createTempDirectory("bucket-older-");
    copy(node.dataDir(), older);
    node.start();
    write(node, 100, 3);
    String newer = signedCheckpointOfWholeLog(node);
    node.stop();

    Report report = new StoreVerifier(key).verify(older, newer);

    assertThat(report.failure()).hasValueSatisfying(step -> {
      assertThat(step.name()).isEqualTo(StoreVerifier.CHECKPOINT);
      assertThat(step.detail()).contains("signed entries are missing");
    });
  }

  @Test
  void aCheckpointSignedByAnotherKeyIsRefused() throws Exception {
    NoteVerifier other = Inputs.verifierKey(LogFixture.populated().verifierKey());

    Report report = new StoreVerifier(other).verify(node.dataDir(), null);

    assertThat(report.failure()).hasValueSatisfying(step -> {
      assertThat(step.name()).isEqualTo(StoreVerifier.CHECKPOINT);
      assertThat(step.detail()).contains("not signed by the trusted key");
    });
  }

  @Test
  void aDirectoryWithoutAStoreIsUnusableInput() throws IOException {
    Report report = new StoreVerifier(key).verify(Files.createTempDirectory("bucket-empty-"), null);

    assertThat(report.exitCode()).isEqualTo(Report.UNUSABLE_INPUT);
    assertThat(report.failure().orElseThrow().detail()).contains("holds no embedded store");
  }

  /** Opens the stopped node's store for writing and commits what {@code edit} returns, as an intruder would. */
  private void tamper(Vertx vertx, java.util.function.Function<Store, Batch> edit) {
    RocksStore store = RocksStore.open(vertx, node.dataDir().resolve(Stores.EMBEDDED_DIR),
        RocksStore.Settings.defaults()).await();
    try {
      store.commit(edit.apply(store)).await();
    } finally {
      store.close().await();
    }
  }

  private static void write(TestNode node, int first, int count) {
    Api writer = node.integration("AI_Assistant", "metadata");
    for (int i = first; i < first + count; i++) {
      assertThat(writer.postJson(P, new JsonObject().put("artifact_class", "metadata")
          .put("artifact_id", "a" + i).put("data", new JsonObject().put("n", i))).statusCode()).isEqualTo(201);
    }
  }

  /** Waits for the gateway to sign a checkpoint of its whole log, and returns it. */
  private String signedCheckpointOfWholeLog(TestNode node) {
    long head = node.api().get("/audit/verify").bodyAsJsonObject().getLong("log_size");
    String note = Eventually.poll(() -> node.api().get("/v1/log/checkpoint").bodyAsString(),
        signed -> size(signed) >= head, Duration.ofSeconds(10));
    assertThat(size(note)).as("a checkpoint of the whole log").isGreaterThanOrEqualTo(head);
    return note;
  }

  private long size(String note) {
    try {
      return Checkpoint.parse(NoteVerifier.open(note, key).text()).size();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
