package dev.bucket.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's BSON layout, through the real MongoDB client, across restarts of the store file. */
@ExtendWith(VertxExtension.class)
class EmbeddedBackendTest {

  @TempDir
  Path dir;
  private MongoServer server;
  private MongoClient mongo;

  @AfterEach
  void close() {
    stop();
  }

  @Test
  void aNewStoreRecordsTheBsonLayoutAndDocumentsOfEveryTypeSurviveARestart(Vertx vertx) throws Exception {
    JsonObject doc = new JsonObject().put("_id", "doc-1").put("text", "héllo").put("int", 7)
        .put("long", 1L << 40).put("double", 2.5).put("flag", true).put("nothing", (Object) null)
        .put("when", new JsonObject().put("$date", "2026-11-23T01:02:03.004Z"))
        .put("bytes", new JsonObject().put("$binary", "AAEC").put("$type", 0))
        .put("nested", new JsonObject().put("list",
            new JsonArray().add(1).add("two").add(new JsonObject().put("x", 3))));
    assertThat(start(vertx, EmbeddedBackend::open).bsonLayout()).isTrue();
    await(mongo.insert("things", doc.copy()));
    stop();

    assertThat(start(vertx, EmbeddedBackend::open).bsonLayout()).isTrue();
    JsonObject read = await(mongo.findOne("things", new JsonObject().put("_id", "doc-1"), null));
    assertThat(read).isEqualTo(doc);
    assertThat(read.getValue("int")).isInstanceOf(Integer.class);
    assertThat(read.getValue("long")).isInstanceOf(Long.class);
    assertThat(Instant.parse(read.getJsonObject("when").getString("$date")))
        .isEqualTo(Instant.parse("2026-11-23T01:02:03.004Z"));
  }

  @Test
  void uniqueIndexesStillRefuseDuplicatesAfterARestart(Vertx vertx) throws Exception {
    start(vertx, EmbeddedBackend::open);
    await(mongo.createIndexWithOptions("things", new JsonObject().put("product", 1).put("n", 1),
        new IndexOptions().unique(true)));
    // Enough keys for a B-tree of several levels, inserted out of order.
    List<JsonObject> docs = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      int n = (i * 7919) % 3000;
      docs.add(new JsonObject().put("_id", "id-" + n).put("product", "p" + (n % 7)).put("n", n));
    }
    for (JsonObject doc : docs) {
      await(mongo.insert("things", doc));
    }
    stop();

    start(vertx, EmbeddedBackend::open);
    assertThat(await(mongo.count("things", new JsonObject()))).isEqualTo(3000L);
    for (int n : new int[] {0, 1, 1499, 2999}) {
      assertThat(await(mongo.findOne("things", new JsonObject().put("_id", "id-" + n), null)).getInteger("n"))
          .isEqualTo(n);
    }
    assertThatThrownBy(() -> await(mongo.insert("things", new JsonObject().put("_id", "id-42"))))
        .hasMessageContaining("E11000");
    // MongoDB compares numbers by value: 42.0 is the key 42 already holds.
    assertThatThrownBy(() -> await(mongo.insert("things",
        new JsonObject().put("_id", "other").put("product", "p0").put("n", 42.0))))
        .hasMessageContaining("E11000");
    await(mongo.insert("things", new JsonObject().put("_id", "new").put("product", "p0").put("n", 3000)));
  }

  @Test
  void aStoreCreatedWithH2DefaultsKeepsThemAndStaysUsable(Vertx vertx) throws Exception {
    start(vertx, H2Backend::new);
    await(mongo.createIndexWithOptions("things", new JsonObject().put("k", 1), new IndexOptions().unique(true)));
    for (int i = 0; i < 200; i++) {
      await(mongo.insert("things", new JsonObject().put("_id", i).put("k", "key-" + i)));
    }
    stop();

    assertThat(start(vertx, EmbeddedBackend::open).bsonLayout()).isFalse();
    assertThat(await(mongo.findOne("things", new JsonObject().put("_id", 17), null)).getString("k"))
        .isEqualTo("key-17");
    assertThatThrownBy(() -> await(mongo.insert("things", new JsonObject().put("_id", 1000).put("k", "key-17"))))
        .hasMessageContaining("E11000");
    await(mongo.insert("things", new JsonObject().put("_id", 1000).put("k", "key-1000")));
    stop();

    assertThat(start(vertx, EmbeddedBackend::open).bsonLayout()).isFalse();
    assertThat(await(mongo.count("things", new JsonObject()))).isEqualTo(201L);
  }

  private <B extends H2Backend> B start(Vertx vertx, Function<MVStore, B> backend) {
    MVStore store = new MVStore.Builder().fileName(dir.resolve("metadata.mv").toString()).open();
    B opened = backend.apply(store);
    server = new MongoServer(opened);
    server.bind("127.0.0.1", 0);
    InetSocketAddress address = server.getLocalAddress();
    mongo = MongoClient.create(vertx, new JsonObject()
        .put("connection_string", "mongodb://127.0.0.1:" + address.getPort()).put("db_name", "test"));
    return opened;
  }

  /** Closes the client, then the server, which commits and closes the store file. */
  private void stop() {
    if (mongo != null) {
      mongo.close();
      mongo = null;
    }
    if (server != null) {
      server.shutdownNow();
      server = null;
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
