package dev.bucket.support;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The tests' stand-in for an external MongoDB: one in-memory MongoDB-wire server per test JVM, started on first use
 * on loopback and kept until the JVM exits, so a node restarted on the same data directory (or a gateway process
 * killed and started again) finds its data again. Each data directory gets a database of its own.
 */
public final class MongoStandIn {

  private static MongoServer server;
  private static String uri;

  private MongoStandIn() {
  }

  /** {@code mongodb://127.0.0.1:<port>} of the shared server. */
  public static synchronized String uri() {
    if (server == null) {
      server = new MongoServer(new MemoryBackend());
      server.bind("127.0.0.1", 0);
      InetSocketAddress address = server.getLocalAddress();
      uri = "mongodb://127.0.0.1:" + address.getPort();
    }
    return uri;
  }

  /** The database a node on {@code dataDir} uses. */
  public static String database(Path dataDir) {
    return "bucket_" + Integer.toHexString(dataDir.toAbsolutePath().normalize().toString().hashCode());
  }
}
