package dev.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.GatewayProcess;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person sees on the console of a gateway started as {@code bucket serve}. */
class ConsoleOutputTest {

  @Test
  void aFirstStartShowsTheStartUpLineAndTheOwnerKeyNoticeAndNothingElse(@TempDir Path data) throws Exception {
    List<String> lines;
    // An empty owner_key: the gateway makes the owner key and shows it, as on a new user's first start.
    try (GatewayProcess gateway = new GatewayProcess(data, List.of("owner_key="))) {
      gateway.start(Duration.ofSeconds(60));
      // Requests register Vert.x's shared request and connection gauges again: nothing may be logged for that either.
      for (int i = 0; i < 3; i++) {
        get(gateway, "/health", "");
      }
      gateway.stop();
      lines = gateway.log().lines().filter(line -> !line.isBlank()).toList();
    }

    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("==== Bucket owner API key");
    assertThat(lines.get(1)).startsWith("bk_");
    assertThat(lines.get(2)).matches("=+");
    assertThat(lines.get(3)).startsWith("Bucket " + Node.VERSION + " listening on http://127.0.0.1:");
  }

  @Test
  void withJsonLogsEachLogLineIsAJsonObjectCarryingTheRequestsId(@TempDir Path data) throws Exception {
    String log;
    try (GatewayProcess gateway = new GatewayProcess(data, List.of("log_format=json", "access_log=true"))) {
      gateway.start(Duration.ofSeconds(60));
      get(gateway, "/health", "from-a-product-trace");
      gateway.stop();
      log = gateway.log();
    }

    List<JsonObject> logLines = log.lines().filter(line -> line.startsWith("{")).map(JsonObject::new).toList();
    assertThat(logLines).anySatisfy(line -> {
      assertThat(line.getString("request_id")).isEqualTo("from-a-product-trace");
      assertThat(line.getString("logger_name")).isEqualTo("dev.bucket.gate.access");
      assertThat(line.getString("message")).startsWith("GET /health 200");
    });
    // The start-up line is the one line meant for a person rather than a log collector.
    assertThat(log.lines().filter(line -> !line.isBlank() && !line.startsWith("{")))
        .singleElement().asString().startsWith("Bucket " + Node.VERSION + " listening on");
  }

  private static void get(GatewayProcess gateway, String path, String requestId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + path));
    if (!requestId.isEmpty()) {
      request.header("X-Request-Id", requestId);
    }
    // HTTP/1.1 as curl speaks it; Java's client would otherwise offer an h2c upgrade.
    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(request.build(), HttpResponse.BodyHandlers.discarding());
  }
}
