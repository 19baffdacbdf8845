package dev.bucket.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link MongoStore} against an in-memory MongoDB-wire server. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class MongoStoreContractTest {

  private static final Space S = Space.ARTIFACTS;
  private static final Space C = Space.COUNTERS;

  private Vertx vertx;
  private MongoServer server;
  private JsonObject options;
  private MongoStore store;
  /** Plants what a node that died left behind, and looks at the raw documents. */
  private MongoClient mongo;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    server = new MongoServer(new MemoryBackend());
    InetSocketAddress address = server.bind();
    options = new JsonObject().put("connection_string", "mongodb://127.0.0.1:" + address.getPort())
        .put("db_name", "test").put("serverSelectionTimeoutMS", 1000);
    store = open(MongoStore.MAX_IN_FLIGHT);
    mongo = MongoClient.create(vertx, options);
  }

  @AfterEach
  void stop() throws Exception {
    await(store.close());
    await(mongo.close());
    server.shutdownNow();
  }

  private MongoStore open(int maxInFlight) throws Exception {
    return await(MongoStore.open(vertx, options, maxInFlight));
  }

  private static JsonObject v(Object... fields) {
    JsonObject value = new JsonObject();
    for (int i = 0; i < fields.length; i += 2) {
      value.put((String) fields[i], fields[i + 1]);
    }
    return value;
  }

  @Test
  void putReplacesAndDeleteRemoves() throws Exception {
    await(store.commit(new Batch().put(S, "a", v("n", 1)).put(S, "b", v("n", 2))));
    await(store.commit(new Batch().put(S, "a", v("s", "x")).delete(S, "b").delete(S, "never")));

    assertThat(await(store.get(S, "a"))).isEqualTo(v("s", "x"));
    assertThat(await(store.get(S, "b"))).isNull();
    assertThat(await(store.get(Space.AUDIT, "a"))).as("spaces are apart").isNull();
  }

  @Test
  void getAllReturnsTheExistingKeysInTheOrderAsked() throws Exception {
    await(store.commit(new Batch().put(S, "a", v("n", 1)).put(S, "b", v("n", 2)).put(S, "c", v("n", 3))));

    assertThat(await(store.getAll(S, List.of("c", "missing", "a", "c"))))
        .containsExactly(entry("c", v("n", 3)), entry("a", v("n", 1)));
    assertThat(await(store.getAll(S, List.of()))).isEmpty();
  }

  private static java.util.Map.Entry<String, JsonObject> entry(String key, JsonObject value) {
    return java.util.Map.entry(key, value);
  }

  @Test
  void scansFollowUtf8KeyOrderWithinBoundsAndLimit() throws Exception {
    Batch batch = new Batch();
    for (int i = 0; i < 10; i++) {
      batch.put(S, Keys.of("p", Keys.num(i)), v("i", i));
    }
    batch.put(S, Keys.of("p-other", "x"), v("i", -1)).put(S, Keys.of("o"), v("i", -2));
    await(store.commit(batch));

    assertThat(ints(await(store.scanPrefix(S, Keys.prefix("p"), 100, false)))).containsExactly(0, 1, 2, 3, 4, 5, 6,
        7, 8, 9);
    assertThat(ints(await(store.scanPrefix(S, Keys.prefix("p"), 3, true)))).containsExactly(9, 8, 7);
    assertThat(ints(await(store.scan(S, Keys.of("p", Keys.num(3)), Keys.of("p", Keys.num(6)), 100, false))))
        .containsExactly(3, 4, 5);
    assertThat(ints(await(store.scan(S, Keys.of("p", Keys.num(3)), Keys.of("p", Keys.num(6)), 2, true))))
        .containsExactly(5, 4);
    assertThat(ints(await(store.scan(S, null, Keys.of("p", Keys.num(1)), 100, false)))).containsExactly(-2, 0);
    assertThat(ints(await(store.scan(S, Keys.of("p", Keys.num(9)), null, 100, false)))).containsExactly(9, -1);
    assertThat(await(store.scan(S, null, null, 0, false))).isEmpty();
    assertThat(await(store.scan(S, null, null, 100, true))).hasSize(12).first()
        .isEqualTo(new KeyValue(Keys.of("p-other", "x"), v("i", -1)));
  }

  private static List<Integer> ints(List<KeyValue> records) {
    return records.stream().map(record -> record.value().getInteger("i")).toList();
  }

  @Test
  void incrementsAddToCountersAndCreateMissingOnes() throws Exception {
    await(store.commit(new Batch().increment(C, "usage", v("bytes", 10, "count", 1))));
    await(store.commit(new Batch().increment(C, "usage", v("bytes", 5L, "files", 2))));

    assertThat(await(store.get(C, "usage"))).isEqualTo(v("bytes", 15L, "count", 1L, "files", 2L));
  }

  @Test
  void concurrentCommitsOfOneNodeOnOneKeyApplyInArrivalOrder() throws Exception {
    List<Future<Void>> commits = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      commits.add(store.commit(new Batch().put(S, "last", v("i", i)).increment(C, "n", v("n", 1))));
    }
    await(Future.all(commits));

    assertThat(await(store.get(S, "last"))).isEqualTo(v("i", 39));
    assertThat(await(store.get(C, "n"))).isEqualTo(v("n", 40L));
    await(store.close()); // lets the background clean-ups finish
    assertThat(intents()).isZero();
    assertThat(await(mongo.findOne(C.storeName(), v("_id", "n"), null)).getJsonArray("a")).isEmpty();
  }

  @Test
  void anInsertOfAStoredKeyFailsTheWholeBatch() throws Exception {
    await(store.commit(new Batch().put(S, "taken", v("owner", "first")).put(S, "kept", v("n", 1))));

    Future<Void> conflicting = store.commit(new Batch().insert(S, "fresh", v("n", 1)).insert(S, "taken",
            v("owner", "second")).put(Space.AUDIT, "put", v("n", 1)).delete(S, "kept")
        .increment(C, "counter", v("n", 1)));

    assertThatThrownBy(() -> await(conflicting)).isInstanceOfSatisfying(KeyConflictException.class, e -> {
      assertThat(e.space()).isEqualTo(S);
      assertThat(e.key()).isEqualTo("taken");
    });
    assertThat(await(store.get(S, "taken"))).isEqualTo(v("owner", "first"));
    assertThat(await(store.get(S, "fresh"))).isNull();
    assertThat(await(store.get(Space.AUDIT, "put"))).isNull();
    assertThat(await(store.get(S, "kept"))).isEqualTo(v("n", 1));
    assertThat(await(store.get(C, "counter"))).isNull();
    assertThat(intents()).isZero();
  }

  @Test
  void anInsertOfAKeyTheBatchWroteBeforeConflicts() {
    assertThatThrownBy(() -> await(store.commit(new Batch().put(S, "a", v()).insert(S, "a", v()))))
        .isInstanceOf(KeyConflictException.class);
    assertThatThrownBy(() -> await(store.commit(new Batch().insert(S, "b", v()).insert(S, "b", v()))))
        .isInstanceOf(KeyConflictException.class);
  }

  @Test
  void operationsOnOneKeyInOneBatchTakeEffectInOrder() throws Exception {
    await(store.commit(new Batch().put(S, "existing", v("n", 0)).put(S, "doomed", v("n", 0))));

    await(store.commit(new Batch()
        .put(S, "put-then-delete", v("n", 1)).delete(S, "put-then-delete")
        .delete(S, "existing").insert(S, "existing", v("n", 2))
        .insert(S, "insert-then-count", v("n", 1, "s", "x")).increment(S, "insert-then-count", v("n", 2))
        .increment(C, "count-twice", v("n", 1)).increment(C, "count-twice", v("n", 2))
        .increment(S, "count-then-put", v("n", 1)).put(S, "count-then-put", v("n", 7))
        .insert(S, "insert-then-delete", v()).delete(S, "insert-then-delete")
        .delete(S, "doomed")));

    assertThat(await(store.get(S, "put-then-delete"))).isNull();
    assertThat(await(store.get(S, "existing"))).isEqualTo(v("n", 2));
    assertThat(await(store.get(S, "insert-then-count"))).isEqualTo(v("n", 3L, "s", "x"));
    assertThat(await(store.get(C, "count-twice"))).isEqualTo(v("n", 3L));
    assertThat(await(store.get(S, "count-then-put"))).isEqualTo(v("n", 7));
    assertThat(await(store.get(S, "insert-then-delete"))).isNull();
    assertThat(await(store.get(S, "doomed"))).isNull();

    await(store.commit(new Batch().put(S, "taken", v())));
    assertThatThrownBy(() -> await(store.commit(new Batch().insert(S, "taken", v()).delete(S, "taken"))))
        .as("an insert followed by a delete still requires the key to be free")
        .isInstanceOf(KeyConflictException.class);
    assertThat(await(store.get(S, "taken"))).isEqualTo(v());
  }

  @Test
  void aLeftoverIntentIsCompletedOnOpenAndCountsOnce() throws Exception {
    await(store.commit(new Batch().increment(C, "usage", v("n", 10))));
    long id = 42;
    MongoIntent intent = MongoIntent.of(new Batch().insert(S, "i1", v("n", 1)).insert(S, "i2", v("n", 2))
        .put(S, "p", v("n", 3)).increment(C, "usage", v("n", 5)).increment(C, "fresh", v("n", 1)), id, 0);
    // The node died after storing the intent, one of its inserts and one of its counters.
    await(mongo.insert(MongoIntent.COLLECTION, intent.document()));
    await(mongo.insert(S.storeName(), v("_id", "i1", "v", v("n", 1), "b", id)));
    await(mongo.updateCollection(C.storeName(), v("_id", "usage"),
        v("$inc", v("v.n", 5L), "$push", v("a", id))));
    await(store.close());

    store = open(MongoStore.MAX_IN_FLIGHT);

    assertThat(await(store.get(S, "i1"))).isEqualTo(v("n", 1));
    assertThat(await(store.get(S, "i2"))).isEqualTo(v("n", 2));
    assertThat(await(store.get(S, "p"))).isEqualTo(v("n", 3));
    assertThat(await(store.get(C, "usage"))).isEqualTo(v("n", 15L));
    assertThat(await(store.get(C, "fresh"))).isEqualTo(v("n", 1L));
    assertThat(intents()).isZero();
    assertThat(await(mongo.findOne(C.storeName(), v("_id", "usage"), null)).getJsonArray("a"))
        .as("counted batches leave no marks behind").isEqualTo(new JsonArray());
  }

  @Test
  void aLeftoverIntentMarkedDoneIsOnlyCleanedUpAndWithoutWaiting() throws Exception {
    long id = 7;
    // Just written: were it not done, open would wait for its writer to finish it.
    MongoIntent intent = MongoIntent.of(new Batch().increment(C, "usage", v("n", 5)), id, System.currentTimeMillis());
    await(mongo.insert(MongoIntent.COLLECTION, intent.document().copy().put("done", true)));
    await(mongo.insert(C.storeName(), v("_id", "usage", "v", v("n", 5L), "a", new JsonArray().add(id))));
    await(store.close());

    store = open(MongoStore.MAX_IN_FLIGHT);

    assertThat(await(store.get(C, "usage"))).isEqualTo(v("n", 5L));
    assertThat(intents()).isZero();
    assertThat(await(mongo.findOne(C.storeName(), v("_id", "usage"), null)).getJsonArray("a")).isEmpty();
  }

  @Test
  void aLeftoverIntentWhoseInsertConflictsIsRolledBackOnOpen() throws Exception {
    await(store.commit(new Batch().put(S, "taken", v("owner", "other"))));
    long id = 99;
    MongoIntent intent = MongoIntent.of(new Batch().insert(S, "mine", v("n", 1)).insert(S, "taken", v("n", 2))
        .put(S, "p", v("n", 3)).increment(C, "usage", v("n", 5)), id, 0);
    await(mongo.insert(MongoIntent.COLLECTION, intent.document()));
    await(mongo.insert(S.storeName(), v("_id", "mine", "v", v("n", 1), "b", id)));
    await(store.close());

    store = open(MongoStore.MAX_IN_FLIGHT);

    assertThat(await(store.get(S, "mine"))).isNull();
    assertThat(await(store.get(S, "taken"))).isEqualTo(v("owner", "other"));
    assertThat(await(store.get(S, "p"))).isNull();
    assertThat(await(store.get(C, "usage"))).isNull();
    assertThat(intents()).isZero();
  }

  @Test
  void aBatchLargerThanOneMongoDocumentIsRefused() throws Exception {
    String large = "x".repeat(MongoIntent.MAX_BYTES);

    assertThatThrownBy(() -> await(store.commit(new Batch().put(S, "big", v("s", large)))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(await(store.get(S, "big"))).isNull();
  }

  @Test
  void commitsBeyondTheInFlightCapFailFast() throws Exception {
    MongoStore capped = open(1);
    try {
      Future<Void> first = capped.commit(new Batch().put(S, "a", v()));
      Future<Void> second = capped.commit(new Batch().put(S, "b", v()));

      assertThatThrownBy(() -> await(second)).isInstanceOf(StoreUnavailableException.class);
      await(first);
      assertThat(await(capped.get(S, "a"))).isEqualTo(v());
    } finally {
      await(capped.close());
    }
  }

  @Test
  void anUnreachableMongoDbMakesTheStoreUnavailable() {
    server.shutdownNow();

    assertThatThrownBy(() -> await(store.get(S, "a"))).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> await(store.commit(new Batch().put(S, "a", v()))))
        .isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void afterAFailedBatchCommitsAreRefusedUntilItIsRepaired() throws Exception {
    int port = server.getLocalAddress().getPort();
    server.shutdownNow();
    assertThatThrownBy(() -> await(store.commit(new Batch().put(S, "a", v()))))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> await(store.commit(new Batch().put(S, "b", v()))))
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("earlier batch");

    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try {
        await(store.commit(new Batch().put(S, "b", v())));
        break;
      } catch (StoreUnavailableException e) {
        assertThat(System.nanoTime()).as("repaired in time").isLessThan(deadline);
        Thread.sleep(200);
      }
    }
    assertThat(await(store.get(S, "b"))).isEqualTo(v());
  }

  @Test
  void pingsAndLeavesBackupsToMongodump() throws Exception {
    await(store.ping());
    assertThat(store.mode()).isEqualTo("external");
    assertThatThrownBy(() -> await(store.backup(Path.of("unused"))))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("mongodump");
  }

  @Test
  void aClosedStoreRefusesCommits() throws Exception {
    MongoStore other = open(MongoStore.MAX_IN_FLIGHT);
    await(other.close());

    assertThatThrownBy(() -> await(other.commit(new Batch().put(S, "a", v()))))
        .isInstanceOf(StoreUnavailableException.class);
  }

  private long intents() throws Exception {
    return await(mongo.count(MongoIntent.COLLECTION, new JsonObject()));
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
