package dev.bucket.storage;

import de.bwaldvogel.mongo.MongoServer;
import dev.bucket.config.BucketConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MongoDB connection every capability shares. Without a configured URI it starts mongo-java-server in-process
 * (H2 file under the data dir) and connects to it over loopback with the same client as production, so both modes
 * run the same code.
 */
public final class MetadataStore {

  private static final Logger LOG = LoggerFactory.getLogger(MetadataStore.class);

  private final MongoClient client;
  private final DurabilityBarrier barrier;
  private final MongoServer embedded;

  private MetadataStore(MongoClient client, DurabilityBarrier barrier, MongoServer embedded) {
    this.client = client;
    this.barrier = barrier;
    this.embedded = embedded;
  }

  public static Future<MetadataStore> open(Vertx vertx, BucketConfig config) {
    if (!config.embeddedStore()) {
      // Majority + journal so an acknowledged write survives the loss of a node; a URI setting takes precedence.
      JsonObject options = new JsonObject()
          .put("connection_string", config.mongoUri())
          .put("db_name", config.mongoDb())
          .put("writeConcern", "MAJORITY");
      return Future.succeededFuture(new MetadataStore(MongoClient.createShared(vertx, options, "bucket"),
          DurabilityBarrier.NONE, null));
    }
    return vertx.executeBlocking(() -> {
      Path dir = config.dataDir().toAbsolutePath();
      Files.createDirectories(dir);
      // Bounded memory for the in-process store: an 8 MB page cache and a 2 MB write buffer, so large GridFS
      // uploads are flushed as they stream instead of piling up in the heap until the next commit.
      MVStore mvStore = new MVStore.Builder().fileName(dir.resolve("metadata-transition.mv").toString())
          .cacheSize(8).autoCommitBufferSize(2 * 1024).open();
      EmbeddedBackend backend = EmbeddedBackend.open(mvStore);
      MongoServer server = new MongoServer(backend);
      server.bind("127.0.0.1", 0);
      InetSocketAddress address = server.getLocalAddress();
      LOG.info("embedded MongoDB-wire server on {} with data in {}", address, dir);
      JsonObject options = new JsonObject()
          .put("connection_string", "mongodb://127.0.0.1:" + address.getPort())
          .put("db_name", config.mongoDb());
      MongoClient client = MongoClient.createShared(vertx, options, "bucket");
      return new MetadataStore(client, new MvStoreBarrier(vertx, backend.getMvStore()), server);
    });
  }

  public MongoClient client() {
    return client;
  }

  public DurabilityBarrier barrier() {
    return barrier;
  }

  public String mode() {
    return embedded == null ? "external" : "embedded";
  }

  /** Live check for /health: a ping round trip. */
  public Future<Void> ping() {
    return client.runCommand("ping", new JsonObject().put("ping", 1)).mapEmpty();
  }

  /** Closes the client and, when embedded, commits and closes the store cleanly. */
  public Future<Void> close(Vertx vertx) {
    return client.close().eventually(() -> embedded == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          embedded.shutdownNow(); // also closes the backend, which commits the MVStore
          return null;
        }));
  }
}
