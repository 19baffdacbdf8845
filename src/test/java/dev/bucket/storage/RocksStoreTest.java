package dev.bucket.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The storage contract on the embedded RocksDB driver, plus what only a local engine offers. */
class RocksStoreTest extends StoreContract {

  @Override
  protected Future<RocksStore> open(Vertx vertx, Path dir) {
    return RocksStore.open(vertx, dir.resolve("store"), RocksStore.Settings.defaults());
  }

  @Test
  void commitsSurviveACloseAndReopen(Vertx vertx) {
    store.commit(new Batch().insert(Space.AUDIT, Keys.num(1), value(1))
        .increment(Space.COUNTERS, "c", new JsonObject().put("n", 5))).await();
    store.close().await();
    store = open(vertx, dir).await();
    assertThat(store.get(Space.AUDIT, Keys.num(1)).await()).isEqualTo(value(1));
    assertThat(store.get(Space.COUNTERS, "c").await().getLong("n")).isEqualTo(5);
  }

  @Test
  void aBackupIsAStoreOfItsOwnWithEverythingCommittedBeforeIt(Vertx vertx) throws Exception {
    store.commit(new Batch().insert(Space.AUDIT, Keys.num(1), value(1))).await();
    Path backup = dir.resolve("backup");
    store.backup(backup).await();
    store.commit(new Batch().insert(Space.AUDIT, Keys.num(2), value(2))).await();
    assertThat(Files.isDirectory(backup)).isTrue();
    RocksStore copy = RocksStore.open(vertx, backup, RocksStore.Settings.defaults()).await();
    try {
      assertThat(keys(copy.scan(Space.AUDIT, null, null, 10, false).await())).containsExactly(Keys.num(1));
    } finally {
      copy.close().await();
    }
  }

  @Test
  void callsAfterCloseFailAsUnavailable() {
    store.close().await();
    assertThat(failureOf(store.get(Space.AUDIT, "x"))).isInstanceOf(StoreUnavailableException.class);
    assertThat(failureOf(store.commit(new Batch().put(Space.AUDIT, "x", value(1)))))
        .isInstanceOf(StoreUnavailableException.class);
  }
}
