package dev.bucket.metrics;

import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.governance.UsageMeter;
import dev.bucket.governance.threat.WriteInspection.ProductUsage;
import dev.bucket.limit.Ceilings;
import dev.bucket.limit.FairLimiter;
import dev.bucket.limit.Kind;
import dev.bucket.limit.RedisLeases;
import dev.bucket.limit.ShedCounter;
import dev.bucket.limit.ShedSummary;
import dev.bucket.time.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's once-a-second housekeeping of its ceilings and limits, on one Vert.x timer:
 * <ul>
 *   <li>samples the admitted rates (writes and reads per second, last 60 s);
 *   <li>drains the shed counters into one {@code ceiling.shed} audit entry per product, kind and second (never one
 *       per refused request);
 *   <li>reads every {@link Limit} and evaluates the proximity alerts; each alert event is also an audit entry
 *       ({@code scale.alert});
 *   <li>registers the per-product storage gauges of newly governed products.
 * </ul>
 * Every value it reads is in memory (limiter state, {@link UsageMeter}, the audit writer's published depth), so a
 * tick costs no store round trip; the audit appends only wait for acceptance into the audit queue.
 */
public final class ScaleMonitor {

  /** The actor of the entries the gateway itself writes. */
  public static final String ACTOR = "gateway";
  static final int SERIES_SECONDS = 60;
  static final int HISTORY = 1000;
  static final double HYSTERESIS_POINTS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(ScaleMonitor.class);

  /** The configured limits this monitor compares with. */
  public record Limits(long maxStorageBytes, long maxArtifacts, long maxArtifactsPerProduct, int maxProducts,
                       int auditQueueCapacity) {
  }

  private final Vertx vertx;
  private final Ceilings ceilings;
  private final GatewayMeters meters;
  private final UsageMeter usage;
  private final Supplier<Set<String>> products;
  private final IntSupplier auditPending;
  private final AuditClient audit;
  private final Clock clock;
  private final RedisLeases leases;
  private final Limits limits;
  private final AlertEvaluator alerts;
  private final ShedCounter writerShed;
  private final ShedCounter unauthenticated;
  private final ShedCounter unavailable;
  private final Map<Kind, SecondSeries> admitted = new EnumMap<>(Kind.class);
  private final Map<Kind, SecondSeries> refused = new EnumMap<>(Kind.class);
  private final AtomicBoolean auditWarned = new AtomicBoolean();
  private volatile List<Reading> lastReadings = List.of();
  private long timerId = -1;

  /**
   * @param products the governed products now (they change with owner rule changes)
   * @param auditPending audit entries accepted but not yet durable, readable from any thread
   * @param leases the Redis leases behind clustered ceilings, or null on a single node
   */
  public ScaleMonitor(Vertx vertx, Ceilings ceilings, GatewayMeters meters, UsageMeter usage,
                      Supplier<Set<String>> products, IntSupplier auditPending, AuditClient audit, Clock clock,
                      RedisLeases leases, Limits limits, List<Integer> thresholds) {
    this.vertx = vertx;
    this.ceilings = ceilings;
    this.meters = meters;
    this.usage = usage;
    this.products = products;
    this.auditPending = auditPending;
    this.audit = audit;
    this.clock = clock;
    this.leases = leases;
    this.limits = limits;
    this.alerts = new AlertEvaluator(thresholds, HISTORY, HYSTERESIS_POINTS);
    this.writerShed = new ShedCounter(ceilings.settings().maxProducts(), () -> clock.millis() / 1000);
    // Keyed by route name (a bounded set), not by anything the anonymous caller chooses.
    this.unauthenticated = new ShedCounter(256, () -> clock.millis() / 1000);
    this.unavailable = new ShedCounter(256, () -> clock.millis() / 1000);
    for (Kind kind : Kind.values()) {
      admitted.put(kind, new SecondSeries(SERIES_SECONDS));
      refused.put(kind, new SecondSeries(SERIES_SECONDS));
    }
    registerGauges();
  }

  private void registerGauges() {
    for (Kind kind : Kind.values()) {
      String k = kind.policy();
      FairLimiter limiter = ceilings.limiter(kind);
      meters.gauge("bucket.ceiling.rate", "The ceiling: requests per second admitted gateway-wide", limiter,
          FairLimiter::ratePerSecond, "kind", k);
      meters.gauge("bucket.ceiling.admitted.last.second", "Requests admitted in the last whole second",
          admitted.get(kind), SecondSeries::last, "kind", k);
      meters.gauge("bucket.ceiling.utilisation", "Admitted in the last second over the ceiling (1 = at the ceiling)",
          admitted.get(kind), s -> (double) s.last() / limiter.ratePerSecond(), "kind", k);
      meters.gauge("bucket.ceiling.active.products", "Products that sent requests within the last second", limiter,
          FairLimiter::activeProducts, "kind", k);
      meters.gauge("bucket.ceiling.fair.share", "Requests per second guaranteed to each active product", limiter,
          FairLimiter::fairShare, "kind", k);
    }
    meters.gauge("bucket.writers.in.flight", "Writes holding a writer permit", ceilings.writers(),
        c -> c.inUse());
    meters.gauge("bucket.writers.max", "The writer cap (max_concurrent_writers)", ceilings.writers(), c -> c.max());
    meters.gauge("bucket.audit.pending", "Audit entries accepted but not yet durable (the audit writer's lag)",
        () -> auditPending.getAsInt());
    meters.gauge("bucket.audit.capacity", "The audit queue's capacity (audit_queue_capacity)",
        () -> limits.auditQueueCapacity());
    meters.gauge("bucket.storage.used.bytes", "Payload bytes stored, all products", usage,
        UsageMeter::totalBytes);
    meters.gauge("bucket.storage.capacity.bytes", "The storage ceiling (max_storage_bytes)",
        () -> limits.maxStorageBytes());
    meters.gauge("bucket.artifacts.stored", "Artifact versions stored, all products", usage,
        UsageMeter::totalArtifacts);
    meters.gauge("bucket.artifacts.capacity", "The artifact ceiling (max_artifacts)", () -> limits.maxArtifacts());
    meters.gauge("bucket.artifacts.per.product.capacity", "The per-product artifact ceiling "
        + "(max_artifacts_per_product)", () -> limits.maxArtifactsPerProduct());
    meters.gauge("bucket.alerts.active", "Limits at or above an alert threshold", alerts, a -> a.active().size());
    for (Limit limit : Limit.values()) {
      meters.gauge("bucket.limit.utilisation.percent", "How close each scale limit is, in percent of the limit",
          this, m -> m.reading(limit).percent(), "limit", limit.key());
    }
    registerProducts();
  }

  private void registerProducts() {
    for (String product : products.get()) {
      meters.gauge("bucket.product.storage.used.bytes", "Payload bytes stored by the product", usage,
          u -> u.of(product).bytesUsed(), "product", product);
      meters.gauge("bucket.product.artifacts.stored", "Artifact versions stored by the product", usage,
          u -> u.of(product).artifacts(), "product", product);
    }
  }

  /** Starts the once-a-second tick. */
  public void start() {
    for (Kind kind : Kind.values()) {
      admitted.get(kind).sampleTotal(meters.acceptedTotal(kind));
      refused.get(kind).sampleTotal(meters.rejectedTotal(kind));
    }
    lastReadings = computeReadings();
    timerId = vertx.setPeriodic(1000, id -> tick());
  }

  /** One evaluation; public so tests can drive it without waiting for the timer. */
  public void tick() {
    for (Kind kind : Kind.values()) {
      admitted.get(kind).sampleTotal(meters.acceptedTotal(kind));
      refused.get(kind).sampleTotal(meters.rejectedTotal(kind));
    }
    appendShed(ceilings.shed().drain(), writerShed.drain(), unauthenticated.drain(), unavailable.drain());
    registerProducts();
    List<Reading> readings = computeReadings();
    lastReadings = readings;
    for (AlertEvaluator.Alert alert : alerts.evaluate(readings, clock.instant())) {
      append(alertRecord(alert));
    }
  }

  /** Stops the tick and writes the shed counts still pending (the current second included). */
  public Future<Void> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    return appendShed(ceilings.shed().drainAll(), writerShed.drainAll(), unauthenticated.drainAll(),
        unavailable.drainAll());
  }

  private Future<Void> appendShed(List<ShedSummary> rate, List<ShedSummary> concurrency,
                                  List<ShedSummary> unauthorized, List<ShedSummary> unavailableRoutes) {
    List<Future<?>> appends = new ArrayList<>();
    rate.forEach(s -> appends.add(append(shedRecord(s, 429, "rate-limited", "rate"))));
    concurrency.forEach(s -> appends.add(append(shedRecord(s, 503, "concurrency-limit", "concurrency"))));
    unauthorized.forEach(s -> appends.add(append(routeSummary(s, "auth.refused", Outcome.REFUSED, 401,
        "unauthorized"))));
    unavailableRoutes.forEach(s -> appends.add(append(routeSummary(s, "gateway.unavailable", Outcome.FAILED, 503,
        "service-unavailable"))));
    return Future.join(appends).mapEmpty();
  }

  /** One entry for the requests of a route refused the same way within one second ({@code s.product()} is the route). */
  private static AuditRecord routeSummary(ShedSummary s, String operation, Outcome outcome, int status,
                                          String reason) {
    return new AuditRecord(ACTOR, null, operation, null, 0, null, outcome, status, reason,
        new JsonObject().put("route", s.product()).put("kind", s.kind().policy()).put("count", s.count())
            .put("second", Timestamps.format(Instant.ofEpochSecond(s.secondEpoch()))));
  }

  private static AuditRecord shedRecord(ShedSummary s, int status, String reason, String cause) {
    String product = FairLimiter.OTHER.equals(s.product()) ? null : s.product();
    return new AuditRecord(ACTOR, product, "ceiling.shed", null, 0, null, Outcome.REFUSED, status, reason,
        new JsonObject().put("kind", s.kind().policy()).put("cause", cause).put("count", s.count())
            .put("second", Timestamps.format(Instant.ofEpochSecond(s.secondEpoch())))
            .put("bucket", s.product()));
  }

  private AuditRecord alertRecord(AlertEvaluator.Alert alert) {
    JsonObject details = new JsonObject()
        .put("limit", alert.limit().key())
        .put("state", alert.state().name().toLowerCase(java.util.Locale.ROOT))
        .put("threshold_percent", alert.threshold())
        .put("level_percent", alert.level())
        .put("severity", alert.severity(alerts.thresholds()))
        .put("current", Math.round(alert.current()))
        .put("max", Math.round(alert.max()))
        .put("percent", percentText(alert.percent()))
        .put("sequence", alert.sequence());
    if (alert.subject() != null) {
      details.put("subject", alert.subject());
    }
    String product = alert.limit() == Limit.MAX_ARTIFACTS_PER_PRODUCT ? alert.subject() : null;
    return new AuditRecord(ACTOR, product, "scale.alert", null, 0, null, Outcome.SUCCESS, 200, null, details);
  }

  /** A percentage with one decimal, as text (audit details hold no floating-point numbers). */
  public static String percentText(double percent) {
    return BigDecimal.valueOf(percent).setScale(1, RoundingMode.HALF_UP).toPlainString();
  }

  private Future<?> append(AuditRecord record) {
    return audit.appendAccepted(record).onFailure(e -> {
      if (auditWarned.compareAndSet(false, true)) {
        LOG.warn("gateway audit entry not accepted ({}): {}; further failures are not logged", e.getMessage(),
            record.operation());
      }
    });
  }

  private List<Reading> computeReadings() {
    List<Reading> out = new ArrayList<>(Limit.values().length);
    for (Limit limit : Limit.values()) {
      out.add(read(limit));
    }
    return out;
  }

  /** The limit's value now (rates: the last whole second). */
  public Reading reading(Limit limit) {
    return read(limit);
  }

  /** Every limit's value now, in {@link Limit} order. */
  public List<Reading> readings() {
    return computeReadings();
  }

  private Reading read(Limit limit) {
    return switch (limit) {
      case MAX_WRITES_PER_SECOND -> Reading.of(limit, admitted.get(Kind.WRITE).last(),
          ceilings.limiter(Kind.WRITE).ratePerSecond());
      case MAX_READS_PER_SECOND -> Reading.of(limit, admitted.get(Kind.READ).last(),
          ceilings.limiter(Kind.READ).ratePerSecond());
      case MAX_CONCURRENT_WRITERS -> Reading.of(limit, ceilings.writers().inUse(), ceilings.writers().max());
      case MAX_STORAGE_BYTES -> Reading.of(limit, usage.totalBytes(), limits.maxStorageBytes());
      case MAX_ARTIFACTS -> Reading.of(limit, usage.totalArtifacts(), limits.maxArtifacts());
      case MAX_ARTIFACTS_PER_PRODUCT -> fullestProduct();
      case MAX_PRODUCTS -> Reading.of(limit, products.get().size(), limits.maxProducts());
      case AUDIT_QUEUE_CAPACITY -> Reading.of(limit, auditPending.getAsInt(), limits.auditQueueCapacity());
    };
  }

  private Reading fullestProduct() {
    String fullest = null;
    long most = 0;
    for (Map.Entry<String, ProductUsage> e : usage.snapshot().entrySet()) {
      if (fullest == null || e.getValue().artifacts() > most) {
        fullest = e.getKey();
        most = e.getValue().artifacts();
      }
    }
    return new Reading(Limit.MAX_ARTIFACTS_PER_PRODUCT, most, limits.maxArtifactsPerProduct(), fullest);
  }

  /** The readings the last tick evaluated. */
  public List<Reading> lastEvaluated() {
    return lastReadings;
  }

  public AlertEvaluator alerts() {
    return alerts;
  }

  /** Admitted requests per second of {@code kind}, last 60 s. */
  public SecondSeries admitted(Kind kind) {
    return admitted.get(kind);
  }

  /** Refused requests per second of {@code kind} (rate, concurrency, capacity), last 60 s. */
  public SecondSeries refused(Kind kind) {
    return refused.get(kind);
  }

  /** Requests refused for want of a valid key, counted per route and second and audited as summaries. */
  public ShedCounter unauthenticated() {
    return unauthenticated;
  }

  /**
   * Requests answered 503 because a backend is saturated or did not answer in time, counted per route and second and
   * audited as summaries: one entry each would feed the very log that is falling behind.
   */
  public ShedCounter unavailable() {
    return unavailable;
  }

  /** Writes refused by the writer cap, counted per product and second like the limiter's rejections. */
  public ShedCounter writerShed() {
    return writerShed;
  }

  public Ceilings ceilings() {
    return ceilings;
  }

  public GatewayMeters meters() {
    return meters;
  }

  public UsageMeter usage() {
    return usage;
  }

  public Limits limits() {
    return limits;
  }

  public Set<String> products() {
    return products.get();
  }

  /** Null on a single node (no Redis configured). */
  public RedisLeases leases() {
    return leases;
  }

  public int auditPending() {
    return auditPending.getAsInt();
  }
}
