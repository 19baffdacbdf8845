package dev.bucket.storage;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable artifact-plus-log-entry commits per second through the {@link Store} interface alone, on the embedded
 * driver: each commit inserts an artifact version with its index keys and usage counter, and an audit entry with
 * its index keys, the shape of one create. Not a unit test (tag {@code benchmark}); docs/benchmarks.md gives the
 * command and the results:
 * {@code ./mvnw test -Dtest=StoreThroughputBenchmark -Dsurefire.excludedGroups= -Dbench.commits=200000}
 */
@Tag("benchmark")
@ExtendWith(VertxExtension.class)
class StoreThroughputBenchmark {

  static final int COMMITS = Integer.getInteger("bench.commits", 200_000);
  static final int IN_FLIGHT = Integer.getInteger("bench.in.flight", 512);

  @TempDir
  Path dir;

  @Test
  void durableCommitsPerSecond(Vertx vertx) throws Exception {
    RocksStore store = RocksStore.open(vertx, dir.resolve("store"), RocksStore.Settings.defaults()).await();
    try {
      run(vertx, store, Math.min(20_000, COMMITS), 0); // warm-up: JIT and the engine's first memtables
      long started = System.nanoTime();
      run(vertx, store, COMMITS, 1_000_000);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("%d durable commits (artifact + log entry + 8 index keys and a counter each) in %.2f s:"
          + " %.0f commits/s, %d in flight%n", COMMITS, seconds, COMMITS / seconds, IN_FLIGHT);
    } finally {
      store.close().await();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      long bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      System.out.printf("store on disk after close: %d bytes, %.0f bytes per commit%n", bytes,
          (double) bytes / (COMMITS + Math.min(20_000, COMMITS)));
    }
  }

  /** {@code count} commits, at most {@link #IN_FLIGHT} at once, issued from an event loop. */
  private static void run(Vertx vertx, Store store, int count, long offset) {
    Promise<Void> done = Promise.promise();
    AtomicLong issued = new AtomicLong();
    AtomicLong completed = new AtomicLong();
    vertx.runOnContext(v -> {
      for (int i = 0; i < IN_FLIGHT; i++) {
        next(store, count, offset, issued, completed, done);
      }
    });
    done.future().await();
  }

  private static void next(Store store, int count, long offset, AtomicLong issued, AtomicLong completed,
                           Promise<Void> done) {
    long n = issued.getAndIncrement();
    if (n >= count) {
      return;
    }
    store.commit(create(offset + n)).onComplete(result -> {
      if (result.failed()) {
        done.tryFail(result.cause());
        return;
      }
      if (completed.incrementAndGet() == count) {
        done.tryComplete();
      }
      next(store, count, offset, issued, completed, done);
    });
  }

  /** One create as the write path stores it. */
  static Batch create(long n) {
    String product = "Product_" + (n % 5);
    String artifact = "artifact-" + n;
    String hash = HexFormat.of().formatHex(randomBytes(32));
    String ts = java.time.Instant.ofEpochMilli(1_790_000_000_000L + n).toString();
    JsonObject version = new JsonObject().put("product_id", product).put("artifact_id", artifact).put("version", 1)
        .put("artifact_class", "metadata").put("content_hash", "sha256:" + hash).put("size", 96)
        .put("content_type", "application/json").put("created_at", ts).put("created_by", "it_assistant")
        .put("metadata", new JsonObject().put("language", "en")).put("rules_version", 1).put("schema_version", 1);
    JsonObject entry = new JsonObject().put("index", n).put("ts", ts).put("actor", "it_assistant")
        .put("product", product).put("op", "artifact.create").put("artifact_id", artifact).put("version", 1)
        .put("content_hash", "sha256:" + hash).put("outcome", "success").put("status", 201)
        .put("prev_hash", HexFormat.of().formatHex(randomBytes(32)))
        .put("entry_hash", HexFormat.of().formatHex(randomBytes(32)))
        .put("leaf_hash", HexFormat.of().formatHex(randomBytes(32)));
    String key = Keys.of(product, artifact, Keys.num(1));
    JsonObject pointer = new JsonObject().put("index", n);
    return new Batch()
        .insert(Space.ARTIFACTS, key, version)
        .insert(Space.ARTIFACT_INDEX, Keys.of("first", product, artifact), new JsonObject())
        .insert(Space.ARTIFACT_INDEX, Keys.of("class", product, "metadata", artifact), new JsonObject())
        .insert(Space.ARTIFACT_INDEX, Keys.of("created", ts, product + "/" + artifact + "/1"), new JsonObject())
        .increment(Space.COUNTERS, Keys.of("usage", product), new JsonObject().put("bytes", 96).put("versions", 1))
        .insert(Space.AUDIT, Keys.num(n), entry)
        .insert(Space.AUDIT_INDEX, Keys.of("commit", product + "/" + artifact + "/1"), pointer)
        .insert(Space.AUDIT_INDEX, Keys.of("leaf", entry.getString("leaf_hash")), pointer)
        .insert(Space.AUDIT_INDEX, Keys.of("actor", "it_assistant", Keys.num(n)), new JsonObject())
        .insert(Space.AUDIT_INDEX, Keys.of("artifact", artifact, Keys.num(n)), new JsonObject().put("p", product));
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
