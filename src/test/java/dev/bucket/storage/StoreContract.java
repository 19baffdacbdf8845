package dev.bucket.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Store} driver promises, run against each of them: atomic batches, create-only inserts, counters,
 * ordered bounded scans, and answers on the caller's context.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
public abstract class StoreContract {

  @TempDir
  Path dir;

  protected Store store;

  /** A new, empty store of the driver under test. */
  protected abstract Future<? extends Store> open(Vertx vertx, Path dir);

  @BeforeEach
  void openStore(Vertx vertx) {
    store = open(vertx, dir).await();
  }

  @AfterEach
  void closeStore() {
    store.close().await();
  }

  static JsonObject value(int n) {
    return new JsonObject().put("n", n).put("text", "value-" + n);
  }

  @Test
  void anInsertedValueReadsBack() {
    store.commit(new Batch().insert(Space.ARTIFACTS, "a", value(1))).await();
    assertThat(store.get(Space.ARTIFACTS, "a").await()).isEqualTo(value(1));
    assertThat(store.get(Space.ARTIFACTS, "missing").await()).isNull();
  }

  @Test
  void spacesDoNotShareKeys() {
    store.commit(new Batch().insert(Space.ARTIFACTS, "k", value(1)).insert(Space.AUDIT, "k", value(2))).await();
    assertThat(store.get(Space.ARTIFACTS, "k").await()).isEqualTo(value(1));
    assertThat(store.get(Space.AUDIT, "k").await()).isEqualTo(value(2));
  }

  @Test
  void anInsertOfAnExistingKeyFailsTheWholeBatch() {
    store.commit(new Batch().insert(Space.ARTIFACTS, "taken", value(1))).await();
    Throwable failure = failureOf(store.commit(new Batch()
        .put(Space.ARTIFACT_INDEX, "side-effect", value(2))
        .insert(Space.ARTIFACTS, "fresh", value(3))
        .insert(Space.ARTIFACTS, "taken", value(4))
        .increment(Space.COUNTERS, "c", new JsonObject().put("n", 1))));
    assertThat(failure).isInstanceOf(KeyConflictException.class);
    assertThat(((KeyConflictException) failure).space()).isEqualTo(Space.ARTIFACTS);
    assertThat(((KeyConflictException) failure).key()).isEqualTo("taken");
    assertThat(store.get(Space.ARTIFACTS, "taken").await()).isEqualTo(value(1));
    assertThat(store.get(Space.ARTIFACTS, "fresh").await()).isNull();
    assertThat(store.get(Space.ARTIFACT_INDEX, "side-effect").await()).isNull();
    assertThat(store.get(Space.COUNTERS, "c").await()).isNull();
  }

  @Test
  void insertingOneKeyTwiceInABatchConflicts() {
    Throwable failure = failureOf(store.commit(new Batch()
        .insert(Space.ARTIFACTS, "twice", value(1)).insert(Space.ARTIFACTS, "twice", value(2))));
    assertThat(failure).isInstanceOf(KeyConflictException.class);
    assertThat(store.get(Space.ARTIFACTS, "twice").await()).isNull();
  }

  @Test
  void putReplacesAndDeleteRemoves() {
    store.commit(new Batch().put(Space.TREE, "n", value(1))).await();
    store.commit(new Batch().put(Space.TREE, "n", value(2))).await();
    assertThat(store.get(Space.TREE, "n").await()).isEqualTo(value(2));
    store.commit(new Batch().delete(Space.TREE, "n").delete(Space.TREE, "never-there")).await();
    assertThat(store.get(Space.TREE, "n").await()).isNull();
    store.commit(new Batch().insert(Space.TREE, "n", value(3))).await();
    assertThat(store.get(Space.TREE, "n").await()).isEqualTo(value(3));
  }

  @Test
  void incrementsAddToCountersThatStartAtZero() {
    store.commit(new Batch().increment(Space.COUNTERS, "usage", new JsonObject().put("bytes", 100).put("versions", 1)))
        .await();
    store.commit(new Batch()
        .increment(Space.COUNTERS, "usage", new JsonObject().put("bytes", 50).put("versions", 1))
        .increment(Space.COUNTERS, "usage", new JsonObject().put("versions", 1).put("other", -2))).await();
    JsonObject counter = store.get(Space.COUNTERS, "usage").await();
    assertThat(counter.getLong("bytes")).isEqualTo(150);
    assertThat(counter.getLong("versions")).isEqualTo(3);
    assertThat(counter.getLong("other")).isEqualTo(-2);
  }

  @Test
  void concurrentIncrementsAreNotLost() {
    List<Future<Void>> commits = IntStream.range(0, 200).mapToObj(i -> store.commit(new Batch()
        .increment(Space.COUNTERS, "hot", new JsonObject().put("n", 1)))).toList();
    Future.all(commits).await();
    assertThat(store.get(Space.COUNTERS, "hot").await().getLong("n")).isEqualTo(200);
  }

  @Test
  void scansAreOrderedBoundedAndLimited() {
    Batch batch = new Batch();
    for (int i = 0; i < 50; i++) {
      batch.insert(Space.AUDIT, Keys.num(i), value(i));
    }
    store.commit(batch).await();
    assertThat(keys(store.scan(Space.AUDIT, Keys.num(10), Keys.num(15), 100, false).await()))
        .containsExactly(Keys.num(10), Keys.num(11), Keys.num(12), Keys.num(13), Keys.num(14));
    assertThat(keys(store.scan(Space.AUDIT, Keys.num(10), Keys.num(15), 2, true).await()))
        .containsExactly(Keys.num(14), Keys.num(13));
    assertThat(keys(store.scan(Space.AUDIT, null, null, 1, true).await())).containsExactly(Keys.num(49));
    assertThat(keys(store.scan(Space.AUDIT, null, null, 3, false).await()))
        .containsExactly(Keys.num(0), Keys.num(1), Keys.num(2));
    assertThat(keys(store.scan(Space.AUDIT, null, Keys.num(2), 10, true).await()))
        .containsExactly(Keys.num(1), Keys.num(0));
    assertThat(store.scan(Space.AUDIT, Keys.num(48), null, 10, false).await())
        .extracting(KeyValue::value).containsExactly(value(48), value(49));
    assertThat(store.scan(Space.AUDIT, Keys.num(60), null, 10, false).await()).isEmpty();
    assertThat(store.scan(Space.ARTIFACTS, null, null, 10, true).await()).isEmpty();
  }

  @Test
  void aPrefixScanStaysWithinItsPrefix() {
    store.commit(new Batch()
        .insert(Space.ARTIFACTS, Keys.of("p", "a", Keys.num(1)), value(1))
        .insert(Space.ARTIFACTS, Keys.of("p", "a", Keys.num(2)), value(2))
        .insert(Space.ARTIFACTS, Keys.of("p", "a-b", Keys.num(1)), value(3))
        .insert(Space.ARTIFACTS, Keys.of("p", "ab", Keys.num(1)), value(4))
        .insert(Space.ARTIFACTS, Keys.of("p", "a"), value(5))).await();
    assertThat(store.scanPrefix(Space.ARTIFACTS, Keys.prefix("p", "a"), 10, false).await())
        .extracting(KeyValue::value).containsExactly(value(1), value(2));
    assertThat(store.scanPrefix(Space.ARTIFACTS, Keys.prefix("p", "a"), 1, true).await())
        .extracting(KeyValue::value).containsExactly(value(2));
  }

  @Test
  void getAllAnswersExistingKeysInTheOrderAsked() {
    store.commit(new Batch().insert(Space.AUDIT, "b", value(2)).insert(Space.AUDIT, "a", value(1))).await();
    assertThat(store.getAll(Space.AUDIT, List.of("b", "zz", "a")).await().keySet()).containsExactly("b", "a");
    assertThat(store.getAll(Space.AUDIT, List.of()).await()).isEmpty();
  }

  @Test
  void ofConcurrentInsertsOfOneKeyExactlyOneWins() {
    List<Future<Void>> racers = IntStream.range(0, 64).mapToObj(i -> store.commit(new Batch()
        .insert(Space.AUDIT, Keys.num(7), value(i))
        .insert(Space.AUDIT_INDEX, "racer-" + i, value(i)))).toList();
    Future.join(racers).otherwiseEmpty().await();
    assertThat(racers.stream().filter(Future::succeeded)).hasSize(1);
    assertThat(racers.stream().filter(Future::failed).map(Future::cause))
        .allMatch(KeyConflictException.class::isInstance);
    int winner = store.get(Space.AUDIT, Keys.num(7)).await().getInteger("n");
    assertThat(store.scan(Space.AUDIT_INDEX, null, null, 100, false).await())
        .extracting(KeyValue::key).containsExactly("racer-" + winner);
  }

  @Test
  void manyConcurrentCommitsAllLand() {
    List<Future<Void>> commits = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      commits.add(store.commit(new Batch().insert(Space.AUDIT, Keys.num(i), value(i))
          .insert(Space.AUDIT_INDEX, Keys.of("actor", "a" + (i % 7), Keys.num(i)), new JsonObject())));
    }
    Future.all(commits).await();
    assertThat(store.scan(Space.AUDIT, null, null, 5000, false).await()).hasSize(2000);
    assertThat(store.scanPrefix(Space.AUDIT_INDEX, Keys.prefix("actor", "a3"), 5000, false).await())
        .hasSize((int) IntStream.range(0, 2000).filter(i -> i % 7 == 3).count());
  }

  @Test
  void answersArriveOnTheCallersContext(Vertx vertx) {
    Context context = vertx.getOrCreateContext();
    Promise<Boolean> sameContext = Promise.promise();
    context.runOnContext(v -> store.commit(new Batch().insert(Space.META, "ctx", value(1)))
        .compose(done -> store.get(Space.META, "ctx"))
        .onComplete(read -> sameContext.complete(Vertx.currentContext() == context && read.succeeded())));
    assertThat(sameContext.future().await()).isTrue();
  }

  @Test
  void valuesKeepTheirJsonTypes() {
    JsonObject rich = new JsonObject().put("s", "text").put("i", 42).put("l", 1L << 40).put("b", true)
        .putNull("nothing").put("a", new io.vertx.core.json.JsonArray().add(1).add("two"))
        .put("o", new JsonObject().put("nested", "yes"));
    store.commit(new Batch().put(Space.GOVERNANCE, "rich", rich)).await();
    JsonObject back = store.get(Space.GOVERNANCE, "rich").await();
    assertThat(back.getString("s")).isEqualTo("text");
    assertThat(back.getLong("i")).isEqualTo(42);
    assertThat(back.getLong("l")).isEqualTo(1L << 40);
    assertThat(back.getBoolean("b")).isTrue();
    assertThat(back.containsKey("nothing")).isTrue();
    assertThat(back.getJsonArray("a").encode()).isEqualTo("[1,\"two\"]");
    assertThat(back.getJsonObject("o").getString("nested")).isEqualTo("yes");
  }

  static List<String> keys(List<KeyValue> page) {
    return page.stream().map(KeyValue::key).toList();
  }

  static Throwable failureOf(Future<?> future) {
    try {
      future.await();
    } catch (Throwable e) {
      return e;
    }
    throw new AssertionError("expected the future to fail");
  }
}
