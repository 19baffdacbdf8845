package dev.bucket.gate;

import dev.bucket.audit.AuditClient;
import dev.bucket.audit.ChainVerifier;
import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import dev.bucket.governance.threat.ChainStatus;
import dev.bucket.governance.threat.WriteInspection.ProductUsage;
import dev.bucket.limit.ConcurrencyCap;
import dev.bucket.limit.FairLimiter;
import dev.bucket.limit.Kind;
import dev.bucket.metrics.AlertEvaluator;
import dev.bucket.metrics.GatewayMeters;
import dev.bucket.metrics.Limit;
import dev.bucket.metrics.Reading;
import dev.bucket.metrics.ScaleMonitor;
import dev.bucket.metrics.SecondSeries;
import dev.bucket.time.Timestamps;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} (Prometheus text) and the scale monitoring API: JSON answers computed from the live meters
 * and limiter state of this node ({@link ScaleMonitor}), never from stored or hard-coded values.
 *
 * <p>Everything is for the owner and auditors (bearer key); {@code /metrics} alone may be made public with
 * {@code metrics_public}. Integrations may only report their own query latencies.
 */
final class MetricsRoutes {

  static final String SCRAPE = "/metrics";
  private static final Handler<RoutingContext> READERS = Authentication.roles(Role.OWNER, Role.AUDITOR);
  private static final Handler<RoutingContext> REPORTERS = Authentication.roles(Role.OWNER, Role.AUDITOR,
      Role.INTEGRATION);
  private static final long MAX_LATENCY_MS = 3_600_000;

  private final ScaleMonitor monitor;
  private final boolean scrapePublic;
  private final AuditClient audit;
  private final ChainVerifier chain;
  private final Clock clock;
  private final List<Integer> thresholds;

  MetricsRoutes(ScaleMonitor monitor, boolean scrapePublic, AuditClient audit, ChainVerifier chain, Clock clock,
                List<Integer> thresholds) {
    this.monitor = monitor;
    this.scrapePublic = scrapePublic;
    this.audit = audit;
    this.chain = chain;
    this.clock = clock;
    this.thresholds = thresholds;
  }

  void mount(Router router) {
    var scrape = router.get(SCRAPE).setName("metrics.scrape");
    if (!scrapePublic) {
      scrape.handler(READERS);
    }
    scrape.handler(this::scrape);
    router.get("/metrics/scale-status").setName("metrics.read").handler(READERS).handler(this::scaleStatus);
    router.get("/metrics/concurrent-writes").setName("metrics.read").handler(READERS)
        .handler(this::concurrentWrites);
    router.get("/metrics/storage-capacity").setName("metrics.read").handler(READERS).handler(this::storage);
    router.get("/metrics/write-throughput").setName("metrics.read").handler(READERS).handler(this::writeThroughput);
    router.get("/metrics/query-performance").setName("metrics.read").handler(READERS)
        .handler(this::queryPerformance);
    router.get("/metrics/alerts").setName("metrics.read").handler(READERS).handler(this::alerts);
    router.get("/metrics/alert-history").setName("metrics.read").handler(READERS).handler(this::alertHistory);
    router.post("/metrics/record-query-latency").setName("metrics.record_query_latency")
        .handler(Requests.jsonBodies(4096)).handler(REPORTERS).handler(this::recordLatency);
    router.get("/governance/scale/proximity/:limit").setName("governance.read").handler(READERS)
        .handler(this::proximity);
    router.get("/governance/scale/thresholds").setName("governance.read").handler(READERS)
        .handler(this::thresholds);
    router.get("/governance/scale/certification").setName("governance.read").handler(READERS)
        .handler(this::certification);
  }

  private void scrape(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, GatewayMeters.CONTENT_TYPE)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(monitor.meters().scrape());
  }

  // ---- limits -------------------------------------------------------------------------------------------------

  /** "ok" below every threshold, "critical" at the highest, "warning" in between. */
  private String status(double percent) {
    int reached = 0;
    for (int t : thresholds) {
      if (percent >= t) {
        reached = t;
      }
    }
    return reached == 0 ? "ok" : reached == thresholds.get(thresholds.size() - 1) ? "critical" : "warning";
  }

  private JsonObject reading(Reading reading) {
    JsonObject out = new JsonObject()
        .put("limit", reading.limit().key())
        .put("measures", reading.limit().measures())
        .put("current", number(reading.current()))
        .put("max", number(reading.max()))
        .put("utilisation_percent", percent(reading.percent()))
        .put("status", status(reading.percent()))
        .put("alert_level_percent", monitor.alerts().level(reading.limit()));
    if (reading.subject() != null) {
      out.put("subject", reading.subject());
    }
    return out;
  }

  private static Object number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Object) (long) value : (Object) value;
  }

  private static double percent(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private static String worst(List<String> statuses) {
    return statuses.contains("critical") ? "critical" : statuses.contains("warning") ? "warning" : "ok";
  }

  private void scaleStatus(RoutingContext ctx) {
    JsonArray limits = new JsonArray();
    List<Reading> readings = monitor.readings();
    readings.forEach(r -> limits.add(reading(r)));
    JsonObject ceilings = new JsonObject();
    for (Kind kind : Kind.values()) {
      ceilings.put(kind.policy(), ceiling(kind));
    }
    Responses.json(ctx, 200, new JsonObject()
        .put("status", worst(readings.stream().map(r -> status(r.percent())).toList()))
        .put("checked_at", Timestamps.format(clock.instant()))
        .put("limits", limits)
        .put("ceilings", ceilings)
        .put("active_alerts", monitor.alerts().active().size())
        .put("cluster", cluster()));
  }

  private JsonObject ceiling(Kind kind) {
    FairLimiter limiter = monitor.ceilings().limiter(kind);
    SecondSeries admitted = monitor.admitted(kind);
    SecondSeries refused = monitor.refused(kind);
    long rate = limiter.ratePerSecond();
    return new JsonObject()
        .put("ceiling_per_second", rate)
        .put("burst", monitor.ceilings().settings().burst(kind))
        .put("max_delay_ms", TimeUnit.NANOSECONDS.toMillis(limiter.maxDelayNanos()))
        .put("admitted_last_second", admitted.last())
        .put("average_per_second", percent(admitted.average()))
        .put("peak_per_second", admitted.peak())
        .put("seconds_sampled", admitted.seconds())
        .put("refused_last_second", refused.last())
        .put("refused_average_per_second", percent(refused.average()))
        .put("utilisation_percent", percent(100.0 * admitted.last() / rate))
        .put("delayed_now", monitor.meters().delayed(kind).get())
        .put("active_products", limiter.activeProducts())
        .put("fair_share_per_second", percent(limiter.fairShare()))
        .put("accepted_total", monitor.meters().acceptedTotal(kind))
        .put("rejected_total", monitor.meters().rejectedTotal(kind));
  }

  private JsonObject cluster() {
    if (monitor.leases() == null) {
      return new JsonObject().put("mode", "single_node");
    }
    return new JsonObject().put("mode", "redis_leases").put("connected", monitor.leases().connected())
        .put("leased_writes", monitor.leases().leasedTokens(Kind.WRITE))
        .put("leased_reads", monitor.leases().leasedTokens(Kind.READ));
  }

  private void concurrentWrites(RoutingContext ctx) {
    ConcurrencyCap cap = monitor.ceilings().writers();
    Reading reading = monitor.reading(Limit.MAX_CONCURRENT_WRITERS);
    Responses.json(ctx, 200, new JsonObject()
        .put("in_flight", cap.inUse())
        .put("max_concurrent_writers", cap.max())
        .put("utilisation_percent", percent(reading.percent()))
        .put("status", status(reading.percent()))
        .put("refused_total", cap.refused())
        .put("delayed_writes_now", monitor.meters().delayed(Kind.WRITE).get())
        .put("checked_at", Timestamps.format(clock.instant())));
  }

  private void storage(RoutingContext ctx) {
    ScaleMonitor.Limits limits = monitor.limits();
    Map<String, ProductUsage> usage = monitor.usage().snapshot();
    JsonObject products = new JsonObject();
    java.util.SortedSet<String> names = new java.util.TreeSet<>(monitor.products());
    names.addAll(usage.keySet());
    for (String product : names) {
      ProductUsage u = usage.getOrDefault(product, new ProductUsage(0, 0));
      products.put(product, new JsonObject().put("bytes_used", u.bytesUsed()).put("artifacts", u.artifacts())
          .put("artifacts_utilisation_percent", percent(100.0 * u.artifacts() / limits.maxArtifactsPerProduct())));
    }
    Reading bytes = monitor.reading(Limit.MAX_STORAGE_BYTES);
    Reading artifacts = monitor.reading(Limit.MAX_ARTIFACTS);
    Reading fullest = monitor.reading(Limit.MAX_ARTIFACTS_PER_PRODUCT);
    Responses.json(ctx, 200, new JsonObject()
        .put("bytes_used", monitor.usage().totalBytes())
        .put("max_storage_bytes", limits.maxStorageBytes())
        .put("storage_utilisation_percent", percent(bytes.percent()))
        .put("artifacts", monitor.usage().totalArtifacts())
        .put("max_artifacts", limits.maxArtifacts())
        .put("artifacts_utilisation_percent", percent(artifacts.percent()))
        .put("max_artifacts_per_product", limits.maxArtifactsPerProduct())
        .put("fullest_product", fullest.subject())
        .put("fullest_product_utilisation_percent", percent(fullest.percent()))
        .put("status", worst(List.of(status(bytes.percent()), status(artifacts.percent()),
            status(fullest.percent()))))
        .put("products", products)
        .put("note", "artifacts count stored versions; usage is counted in memory from the store at start-up and "
            + "on every commit"));
  }

  private void writeThroughput(RoutingContext ctx) {
    JsonObject body = ceiling(Kind.WRITE);
    Responses.json(ctx, 200, body.put("status", status(100.0 * monitor.admitted(Kind.WRITE).last()
            / monitor.ceilings().limiter(Kind.WRITE).ratePerSecond()))
        .put("window_seconds", 60)
        .put("checked_at", Timestamps.format(clock.instant())));
  }

  private void queryPerformance(RoutingContext ctx) {
    JsonObject clients = new JsonObject();
    new TreeMap<>(monitor.meters().clientLatencyTimers()).forEach((product, timer) ->
        clients.put(product, latency(timer)));
    Responses.json(ctx, 200, new JsonObject()
        .put("reads", ceiling(Kind.READ))
        .put("server_read_latency_ms", latency(monitor.meters().servedTimer(Kind.READ)))
        .put("server_write_latency_ms", latency(monitor.meters().servedTimer(Kind.WRITE)))
        .put("client_reported_latency_ms", clients)
        .put("note", "server latency: from admission by the ceilings to the response's end; percentiles over the "
            + "last minute (client-reported: five minutes)")
        .put("checked_at", Timestamps.format(clock.instant())));
  }

  private static JsonObject latency(Timer timer) {
    HistogramSnapshot snapshot = timer.takeSnapshot();
    JsonObject out = new JsonObject()
        .put("count", snapshot.count())
        .put("mean", millis(snapshot.mean(TimeUnit.NANOSECONDS)))
        .put("max", millis(snapshot.max(TimeUnit.NANOSECONDS)));
    for (ValueAtPercentile p : snapshot.percentileValues()) {
      out.put("p" + Math.round(p.percentile() * 100), millis(p.value(TimeUnit.NANOSECONDS)));
    }
    return out;
  }

  private static double millis(double nanos) {
    return Math.round(nanos / 1_000) / 1_000.0;
  }

  // ---- alerts -------------------------------------------------------------------------------------------------

  private void alerts(RoutingContext ctx) {
    JsonArray active = new JsonArray();
    for (AlertEvaluator.Active a : monitor.alerts().active()) {
      JsonObject item = new JsonObject().put("limit", a.limit().key()).put("level_percent", a.level())
          .put("severity", a.level() == thresholds.get(thresholds.size() - 1) ? "critical" : "warning")
          .put("since", Timestamps.format(a.since()));
      if (a.reading() != null) {
        item.put("current", number(a.reading().current())).put("max", number(a.reading().max()))
            .put("utilisation_percent", percent(a.reading().percent()));
        if (a.reading().subject() != null) {
          item.put("subject", a.reading().subject());
        }
      }
      active.add(item);
    }
    Responses.json(ctx, 200, new JsonObject().put("active", active).put("thresholds_percent",
        new JsonArray(thresholds)).put("evaluations", monitor.alerts().evaluations())
        .put("checked_at", Timestamps.format(clock.instant())));
  }

  private void alertHistory(RoutingContext ctx) {
    int limit = Requests.limit(ctx, 100, monitor.alerts().historyCapacity());
    JsonArray events = new JsonArray();
    monitor.alerts().history(limit).forEach(a -> events.add(alertJson(a)));
    Responses.json(ctx, 200, new JsonObject().put("events", events).put("held", monitor.alerts().historySize())
        .put("capacity", monitor.alerts().historyCapacity()));
  }

  private JsonObject alertJson(AlertEvaluator.Alert a) {
    JsonObject out = new JsonObject().put("sequence", a.sequence()).put("at", Timestamps.format(a.at()))
        .put("limit", a.limit().key()).put("state", a.state().name().toLowerCase(Locale.ROOT))
        .put("threshold_percent", a.threshold()).put("level_percent", a.level())
        .put("severity", a.severity(thresholds)).put("current", number(a.current())).put("max", number(a.max()))
        .put("utilisation_percent", percent(a.percent()));
    if (a.subject() != null) {
      out.put("subject", a.subject());
    }
    return out;
  }

  private void recordLatency(RoutingContext ctx) {
    JsonObject body = Requests.jsonBody(ctx, Set.of("latency_ms", "product", "query"));
    Object value = body.getValue("latency_ms");
    if (!(value instanceof Number n) || !(n.doubleValue() >= 0) || n.doubleValue() > MAX_LATENCY_MS) {
      throw Requests.invalid("latency_ms must be a number of milliseconds within 0.." + MAX_LATENCY_MS);
    }
    Principal caller = Authentication.principal(ctx);
    Object named = body.getValue("product");
    if (named != null && !(named instanceof String)) {
      throw Requests.invalid("product must be a string");
    }
    String product;
    if (caller.is(Role.INTEGRATION)) {
      if (named != null && !named.equals(caller.product())) {
        throw new ApiException(ProblemType.CROSS_PRODUCT, "an integration reports latencies of its own product "
            + caller.product() + " only");
      }
      product = caller.product();
    } else {
      product = (String) named;
      if (product != null && !monitor.products().contains(product)) {
        throw new ApiException(ProblemType.UNKNOWN_PRODUCT, "product '" + product + "' is not governed here; "
            + "products are " + new java.util.TreeSet<>(monitor.products()));
      }
    }
    long nanos = Math.round(n.doubleValue() * 1_000_000);
    monitor.meters().clientLatency(product, nanos);
    Responses.json(ctx, 202, new JsonObject().put("recorded", true).put("product", product)
        .put("latency_ms", n.doubleValue()));
  }

  // ---- governance view ----------------------------------------------------------------------------------------

  private void proximity(RoutingContext ctx) {
    String name = ctx.pathParam("limit");
    Limit limit = Limit.byKey(name).orElseThrow(() -> new ApiException(ProblemType.NOT_FOUND, "no scale limit '"
        + name + "'; limits are " + java.util.Arrays.stream(Limit.values()).map(Limit::key).toList()));
    Reading reading = monitor.reading(limit);
    JsonArray levels = new JsonArray();
    for (int t : thresholds) {
      double at = reading.max() * t / 100.0;
      levels.add(new JsonObject().put("threshold_percent", t).put("fires_at", number(at))
          .put("reached", reading.percent() >= t).put("remaining", number(Math.max(0, at - reading.current()))));
    }
    Responses.json(ctx, 200, reading(reading).put("thresholds", levels)
        .put("headroom", number(Math.max(0, reading.max() - reading.current())))
        .put("checked_at", Timestamps.format(clock.instant())));
  }

  private void thresholds(RoutingContext ctx) {
    JsonObject limits = new JsonObject();
    for (Reading reading : monitor.readings()) {
      JsonObject firesAt = new JsonObject();
      thresholds.forEach(t -> firesAt.put(Integer.toString(t), number(reading.max() * t / 100.0)));
      limits.put(reading.limit().key(), new JsonObject().put("max", number(reading.max()))
          .put("measures", reading.limit().measures()).put("fires_at", firesAt));
    }
    Responses.json(ctx, 200, new JsonObject()
        .put("alert_thresholds_percent", new JsonArray(thresholds))
        .put("hysteresis_points", monitor.alerts().hysteresis())
        .put("evaluated_every_seconds", 1)
        .put("history_capacity", monitor.alerts().historyCapacity())
        .put("limits", limits)
        .put("source", "alert_thresholds in conf/bucket.json; limits from the same file"));
  }

  /**
   * Certified only when every check passes now: ceilings held (no second of the last minute admitted more than
   * the rate plus its burst), headroom on every capacity limit, no critical alert on one, the cluster budget
   * reachable when Redis is configured, and the newest audit entries re-hashing to the durable head.
   */
  private void certification(RoutingContext ctx) {
    JsonObject checks = new JsonObject();
    JsonArray held = new JsonArray();
    boolean ceilingsHeld = true;
    for (Kind kind : Kind.values()) {
      long rate = monitor.ceilings().limiter(kind).ratePerSecond();
      long allowed = rate + monitor.ceilings().settings().burst(kind);
      long peak = monitor.admitted(kind).peak();
      ceilingsHeld &= peak <= allowed;
      held.add(new JsonObject().put("kind", kind.policy()).put("ceiling_per_second", rate)
          .put("peak_admitted_per_second", peak).put("allowed_per_second", allowed)
          .put("seconds_sampled", monitor.admitted(kind).seconds()));
    }
    checks.put("ceilings_held", new JsonObject().put("ok", ceilingsHeld).put("kinds", held));

    int top = thresholds.get(thresholds.size() - 1);
    JsonArray tight = new JsonArray();
    for (Reading reading : monitor.readings()) {
      if (capacity(reading.limit()) && reading.percent() >= top) {
        tight.add(reading(reading));
      }
    }
    checks.put("capacity_headroom", new JsonObject().put("ok", tight.isEmpty()).put("at_or_over_" + top + "_percent",
        tight));

    JsonArray critical = new JsonArray();
    monitor.alerts().active().stream().filter(a -> capacity(a.limit()) && a.level() >= top)
        .forEach(a -> critical.add(a.limit().key()));
    checks.put("no_critical_capacity_alerts", new JsonObject().put("ok", critical.isEmpty())
        .put("critical", critical));

    checks.put("cluster_budget", monitor.leases() == null
        ? new JsonObject().put("ok", true).put("mode", "single_node")
        : new JsonObject().put("ok", monitor.leases().connected()).put("mode", "redis_leases"));

    audit.head().compose(chain::verifyNewest).map(ChainStatus::of).onSuccess(status -> {
      checks.put("audit_chain", new JsonObject().put("ok", status.intact()).put("entries_checked",
          ChainVerifier.RECENT_WINDOW).put("first_bad_index", status.firstBadIndex()));
      boolean all = checks.stream().allMatch(e -> ((JsonObject) e.getValue()).getBoolean("ok"));
      Responses.json(ctx, 200, new JsonObject()
          .put("certification", all ? "certified" : "not_certified")
          .put("failed_checks", new JsonArray(checks.stream()
              .filter(e -> !((JsonObject) e.getValue()).getBoolean("ok")).map(Map.Entry::getKey).toList()))
          .put("checks", checks)
          .put("checked_at", Timestamps.format(clock.instant())));
    }).onFailure(ctx::fail);
  }

  /** Limits of stored or in-flight capacity; being at a rate ceiling is the ceiling working, not a shortage. */
  private static boolean capacity(Limit limit) {
    return limit != Limit.MAX_WRITES_PER_SECOND && limit != Limit.MAX_READS_PER_SECOND;
  }
}
