package dev.bucket.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in a process of its own, started the way a user starts it ({@code bucket serve}) on the test classpath,
 * so a test can kill it for real: SIGKILL leaves no shutdown hook, no flush and requests in flight.
 */
public final class GatewayProcess implements AutoCloseable {

  private final Path dataDir;
  private final int port;
  private final List<String> settings;
  private Process process;
  private Duration lastStartup;

  /** {@code settings} are {@code key=value} overrides passed as {@code --set}. */
  public GatewayProcess(Path dataDir, List<String> settings) throws IOException {
    this.dataDir = dataDir;
    this.port = freePort();
    this.settings = List.copyOf(settings);
  }

  /** Starts the gateway and waits until {@code /health} answers 200 (at most {@code timeout}). */
  public GatewayProcess start(Duration timeout) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "dev.bucket.Main", "serve", "--data-dir", dataDir.toString(), "--http-port", Integer.toString(port),
        "--set", "owner_key=" + TestNode.OWNER_KEY));
    settings.forEach(setting -> command.addAll(List.of("--set", setting)));
    long started = System.nanoTime();
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("gateway.log").toFile())).start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = started + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("gateway exited: " + log());
      }
      try {
        HttpResponse<Void> health = http.send(HttpRequest.newBuilder(URI.create(url() + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (health.statusCode() == 200) {
          lastStartup = Duration.ofNanos(System.nanoTime() - started);
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    process.destroyForcibly();
    throw new IllegalStateException("gateway not healthy within " + timeout + ": " + log());
  }

  /** SIGKILL, then wait for the process to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  /** SIGTERM (the shutdown hook stops the node cleanly), then wait. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(40, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("gateway did not stop within 40 s of SIGTERM");
    }
  }

  /** From process start to the first healthy answer, for the last {@link #start}. */
  public Duration lastStartup() {
    return lastStartup;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public String log() throws IOException {
    Path log = dataDir.resolve("gateway.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }

  /** The owner approves integration {@code id} of {@code product} for one class; returns its key. */
  public static String approveWriter(WebClient client, String id, String product, String artifactClass) {
    JsonObject answer = client.post("/governance/gate/validate-integration")
        .bearerTokenAuthentication(TestNode.OWNER_KEY)
        .sendJsonObject(new JsonObject().put("integration_id", id).put("integration_type", "api")
            .put("artifact_classes", new JsonArray().add(artifactClass)).put("product_name", product)
            .put("data_schema", new JsonObject().put("nsfw_policy", "strict").put("retention_policy", "7_years")
                .put("data_owner", "tests")))
        .await().bodyAsJsonObject();
    if (!"approved".equals(answer.getString("decision"))) {
      throw new IllegalStateException("integration not approved: " + answer.encode());
    }
    return answer.getString("api_key");
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
