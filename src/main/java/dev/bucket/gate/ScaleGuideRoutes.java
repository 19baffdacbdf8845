package dev.bucket.gate;

import dev.bucket.config.BucketConfig;
import dev.bucket.metrics.Limit;
import dev.bucket.metrics.Reading;
import dev.bucket.metrics.ScaleMonitor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The seeds' informational {@code /governance/scale/*} answers, built from the limits this node enforces and what it
 * holds now, never from fixed text about capacity: what scales within the ceilings, what Bucket refuses to scale,
 * what a client must not assume, and a dry run of a planned load against the limits.
 */
final class ScaleGuideRoutes {

  private static final Set<String> PLAN_FIELDS = Set.of("writes_per_second", "reads_per_second", "artifact_size",
      "batch_size", "artifacts", "artifacts_per_product", "products", "storage_bytes", "concurrent_writers");

  private final BucketConfig config;
  private final ScaleMonitor monitor;

  ScaleGuideRoutes(BucketConfig config, ScaleMonitor monitor) {
    this.config = config;
    this.monitor = monitor;
  }

  void mount(Router router) {
    router.get("/governance/scale/what-scales-safely").setName("governance.read").handler(this::scalesSafely);
    router.get("/governance/scale/what-scales").setName("governance.read").handler(this::scalesSafely);
    router.get("/governance/scale/what-does-not-scale").setName("governance.read").handler(this::doesNotScale);
    router.get("/governance/scale/never-assume").setName("governance.read").handler(this::neverAssume);
    router.post("/governance/scale/validate").setName("governance.read")
        .handler(Requests.jsonBodies(4096)).handler(this::validate);
  }

  /**
   * Every limit with its ceiling and, where the scale monitor watches it, its value now (read from the monitor, the
   * same numbers proximity and alerts use); -1 where nothing is measured.
   */
  private Map<String, long[]> limits() {
    Map<String, long[]> limits = new LinkedHashMap<>();
    limits.put("writes_per_second", watched(Limit.MAX_WRITES_PER_SECOND));
    limits.put("reads_per_second", watched(Limit.MAX_READS_PER_SECOND));
    limits.put("artifact_size", new long[] {config.maxArtifactBytes(), -1});
    limits.put("batch_size", new long[] {config.maxBatchSize(), -1});
    limits.put("artifacts", watched(Limit.MAX_ARTIFACTS));
    limits.put("artifacts_per_product", watched(Limit.MAX_ARTIFACTS_PER_PRODUCT));
    limits.put("products", watched(Limit.MAX_PRODUCTS));
    limits.put("storage_bytes", watched(Limit.MAX_STORAGE_BYTES));
    limits.put("concurrent_writers", watched(Limit.MAX_CONCURRENT_WRITERS));
    return limits;
  }

  private long[] watched(Limit limit) {
    Reading reading = monitor.reading(limit);
    return new long[] {(long) reading.max(), (long) reading.current()};
  }

  private void scalesSafely(RoutingContext ctx) {
    JsonObject items = new JsonObject();
    limits().forEach((name, v) -> {
      JsonObject item = new JsonObject().put("limit", v[0]);
      if (v[1] >= 0) {
        item.put("current", v[1]).put("utilisation_percent", Math.round(1000.0 * v[1] / v[0]) / 10.0);
      }
      items.put(name, item);
    });
    Responses.json(ctx, 200, new JsonObject().put("scales_safely_within", items)
        .put("metadata_store", config.embeddedStore() ? "embedded (single node, one process)"
            : "external MongoDB replica set")
        .put("measured", "docs/benchmarks.md records the rates measured on a reference machine"));
  }

  private void doesNotScale(RoutingContext ctx) {
    JsonArray refused = new JsonArray()
        .add(item("bulk_reads", "every listing is a page of at most " + config.pageLimitMax()
            + " items; a larger limit is refused (bulk-read-refused)"))
        .add(item("cross_product_queries", "no endpoint reads or aggregates artifacts across products"))
        .add(item("artifacts_over_limit", "payloads over " + config.maxArtifactBytes()
            + " bytes are refused while streaming (413)"))
        .add(item("schema_evolution", "schemas change only by owner-approved versions; unknown fields are refused"));
    if (config.embeddedStore()) {
      refused.add(item("embedded_store", "this node's metadata store is in-process: it does not scale beyond one node;"
          + " point mongo_uri at a replica set to run several gateway nodes"));
    }
    if (config.redisUri().isEmpty()) {
      refused.add(item("cluster_ceilings", "no redis_uri: each node enforces the ceilings alone"));
    }
    Responses.json(ctx, 200, new JsonObject().put("does_not_scale", refused));
  }

  private void neverAssume(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject().put("never_assume", new JsonArray()
        .add(item("acknowledged_means_durable", "a 201 is sent only after the artifact and its audit entry are"
            + " durable; anything without a 2xx may not be stored, so retry with Idempotency-Key"))
        .add(item("ceilings_are_hard", config.maxWritesPerSecond() + " writes/s and " + config.maxReadsPerSecond()
            + " reads/s gateway-wide: above them requests are refused, never queued without bound"))
        .add(item("latest_moves", "GET of an artifact returns its latest version, which can change; versions"
            + " themselves never do"))
        .add(item("evidence_lags", "an evidence bundle exists once a signed checkpoint covers the write (within a"
            + " second); until then the answer is 503 with Retry-After"))
        .add(item("keys_are_per_product", "an integration key reaches exactly one product"))));
  }

  /** A planned load checked against the limits: which figures exceed them, and by how much. */
  private void validate(RoutingContext ctx) {
    JsonObject plan = Requests.jsonBody(ctx, PLAN_FIELDS);
    Map<String, long[]> limits = limits();
    JsonArray violations = new JsonArray();
    for (String field : plan.fieldNames()) {
      if (!(plan.getValue(field) instanceof Number n) || n.doubleValue() < 0) {
        throw Requests.invalid(field + " must be a non-negative number");
      }
      long limit = limits.get(field)[0];
      if (n.doubleValue() > limit) {
        violations.add(new JsonObject().put("limit_name", field).put("requested", n).put("limit", limit));
      }
    }
    Responses.json(ctx, 200, new JsonObject().put("valid", violations.isEmpty()).put("violations", violations));
  }

  private static JsonObject item(String name, String detail) {
    return new JsonObject().put("name", name).put("detail", detail);
  }
}
