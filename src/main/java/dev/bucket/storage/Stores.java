package dev.bucket.storage;

import dev.bucket.config.BucketConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the store a configuration names: RocksDB in the data directory, or the external MongoDB of mongo_uri. */
public final class Stores {

  /** The embedded store's directory under data_dir. */
  public static final String EMBEDDED_DIR = "store";

  /** The file the replaced embedded store (mongo-java-server on H2) kept everything in. */
  static final String OLD_STORE_FILE = "metadata.mv";

  private Stores() {
  }

  public static Future<Store> open(Vertx vertx, BucketConfig config) {
    if (!config.embeddedStore()) {
      return MongoStore.open(vertx, config.mongoUri(), config.mongoDb()).map(store -> store);
    }
    Path dataDir = config.dataDir().toAbsolutePath().normalize();
    if (Files.exists(dataDir.resolve(OLD_STORE_FILE))) {
      return Future.failedFuture(new IllegalStateException(dataDir + " holds a store of the old embedded MongoDB ("
          + OLD_STORE_FILE + ", mongo-java-server on H2), which this version does not open; start with a new"
          + " data_dir (docs/decisions/0010-embedded-store-engine.md)"));
    }
    RocksStore.Settings settings = new RocksStore.Settings(config.storeCacheBytes(),
        Math.max(16L << 20, config.storeCacheBytes() / 2), config.storeMaxOpenFiles(),
        RocksStore.Settings.defaults().readThreads(), RocksStore.Settings.defaults().queueCapacity());
    return RocksStore.open(vertx, dataDir.resolve(EMBEDDED_DIR), settings).map(store -> store);
  }
}
