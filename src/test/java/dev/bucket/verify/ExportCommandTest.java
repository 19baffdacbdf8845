package dev.bucket.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bucket export} against a stand-in gateway serving the log API from a fixture. */
class ExportCommandTest {

  @TempDir
  Path dir;

  private final LogFixture log = LogFixture.populated();
  /** Entries the server answers with instead of the log's, by index. */
  private final Map<Integer, byte[]> served = new ConcurrentHashMap<>();
  private final List<String> requested = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private HttpServer server;
  private String checkpoint;
  private String url;

  @BeforeEach
  void startServer() throws IOException {
    // The gateway has signed only the first 9 of its 12 entries so far.
    checkpoint = log.checkpoint(9);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/log/", this::handle);
    server.setExecutor(executor);
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requested.add(path);
    byte[] body;
    int status = 200;
    if (path.equals("/v1/log/checkpoint")) {
      body = checkpoint.getBytes(StandardCharsets.UTF_8);
    } else if (path.equals("/v1/log/key")) {
      body = (log.verifierKey() + "\n").getBytes(StandardCharsets.UTF_8);
    } else if (path.startsWith("/v1/log/entries/")) {
      int index = Integer.parseInt(path.substring("/v1/log/entries/".length()));
      body = served.getOrDefault(index, index < log.entries.size() ? log.entries.get(index) : null);
      if (body == null) {
        status = 404;
        body = "{\"title\":\"not found\"}".getBytes(StandardCharsets.UTF_8);
      }
    } else {
      status = 404;
      body = new byte[0];
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (var out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private VerifyCommandTest.Run export(String... extra) {
    String[] args = new String[5 + extra.length];
    args[0] = "export";
    args[1] = "--url";
    args[2] = url;
    args[3] = "--out";
    args[4] = dir.resolve("export.jsonl").toString();
    System.arraycopy(extra, 0, args, 5, extra.length);
    return VerifyCommandTest.bucket(args);
  }

  @Test
  void exportsExactlyTheSignedEntriesInOrderAndTheExportVerifies() throws Exception {
    VerifyCommandTest.Run run = export("--checkpoint-out", dir.resolve("cp.txt").toString(), "--parallel", "3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readString(dir.resolve("cp.txt"))).isEqualTo(checkpoint);
    List<String> lines = Files.readAllLines(dir.resolve("export.jsonl"));
    assertThat(lines).isEqualTo(log.exportLines().subList(0, 9));
    // The checkpoint first, then entries 0..8 only, though the server holds more.
    assertThat(requested.get(0)).isEqualTo("/v1/log/checkpoint");
    assertThat(requested).filteredOn(path -> path.startsWith("/v1/log/entries/")).hasSize(9)
        .noneMatch(path -> path.endsWith("/9") || path.endsWith("/10") || path.endsWith("/11"));
    assertThat(Files.exists(dir.resolve("export.jsonl.part"))).isFalse();

    Report report = new LogVerifier(log.signer.verifier()).verify(dir.resolve("export.jsonl"), checkpoint);
    assertThat(report.exitCode()).as(report.toString()).isZero();
  }

  @Test
  void theCheckpointIsSavedNextToTheExportByDefault() throws Exception {
    VerifyCommandTest.Run run = export();

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readString(dir.resolve("export.jsonl.checkpoint"))).isEqualTo(checkpoint);
    assertThat(run.out()).contains("entries: 9 -> ");
  }

  @Test
  void entriesThatDoNotMatchTheCheckpointFailTheExport() throws Exception {
    served.put(4, LogFixture.bytes("{\"index\":4,\"op\":\"forged\"}"));

    VerifyCommandTest.Run run = export();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("Merkle root is not the checkpoint's root");
    // The export is kept for `bucket verify log` to examine.
    Report report = new LogVerifier(log.signer.verifier()).verify(dir.resolve("export.jsonl"), checkpoint);
    assertThat(report.failure()).get().extracting(Report.Step::name).isEqualTo(LogVerifier.ROOT);
  }

  @Test
  void aMissingEntryFailsTheExportAndLeavesNoPartialFile() {
    checkpoint = log.checkpoint(12);
    served.clear();
    server.removeContext("/v1/log/");
    server.createContext("/v1/log/", exchange -> {
      if (exchange.getRequestURI().getPath().endsWith("/entries/7")) {
        exchange.sendResponseHeaders(500, -1);
        exchange.close();
      } else {
        handle(exchange);
      }
    });

    VerifyCommandTest.Run run = export();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("GET /v1/log/entries/7 answered HTTP 500");
    assertThat(Files.exists(dir.resolve("export.jsonl"))).isFalse();
    assertThat(Files.exists(dir.resolve("export.jsonl.part"))).isFalse();
  }

  @Test
  void aPinnedKeyMustHaveSignedTheCheckpoint() {
    VerifyCommandTest.Run run = export("--key", new LogFixture().verifierKey());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("checkpoint does not verify");
    assertThat(requested).containsExactly("/v1/log/checkpoint");
  }

  @Test
  void aUrlThatIsNotHttpIsUnusableInput() {
    url = "file:///etc";

    assertThat(export().exitCode()).isEqualTo(2);
  }
}
