package dev.bucket.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bucket.config.ConfigLoader;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/prometheus/alerts.yml mirrors Bucket's own alerts, reads only meters the gateway exposes, and passes promtool's
 * checks and its own unit tests (alerts.test.yml) when Debian's prometheus package is installed (.ci/run installs it).
 */
@ExtendWith(VertxExtension.class)
class PrometheusRulesTest {

  private static final Path DIR = Path.of("docs", "prometheus");

  @Test
  void theLimitAlertsAreBucketsThresholdsAndSeverities() throws Exception {
    List<Integer> thresholds = ConfigLoader.load(Path.of("conf", "bucket.json"), Map.of(), new Properties(), Map.of())
        .alertThresholds();
    List<JsonNode> bands = rules().stream().filter(rule -> rule.path("alert").asText().equals("BucketScaleLimit"))
        .toList();

    assertThat(bands).hasSameSizeAs(thresholds);
    for (int i = 0; i < thresholds.size(); i++) {
      int threshold = thresholds.get(i);
      String upper = i + 1 < thresholds.size() ? " < " + thresholds.get(i + 1) : "";
      assertThat(bands.get(i).path("expr").asText().strip())
          .isEqualTo("bucket_limit_utilisation_percent >= " + threshold + upper);
      assertThat(bands.get(i).path("labels").path("threshold_percent").asText()).isEqualTo(String.valueOf(threshold));
      AlertEvaluator.Alert firing = new AlertEvaluator.Alert(1, java.time.Instant.EPOCH, Limit.values()[0],
          AlertEvaluator.State.FIRING, threshold, threshold, 0, 0, 0, null);
      assertThat(bands.get(i).path("labels").path("severity").asText()).isEqualTo(firing.severity(thresholds));
    }
  }

  @Test
  void everyMeterTheRulesReadIsOneTheGatewayExposes(Vertx vertx) throws Exception {
    TreeSet<String> used = new TreeSet<>();
    for (JsonNode rule : rules()) {
      Matcher meter = Pattern.compile("bucket_[a-z_]+").matcher(rule.path("expr").asText());
      while (meter.find()) {
        used.add(meter.group());
      }
    }
    String scrape;
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      // Counters appear with their first count.
      node.integration("AI_Assistant", "metadata").postJson("/v1/products/AI_Assistant/artifacts",
          new JsonObject().put("artifact_class", "metadata").put("data", "x"));
      scrape = node.api().get("/metrics").bodyAsString();
    }

    assertThat(used).isNotEmpty().allSatisfy(name -> assertThat(scrape).contains("\n" + name + "{"));
  }

  @Test
  void promtoolAcceptsTheRulesAndTheConfigurationAndTheRulesPassTheirUnitTests() throws Exception {
    assumeTrue(onPath("promtool"), "promtool is not installed (Debian: apt-get install prometheus)");

    promtool("check", "rules", "alerts.yml");
    promtool("test", "rules", "alerts.test.yml");
    // Syntax only: the example's credentials file exists on a Prometheus host, not here.
    promtool("check", "config", "--syntax-only", "prometheus.yml");
  }

  private static List<JsonNode> rules() throws Exception {
    JsonNode file = new ObjectMapper(new YAMLFactory()).readTree(DIR.resolve("alerts.yml").toFile());
    List<JsonNode> rules = new ArrayList<>();
    file.path("groups").forEach(group -> group.path("rules").forEach(rules::add));
    return rules;
  }

  private static void promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished within 60 s").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
  }

  private static boolean onPath(String program) {
    return List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
        .anyMatch(dir -> new File(dir, program).canExecute());
  }
}
