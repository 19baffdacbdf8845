package dev.bucket.retention;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.bucket.payload.GridFsPayloadStore;
import dev.bucket.payload.PayloadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;

/** The payloads in GridFS on an in-memory MongoDB. */
class TombstonerGridFsTest extends TombstonerContractTest {

  private MongoServer server;
  private MongoClient mongo;

  @Override
  protected Future<PayloadStore> createStore(Vertx vertx) {
    server = new MongoServer(new MemoryBackend());
    InetSocketAddress address = server.bind();
    mongo = MongoClient.create(vertx, new JsonObject()
        .put("connection_string", "mongodb://127.0.0.1:" + address.getPort()).put("db_name", "test"));
    GridFsPayloadStore created = new GridFsPayloadStore(mongo, "payloads");
    return created.init().map(created);
  }

  @AfterEach
  void stopMongo() {
    mongo.close().await();
    server.shutdownNow();
  }
}
