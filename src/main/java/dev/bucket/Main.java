package dev.bucket;

import dev.bucket.config.BucketConfig;
import dev.bucket.config.ConfigException;
import dev.bucket.config.ConfigLoader;
import dev.bucket.verify.ExportCommand;
import dev.bucket.verify.VerifyCommand;
import dev.bucket.metrics.GatewayMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bucket [serve]}: the command-line entry point. */
@Command(name = "bucket", mixinStandardHelpOptions = true, version = "bucket " + Node.VERSION,
    description = "Governed, append-only artifact depository.",
    subcommands = {Main.Serve.class, VerifyCommand.class, ExportCommand.class})
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  public static void main(String[] args) {
    // Serving is the default: `java -jar bucket.jar` starts the gateway.
    String[] effective = args.length == 0 || args[0].startsWith("-") && !isHelpOrVersion(args[0])
        ? prepend("serve", args) : args;
    System.exit(new CommandLine(new Main()).execute(effective));
  }

  private static boolean isHelpOrVersion(String arg) {
    return arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version");
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  @Command(name = "serve", description = "Start the gateway (embedded stores unless a MongoDB URI is configured).")
  static final class Serve implements Callable<Integer> {

    @Option(names = "--conf", description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path conf = Path.of("conf", "bucket.json");

    @Option(names = "--http-port", description = "Overrides http_port.")
    Integer httpPort;

    @Option(names = "--https-port", description = "Overrides https_port (used when TLS is configured).")
    Integer httpsPort;

    @Option(names = "--data-dir", description = "Overrides data_dir.")
    String dataDir;

    @Option(names = "--mongo-uri", description = "Overrides mongo_uri (empty: embedded store).")
    String mongoUri;

    @Option(names = "--redis-uri", description = "Overrides redis_uri.")
    String redisUri;

    @Option(names = "--set", description = "Overrides any key: --set key=value (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
      BucketConfig config;
      try {
        config = ConfigLoader.load(conf, System.getenv(), System.getProperties(), flags());
      } catch (ConfigException e) {
        System.err.println("bucket: invalid configuration: " + e.getMessage());
        return 2;
      }
      config.logFormat().apply();
      // Vert.x reports its meters (HTTP server, event bus, pools, JVM) into this registry; GET /metrics serves it
      // after the node's own meters.
      PrometheusMeterRegistry vertxMeters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Vertx vertx = Vertx.builder()
          .with(new VertxOptions().setMetricsOptions(GatewayMeters.vertxMetricsOptions()))
          .withMetrics(new MicrometerMetricsFactory(vertxMeters))
          .build();
      Node node;
      try {
        node = Node.start(vertx, config, Clock.systemUTC(), vertxMeters).await();
      } catch (Exception e) {
        System.err.println("bucket: start-up failed: " + e.getMessage());
        LOG.debug("start-up failure", e);
        vertx.close().await();
        return 1;
      }
      String https = node.httpsPort() < 0 ? "" : " and https://" + config.httpHost() + ":" + node.httpsPort()
          + " (client certificates: " + config.tls().orElseThrow().clientAuth().name().toLowerCase(Locale.ROOT) + ")";
      System.out.println("Bucket " + Node.VERSION + " listening on http://" + config.httpHost() + ":"
          + node.httpPort() + https + " (data: " + config.dataDir().toAbsolutePath().normalize() + ", store: "
          + (node.store().mode().equals("embedded") ? "embedded RocksDB" : "external MongoDB") + ", payloads: " + node.payloads().kind() + ")");
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          node.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.warn("unclean shutdown: {}", e.toString());
        }
        stopped.countDown();
      }, "bucket-shutdown"));
      stopped.await();
      return 0;
    }

    private Map<String, String> flags() {
      Map<String, String> flags = new LinkedHashMap<>(overrides);
      if (httpPort != null) {
        flags.put("http_port", httpPort.toString());
      }
      if (httpsPort != null) {
        flags.put("https_port", httpsPort.toString());
      }
      if (dataDir != null) {
        flags.put("data_dir", dataDir);
      }
      if (mongoUri != null) {
        flags.put("mongo_uri", mongoUri);
      }
      if (redisUri != null) {
        flags.put("redis_uri", redisUri);
      }
      return flags;
    }
  }
}
