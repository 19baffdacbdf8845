package dev.bucket.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The gateway under test. By default a child process started from the root project's {@code target/bucket.jar} on
 * its embedded defaults, a free port on 127.0.0.1, a fresh temporary data directory and a random owner key; with
 * {@code -Dbucket.url=http://127.0.0.1:8080 -Dbucket.ownerKey=...} an already running gateway instead.
 *
 * <p>The port and owner key are chosen when the simulation is constructed (Gatling needs the base URL to build its
 * protocol); the process starts in the simulation's {@code before()} and is stopped in {@code after()}.
 */
final class Gateway {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  final String baseUrl;
  final String ownerKey;
  private final boolean managed;
  private final String name;
  private final int port;
  private Process process;
  private Path dataDir;
  private Path logFile;
  private Thread sampler;
  private final AtomicLong rssNow = new AtomicLong(-1);
  private final AtomicLong rssPeak = new AtomicLong(-1);
  private volatile long rssAtStart = -1;

  private Gateway(String name, String baseUrl, String ownerKey, boolean managed, int port) {
    this.name = name;
    this.baseUrl = baseUrl;
    this.ownerKey = ownerKey;
    this.managed = managed;
    this.port = port;
  }

  /** From {@code -Dbucket.url}/{@code -Dbucket.ownerKey}, or a gateway this run starts itself. */
  static Gateway configured(String simulation) {
    String url = Settings.string("bucket.url", "");
    if (!url.isEmpty()) {
      String key = Settings.string("bucket.ownerKey", System.getenv().getOrDefault("BUCKET_OWNER_KEY", ""));
      if (key.isEmpty()) {
        throw new IllegalArgumentException("-Dbucket.url=" + url + " needs the gateway's owner key: "
            + "-Dbucket.ownerKey=... (or BUCKET_OWNER_KEY in the environment)");
      }
      URI uri = URI.create(url);
      String host = uri.getHost();
      if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
        throw new IllegalArgumentException("-Dbucket.url must point at 127.0.0.1 (load is never sent elsewhere): "
            + url);
      }
      return new Gateway(simulation, url.replaceAll("/+$", ""), key, false, uri.getPort());
    }
    int port = freePort();
    return new Gateway(simulation, "http://127.0.0.1:" + port, randomOwnerKey(), true, port);
  }

  boolean managed() {
    return managed;
  }

  /** Starts the child process (when this run owns the gateway) and waits for {@code GET /health} to answer 200. */
  void start() {
    if (managed) {
      launch();
    }
    waitHealthy(Duration.ofSeconds(Settings.integer("bucket.startTimeout", 120)));
    if (managed) {
      startSampler();
    }
  }

  private void launch() {
    Path root = projectRoot();
    Path jar = Path.of(Settings.string("bucket.jar", root.resolve("target/bucket.jar").toString()));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no gateway jar at " + jar.toAbsolutePath().normalize()
          + ": build it first from the repository root with `./mvnw -q -DskipTests package` "
          + "(or pass -Dbucket.url=http://127.0.0.1:8080 -Dbucket.ownerKey=... to use a running gateway)");
    }
    try {
      dataDir = Files.createTempDirectory("bucket-loadtest-");
      Path logs = root.resolve("loadtest/target");
      Files.createDirectories(logs);
      logFile = logs.resolve("gateway-" + name.toLowerCase() + "-" + LocalDateTime.now().format(STAMP) + ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(words(Settings.string("bucket.jvmArgs", "")));
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve", "--http-port", Integer.toString(port),
        "--data-dir", dataDir.toString()));
    command.addAll(words(Settings.string("bucket.serveArgs", "")));
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    builder.environment().put("BUCKET_OWNER_KEY", ownerKey);
    System.out.println("[loadtest] starting gateway: " + String.join(" ", command).replace(ownerKey, "***")
        + "\n[loadtest]   working directory " + root + ", log " + logFile);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the gateway: " + e.getMessage(), e);
    }
    Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (started.isAlive()) {
        started.destroyForcibly();
      }
    }, "loadtest-gateway-reaper"));
  }

  private void waitHealthy(Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create(baseUrl + "/health")).timeout(Duration.ofSeconds(5))
        .GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("the gateway exited with status " + process.exitValue()
            + " before it was healthy; its log:\n" + tail(logFile, 40));
      }
      try {
        HttpResponse<String> response = client.send(health, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          System.out.println("[loadtest] gateway healthy at " + baseUrl + ": " + response.body());
          return;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the gateway", e);
      }
      sleep(250);
    }
    throw new IllegalStateException("the gateway at " + baseUrl + " was not healthy within " + timeout.toSeconds()
        + " s (last answer: " + last + ")" + (logFile == null ? "" : "; its log:\n" + tail(logFile, 40)));
  }

  /** Stops the child process (SIGTERM, then SIGKILL after 30 s) and removes its data unless -Dbucket.keepData. */
  void stop() {
    if (sampler != null) {
      sampler.interrupt();
    }
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        System.out.println("[loadtest] gateway did not stop within 30 s; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    if (Settings.flag("bucket.keepData", false)) {
      System.out.println("[loadtest] gateway data kept in " + dataDir);
    } else {
      deleteTree(dataDir);
    }
  }

  /** Resident memory of the child process in MiB: at the start of the run, now and at its peak (-1 if unknown). */
  String memorySummary() {
    if (!managed || rssPeak.get() < 0) {
      return "gateway RSS: not sampled (external gateway or no /proc)";
    }
    return String.format("gateway RSS: %d MiB at start of load, %d MiB peak, %d MiB at end", rssAtStart >> 20,
        rssPeak.get() >> 20, rssNow.get() >> 20);
  }

  /** Marks the start of the load: the memory figure the peak is compared with. */
  void markLoadStart() {
    rssAtStart = rssNow.get();
  }

  private void startSampler() {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    if (!Files.isReadable(status)) {
      return;
    }
    sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted() && process.isAlive()) {
        long rss = rss(status);
        if (rss >= 0) {
          rssNow.set(rss);
          rssPeak.accumulateAndGet(rss, Math::max);
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "loadtest-rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private static long rss(Path status) {
    try (Stream<String> lines = Files.lines(status)) {
      return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The repository root: the nearest directory (from the working directory up) holding conf/bucket.json. */
  static Path projectRoot() {
    String configured = Settings.string("bucket.root", "");
    if (!configured.isEmpty()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("conf/bucket.json")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the repository root (a directory with conf/bucket.json) above "
        + Path.of("").toAbsolutePath() + "; pass -Dbucket.root=...");
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** 32 random bytes, base64url without padding: 43 characters. */
  private static String randomOwnerKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static List<String> words(String value) {
    return value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String tail(Path file, int lines) {
    if (file == null || !Files.isReadable(file)) {
      return "(no log)";
    }
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.out.println("[loadtest] could not remove " + dir + ": " + e);
    }
  }
}
