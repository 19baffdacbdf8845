package dev.bucket.audit;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.bucket.storage.DurabilityBarrier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A fresh in-memory MongoDB per test, and helpers shared by the Mongo-backed audit tests. */
@ExtendWith(VertxExtension.class)
abstract class MongoTestBase {

  static final Instant T0 = Instant.parse("2026-11-22T18:00:00.123Z");

  MongoServer server;
  MongoClient mongo;

  @BeforeEach
  void startMongo(Vertx vertx) {
    server = new MongoServer(new MemoryBackend());
    InetSocketAddress address = server.bind();
    mongo = MongoClient.create(vertx, new JsonObject()
        .put("connection_string", "mongodb://127.0.0.1:" + address.getPort())
        .put("db_name", "test"));
  }

  /** Vert.x first, so that undeployed audit verticles drain into a MongoDB that is still there. */
  @AfterEach
  void stopMongo(Vertx vertx) throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    mongo.close();
    server.shutdownNow();
  }

  static AuditRecord record(String actor, String artifactId, int version) {
    return new AuditRecord(actor, "prod-a", "artifact.version", artifactId, version, "sha256:" + "ab".repeat(32),
        AuditRecord.Outcome.SUCCESS, 201, null, new JsonObject().put("n", version));
  }

  /** {@code count} chained entries, one second apart, as the log would seal them after {@code head}. */
  static List<AuditEntry> chain(AuditHead head, int count) {
    List<AuditEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      AuditEntry entry = HashChain.next(head, record("user-" + (i % 3), "art-" + (i % 4), i), T0.plusSeconds(i));
      entries.add(entry);
      head = HashChain.headAfter(entry);
    }
    return entries;
  }

  Future<Void> insert(List<AuditEntry> entries) {
    return mongo.bulkWrite(AuditEntry.COLLECTION,
            entries.stream().map(e -> BulkOperation.createInsert(e.toDocument())).toList())
        .mapEmpty();
  }

  /** Runs {@code action} on {@code context}: an {@link AuditLog} must be used on the context that started it. */
  static <T> Future<T> on(Context context, Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  /** Counts syncs; while {@link #hold()} is in force, syncs complete only on {@link #release()}. */
  static final class CountingBarrier implements DurabilityBarrier {
    final AtomicInteger syncs = new AtomicInteger();
    final Promise<Void> firstSync = Promise.promise();
    private volatile Promise<Void> held;

    CountingBarrier hold() {
      held = Promise.promise();
      return this;
    }

    void release() {
      Promise<Void> release = held;
      held = null;
      release.complete();
    }

    @Override
    public Future<Void> sync() {
      syncs.incrementAndGet();
      firstSync.tryComplete();
      return held == null ? Future.succeededFuture() : held.future();
    }
  }
}
