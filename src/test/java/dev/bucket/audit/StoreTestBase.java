package dev.bucket.audit;

import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.RocksStore;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A fresh embedded store per test, and helpers shared by the store-backed audit tests. The code under test gets
 * {@link #store}, whose commits a test may hold; the helpers that seed or tamper write to {@link #rocks} directly.
 */
@ExtendWith(VertxExtension.class)
abstract class StoreTestBase {

  static final Instant T0 = Instant.parse("2026-11-22T18:00:00.123Z");

  @TempDir
  Path dir;
  RocksStore rocks;
  GatedStore store;

  @BeforeEach
  void openStore(Vertx vertx) throws Exception {
    rocks = await(RocksStore.open(vertx, dir.resolve("store"), RocksStore.Settings.defaults()));
    store = new GatedStore(rocks);
  }

  /** Verticles first, so that undeployed audit verticles drain into a store that is still open. */
  @AfterEach
  void closeStore(Vertx vertx) throws Exception {
    await(Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()).otherwiseEmpty());
    await(rocks.close());
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
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

  /** Writes {@code entries} as the log does, with their secondary keys, in one commit. */
  Future<Void> insert(List<AuditEntry> entries) {
    Batch batch = new Batch();
    entries.forEach(entry -> batch.addAll(AuditIndex.write(new HashChain.Sealed(entry,
        AuditEntry.leafHash(entry.canonicalBytes())))));
    return rocks.commit(batch);
  }

  /** The stored document of entry {@code index}, or null. */
  Future<JsonObject> stored(long index) {
    return rocks.get(Space.AUDIT, AuditEntry.key(index));
  }

  /** Replaces what is stored at {@code index}, bypassing the log: neither the chain nor the secondary keys follow. */
  Future<Void> overwrite(long index, JsonObject doc) {
    return rocks.commit(new Batch().put(Space.AUDIT, AuditEntry.key(index), doc));
  }

  /** Edits the document stored at {@code index}, bypassing the log. */
  Future<Void> tamper(long index, UnaryOperator<JsonObject> edit) {
    return stored(index).compose(doc -> overwrite(index, edit.apply(doc)));
  }

  /** Deletes the entries at {@code indexes}, bypassing the log: their secondary keys stay. */
  Future<Void> remove(long... indexes) {
    Batch batch = new Batch();
    for (long index : indexes) {
      batch.delete(Space.AUDIT, AuditEntry.key(index));
    }
    return rocks.commit(batch);
  }

  /** Runs {@code action} on {@code context}: an {@link AuditLog} must be used on the context that started it. */
  static <T> Future<T> on(Context context, Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  /**
   * The store under test: counts commits and, while {@link #hold()} is in force, starts them only on
   * {@link #release()}, each on the context that asked for it (as the store contract requires).
   */
  static final class GatedStore implements Store {
    final AtomicInteger commits = new AtomicInteger();
    final Promise<Void> firstCommit = Promise.promise();
    private final Store delegate;
    private volatile Promise<Void> held;

    GatedStore(Store delegate) {
      this.delegate = delegate;
    }

    GatedStore hold() {
      held = Promise.promise();
      return this;
    }

    void release() {
      Promise<Void> release = held;
      held = null;
      release.complete();
    }

    @Override
    public Future<Void> commit(Batch batch) {
      commits.incrementAndGet();
      firstCommit.tryComplete();
      Promise<Void> gate = held;
      if (gate == null) {
        return delegate.commit(batch);
      }
      Context context = Vertx.currentContext();
      Promise<Void> committed = Promise.promise();
      gate.future().onComplete(v -> context.runOnContext(run -> delegate.commit(batch).onComplete(committed)));
      return committed.future();
    }

    @Override
    public Future<JsonObject> get(Space space, String key) {
      return delegate.get(space, key);
    }

    @Override
    public Future<Map<String, JsonObject>> getAll(Space space, Collection<String> keys) {
      return delegate.getAll(space, keys);
    }

    @Override
    public Future<List<KeyValue>> scan(Space space, String from, String to, int limit, boolean reverse) {
      return delegate.scan(space, from, to, limit, reverse);
    }

    @Override
    public Future<Void> backup(Path target) {
      return delegate.backup(target);
    }

    @Override
    public Future<Void> ping() {
      return delegate.ping();
    }

    @Override
    public String mode() {
      return delegate.mode();
    }

    @Override
    public Future<Void> close() {
      return delegate.close();
    }
  }
}
