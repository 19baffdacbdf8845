package dev.bucket.storage;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on the MongoDB driver, against an in-memory MongoDB-wire server, plus how it makes batches
 * atomic without transactions: what a node that died mid-batch leaves behind is finished or undone on open.
 */
class MongoStoreContractTest extends StoreContract {

  private static final Space S = Space.ARTIFACTS;
  private static final Space C = Space.COUNTERS;

  private MongoServer server;
  private JsonObject options;
  /** Plants what a node that died left behind, and looks at the raw documents. */
  private MongoClient mongo;
  private Vertx vertx;

  @Override
  protected Future<MongoStore> open(Vertx vertx, Path dir) {
    this.vertx = vertx;
    server = new MongoServer(new MemoryBackend());
    options = new JsonObject().put("connection_string", "mongodb://127.0.0.1:" + server.bind().getPort())
        .put("db_name", "test").put("serverSelectionTimeoutMS", 1000);
    mongo = MongoClient.create(vertx, options);
    return reopen(MongoStore.MAX_WRITING, MongoStore.MAX_PENDING);
  }

  private Future<MongoStore> reopen(int maxWriting, int maxPending) {
    return MongoStore.open(vertx, options, maxWriting, maxPending);
  }

  @AfterEach
  void stopServer() {
    store.close().await();
    mongo.close().await();
    server.shutdownNow();
  }

  private static JsonObject v(Object... fields) {
    JsonObject value = new JsonObject();
    for (int i = 0; i < fields.length; i += 2) {
      value.put((String) fields[i], fields[i + 1]);
    }
    return value;
  }

  private long intents() {
    return mongo.count(MongoIntent.COLLECTION, new JsonObject()).await();
  }

  private JsonArray counterMarks(String key) {
    return mongo.findOne(C.storeName(), v("_id", key), null).await().getJsonArray("a");
  }

  @Test
  void concurrentCommitsOnOneKeyApplyInArrivalOrderAndLeaveNothingBehind() {
    List<Future<Void>> commits = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      commits.add(store.commit(new Batch().put(S, "last", v("i", i)).increment(C, "n", v("n", 1))));
    }
    Future.all(commits).await();

    assertThat(store.get(S, "last").await()).isEqualTo(v("i", 39));
    assertThat(store.get(C, "n").await()).isEqualTo(v("n", 40L));
    store.close().await(); // lets the background clean-ups finish
    assertThat(intents()).isZero();
    assertThat(counterMarks("n")).isEmpty();
  }

  @Test
  void operationsOnOneKeyInOneBatchTakeEffectInOrder() {
    store.commit(new Batch().put(S, "existing", v("n", 0)).put(S, "doomed", v("n", 0))).await();

    store.commit(new Batch()
        .put(S, "put-then-delete", v("n", 1)).delete(S, "put-then-delete")
        .delete(S, "existing").insert(S, "existing", v("n", 2))
        .insert(S, "insert-then-count", v("n", 1, "s", "x")).increment(S, "insert-then-count", v("n", 2))
        .increment(S, "count-then-put", v("n", 1)).put(S, "count-then-put", v("n", 7))
        .insert(S, "insert-then-delete", v()).delete(S, "insert-then-delete")
        .delete(S, "doomed")).await();

    assertThat(store.get(S, "put-then-delete").await()).isNull();
    assertThat(store.get(S, "existing").await()).isEqualTo(v("n", 2));
    assertThat(store.get(S, "insert-then-count").await()).isEqualTo(v("n", 3L, "s", "x"));
    assertThat(store.get(S, "count-then-put").await()).isEqualTo(v("n", 7));
    assertThat(store.get(S, "insert-then-delete").await()).isNull();
    assertThat(store.get(S, "doomed").await()).isNull();
    assertThat(failureOf(store.commit(new Batch().put(S, "p", v()).insert(S, "p", v()))))
        .isInstanceOf(KeyConflictException.class);
    assertThat(failureOf(store.commit(new Batch().insert(S, "existing", v()).delete(S, "existing"))))
        .as("an insert followed by a delete still needs the key free")
        .isInstanceOf(KeyConflictException.class);
    assertThat(store.get(S, "existing").await()).isEqualTo(v("n", 2));
  }

  @Test
  void aConflictLeavesNoIntentBehind() {
    store.commit(new Batch().insert(S, "taken", v())).await();

    assertThat(failureOf(store.commit(new Batch().insert(S, "fresh", v()).insert(S, "taken", v()))))
        .isInstanceOf(KeyConflictException.class);
    assertThat(intents()).isZero();
  }

  @Test
  void aLeftoverIntentIsCompletedOnOpenAndCountsOnce() {
    store.commit(new Batch().increment(C, "usage", v("n", 10))).await();
    long id = 42;
    MongoIntent intent = MongoIntent.of(new Batch().insert(S, "i1", v("n", 1)).insert(S, "i2", v("n", 2))
        .put(S, "p", v("n", 3)).increment(C, "usage", v("n", 5)).increment(C, "fresh", v("n", 1)), id, 0);
    // The node died after storing the intent, one of its inserts and one of its counters.
    mongo.insert(MongoIntent.COLLECTION, intent.document()).await();
    mongo.insert(S.storeName(), v("_id", "i1", "v", v("n", 1), "b", id)).await();
    mongo.updateCollection(C.storeName(), v("_id", "usage"), v("$inc", v("v.n", 5L), "$push", v("a", id))).await();
    store.close().await();

    store = reopen(MongoStore.MAX_WRITING, MongoStore.MAX_PENDING).await();

    assertThat(store.get(S, "i1").await()).isEqualTo(v("n", 1));
    assertThat(store.get(S, "i2").await()).isEqualTo(v("n", 2));
    assertThat(store.get(S, "p").await()).isEqualTo(v("n", 3));
    assertThat(store.get(C, "usage").await()).isEqualTo(v("n", 15L));
    assertThat(store.get(C, "fresh").await()).isEqualTo(v("n", 1L));
    assertThat(intents()).isZero();
    assertThat(counterMarks("usage")).as("finished batches leave no marks on counters").isEmpty();
  }

  @Test
  void aLeftoverIntentMarkedDoneIsOnlyCleanedUpAndWithoutWaiting() {
    long id = 7;
    // Just written: were it not done, open would wait for its writer to finish it.
    MongoIntent intent = MongoIntent.of(new Batch().increment(C, "usage", v("n", 5)), id, System.currentTimeMillis());
    mongo.insert(MongoIntent.COLLECTION, intent.document().copy().put("done", true)).await();
    mongo.insert(C.storeName(), v("_id", "usage", "v", v("n", 5L), "a", new JsonArray().add(id))).await();
    store.close().await();

    store = reopen(MongoStore.MAX_WRITING, MongoStore.MAX_PENDING).await();

    assertThat(store.get(C, "usage").await()).isEqualTo(v("n", 5L));
    assertThat(intents()).isZero();
    assertThat(counterMarks("usage")).isEmpty();
  }

  @Test
  void aLeftoverIntentWhoseInsertConflictsIsRolledBackOnOpen() {
    store.commit(new Batch().put(S, "taken", v("owner", "other"))).await();
    long id = 99;
    MongoIntent intent = MongoIntent.of(new Batch().insert(S, "mine", v("n", 1)).insert(S, "taken", v("n", 2))
        .put(S, "p", v("n", 3)).increment(C, "usage", v("n", 5)), id, 0);
    mongo.insert(MongoIntent.COLLECTION, intent.document()).await();
    mongo.insert(S.storeName(), v("_id", "mine", "v", v("n", 1), "b", id)).await();
    store.close().await();

    store = reopen(MongoStore.MAX_WRITING, MongoStore.MAX_PENDING).await();

    assertThat(store.get(S, "mine").await()).isNull();
    assertThat(store.get(S, "taken").await()).isEqualTo(v("owner", "other"));
    assertThat(store.get(S, "p").await()).isNull();
    assertThat(store.get(C, "usage").await()).isNull();
    assertThat(intents()).isZero();
  }

  @Test
  void aBatchLargerThanOneMongoDocumentIsRefused() {
    String large = "x".repeat(MongoIntent.MAX_BYTES);

    assertThat(failureOf(store.commit(new Batch().put(S, "big", v("s", large)))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.get(S, "big").await()).isNull();
  }

  @Test
  void commitsBeyondThePendingBoundFailFast() {
    MongoStore capped = reopen(1, 1).await();
    try {
      Future<Void> first = capped.commit(new Batch().put(S, "a", v()));
      Future<Void> second = capped.commit(new Batch().put(S, "b", v()));

      assertThat(failureOf(second)).isInstanceOf(StoreUnavailableException.class);
      first.await();
      assertThat(capped.get(S, "a").await()).isEqualTo(v());
    } finally {
      capped.close().await();
    }
  }

  @Test
  void anUnreachableMongoDbMakesTheStoreUnavailable() {
    server.shutdownNow();

    assertThat(failureOf(store.get(S, "a"))).isInstanceOf(StoreUnavailableException.class);
    assertThat(failureOf(store.commit(new Batch().put(S, "a", v())))).isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void afterAFailedBatchCommitsAreRefusedUntilItIsRepaired() throws Exception {
    int port = server.getLocalAddress().getPort();
    server.shutdownNow();
    assertThat(failureOf(store.commit(new Batch().put(S, "a", v())))).isInstanceOf(StoreUnavailableException.class);
    assertThat(failureOf(store.commit(new Batch().put(S, "b", v()))))
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("earlier batch");

    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try {
        store.commit(new Batch().put(S, "b", v())).await();
        break;
      } catch (StoreUnavailableException refused) {
        assertThat(System.nanoTime()).as("repaired in time").isLessThan(deadline);
        Thread.sleep(200);
      }
    }
    assertThat(store.get(S, "b").await()).isEqualTo(v());
  }

  @Test
  void pingsAndLeavesBackupsToMongodump() {
    store.ping().await();
    assertThat(store.mode()).isEqualTo("external");
    assertThat(failureOf(store.backup(Path.of("unused"))))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("mongodump");
  }

  @Test
  void aClosedStoreRefusesCommits() {
    store.close().await();

    assertThat(failureOf(store.commit(new Batch().put(S, "a", v())))).isInstanceOf(StoreUnavailableException.class);
  }
}
