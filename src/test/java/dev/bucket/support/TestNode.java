package dev.bucket.support;

import dev.bucket.Node;
import dev.bucket.config.BucketConfig;
import dev.bucket.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real gateway node for tests: the project's own conf/bucket.json, a fresh data directory, the embedded MongoDB
 * (H2 file, the production default) and random ports (HTTP, and HTTPS when TLS overrides are given). Overrides go
 * through the same loader as production flags.
 */
public final class TestNode implements AutoCloseable {

  private final Vertx vertx;
  private final Path dataDir;
  private final Map<String, String> overrides;
  private Node node;
  private Api api;

  public TestNode(Vertx vertx, Path dataDir, Map<String, String> overrides) {
    this.vertx = vertx;
    this.dataDir = dataDir;
    this.overrides = overrides;
  }

  /** A started node on a fresh data directory; close it to stop it. */
  public static TestNode started(Vertx vertx, Map<String, String> overrides) throws IOException {
    TestNode node = new TestNode(vertx, freshDataDir(), overrides);
    node.start();
    return node;
  }

  public static Path freshDataDir() throws IOException {
    return Files.createTempDirectory("bucket-test-");
  }

  public BucketConfig config() {
    Map<String, String> flags = new LinkedHashMap<>(overrides);
    flags.put("data_dir", dataDir.toString());
    flags.putIfAbsent("http_port", "0");
    flags.putIfAbsent("https_port", "0");
    return ConfigLoader.load(Path.of("conf", "bucket.json"), Map.of(), new java.util.Properties(), flags);
  }

  public Node start() {
    node = Node.start(vertx, config(), Clock.systemUTC()).await();
    api = new Api(vertx, node.httpPort());
    return node;
  }

  public void stop() {
    if (node != null) {
      api.close();
      node.stop().await();
      node = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** A client for the running node (replaced on every start). */
  public Api api() {
    return api;
  }

  public Node node() {
    return node;
  }

  public int port() {
    return node.httpPort();
  }

  /** The HTTPS port, or -1 when the node runs without TLS. */
  public int httpsPort() {
    return node.httpsPort();
  }

  public Path dataDir() {
    return dataDir;
  }
}
