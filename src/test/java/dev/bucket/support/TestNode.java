package dev.bucket.support;

import dev.bucket.Node;
import dev.bucket.config.BucketConfig;
import dev.bucket.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real gateway node for tests: the project's own conf/bucket.json, a fresh data directory, the embedded store
 * (RocksDB, the production default; with {@code payload_store=gridfs}, MongoDB through {@link MongoStandIn}) and
 * random ports (HTTP, and HTTPS when TLS overrides are given). Overrides go through the same loader as production
 * flags.
 */
public final class TestNode implements AutoCloseable {

  /** The owner key every test node is seeded with (BUCKET_OWNER_KEY's config key is owner_key). */
  public static final String OWNER_KEY = "test-owner-key-000000000000000000000000";

  private final Vertx vertx;
  private final Path dataDir;
  private final Map<String, String> overrides;
  private Clock clock = Clock.systemUTC();
  private Node node;
  private Api api;
  private final List<Api> clients = new ArrayList<>();
  private int blockedMark = -1;

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

  /** A started node whose clock the test drives (retention, holds and tombstones are judged by it). */
  public static TestNode started(Vertx vertx, Map<String, String> overrides, Clock clock) throws IOException {
    TestNode node = new TestNode(vertx, freshDataDir(), overrides);
    node.clock = clock;
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
    flags.putIfAbsent("owner_key", OWNER_KEY);
    flags.putIfAbsent("https_port", "0");
    if ("gridfs".equals(flags.get("payload_store")) && !flags.containsKey("mongo_uri")) {
      // GridFS lives in MongoDB: such a node runs on the external-store path, against the JVM's stand-in.
      flags.put("mongo_uri", MongoStandIn.uri());
      flags.put("mongo_db", MongoStandIn.database(dataDir));
    }
    return ConfigLoader.load(Path.of("conf", "bucket.json"), Map.of(), new java.util.Properties(), flags);
  }

  public Node start() {
    if (blockedMark < 0) {
      blockedMark = BlockedThreads.mark();
    }
    node = Node.start(vertx, config(), clock).await();
    api = client(OWNER_KEY);
    return node;
  }

  /** A client of the running node presenting {@code key} (null: none); closed when the node stops. */
  public Api client(String key) {
    Api client = new Api(vertx, node.httpPort(), key);
    clients.add(client);
    return client;
  }

  /**
   * Approves an integration of {@code product} for {@code classes} through the real gate (as the owner) and returns
   * a client presenting its key: the only kind of principal that writes artifacts.
   */
  public Api integration(String product, String... classes) {
    String id = "it_" + product.toLowerCase(java.util.Locale.ROOT) + "_" + java.util.UUID.randomUUID().toString()
        .substring(0, 8);
    io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject()
        .put("integration_id", id)
        .put("integration_type", "api")
        .put("artifact_classes", new io.vertx.core.json.JsonArray(List.of(classes)))
        .put("product_name", product)
        .put("data_schema", new io.vertx.core.json.JsonObject().put("nsfw_policy", "strict")
            .put("retention_policy", "7_years").put("data_owner", "tests"));
    var response = api.postJson("/governance/gate/validate-integration", body);
    var answer = response.bodyAsJsonObject();
    if (response.statusCode() != 200 || !"approved".equals(answer.getString("decision"))) {
      throw new IllegalStateException("integration not approved: " + response.bodyAsString());
    }
    return client(answer.getString("api_key"));
  }

  public void stop() {
    if (node != null) {
      clients.forEach(Api::close);
      clients.clear();
      node.stop().await();
      node = null;
    }
  }

  /**
   * Stops the node, then fails if Vert.x logged a blocked-thread warning since it first started: nothing on an
   * event loop may block (vertx-options.json sets the threshold, logback-test.xml records the warnings).
   */
  @Override
  public void close() {
    stop();
    List<String> blocked = blockedMark < 0 ? List.of() : BlockedThreads.since(blockedMark);
    blockedMark = -1;
    if (!blocked.isEmpty()) {
      throw new AssertionError("an event loop was blocked while this node ran: " + blocked);
    }
  }

  /** A client for the running node presenting the owner key (replaced on every start). */
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
