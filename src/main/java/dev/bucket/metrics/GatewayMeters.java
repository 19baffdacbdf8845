package dev.bucket.metrics;

import dev.bucket.limit.ConcurrencyCap;
import dev.bucket.limit.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Bucket's own meters, on a Prometheus registry this node owns, so they exist whether or not Vert.x was built with
 * metrics (tests run nodes on Vert.x instances they did not build). When Vert.x reports into a Prometheus registry
 * of its own (HTTP server, event bus, pools and, with {@code serve}, the JVM), {@link #scrape()} appends that
 * registry's text; otherwise this registry also carries the JVM meters.
 *
 * <p>Tags are low-cardinality by construction: {@code kind} ({@code writes}/{@code reads}), {@code product} only for
 * products the governance rules name (the gate refuses any other before a meter is touched), {@code outcome},
 * {@code limit}.
 *
 * <p>Counting is lock-free (cached counters, {@link LongAdder}s); safe from every event loop.
 */
public final class GatewayMeters implements AutoCloseable {

  /** Prometheus text exposition format 0.0.4, what {@link PrometheusMeterRegistry#scrape()} writes. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Why a request did not pass the ceilings. */
  public enum Refusal {
    /** Over the rate ceiling or the product's fair share (429). */
    RATE,
    /** Too many writes in flight (503). */
    CONCURRENCY,
    /** A storage or artifact ceiling is reached (507). */
    CAPACITY;

    String outcome() {
      return "rejected_" + name().toLowerCase(Locale.ROOT);
    }
  }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final PrometheusMeterRegistry vertxRegistry;
  private final List<AutoCloseable> binders = new ArrayList<>();
  private final Map<Kind, LongAdder> accepted = new EnumMap<>(Kind.class);
  private final Map<Kind, LongAdder> rejected = new EnumMap<>(Kind.class);
  private final Map<Kind, AtomicInteger> delayed = new EnumMap<>(Kind.class);
  private final Map<Kind, Timer> served = new EnumMap<>(Kind.class);
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> clientLatency = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> registered = new ConcurrentHashMap<>();

  /**
   * @param vertxRegistry the registry Vert.x reports into, or null when Vert.x metrics are off or not in a
   *     Prometheus registry
   */
  public GatewayMeters(PrometheusMeterRegistry vertxRegistry) {
    this.vertxRegistry = vertxRegistry;
    for (Kind kind : Kind.values()) {
      accepted.put(kind, new LongAdder());
      rejected.put(kind, new LongAdder());
      AtomicInteger waiting = new AtomicInteger();
      delayed.put(kind, waiting);
      Gauge.builder("bucket.ceiling.delayed", waiting, AtomicInteger::get).tag("kind", kind.policy())
          .description("Requests admitted with a delay and still waiting on their timer").register(registry);
      served.put(kind, Timer.builder("bucket.request.duration").tag("kind", kind.policy())
          .description("Server time of requests that passed the ceilings, from admission to the response's end")
          .publishPercentiles(0.5, 0.95, 0.99).distributionStatisticExpiry(Duration.ofMinutes(1))
          .register(registry));
    }
    if (vertxRegistry == null || vertxRegistry.find("jvm.memory.used").gauge() == null) {
      bindJvm();
    }
  }

  /** Open client connections and those closed at once because {@code max_connections} were already open. */
  public void connections(ConcurrencyCap cap) {
    Gauge.builder("bucket.connections.open", cap, ConcurrencyCap::inUse)
        .description("Client connections open (HTTP and HTTPS)").register(registry);
    FunctionCounter.builder("bucket.connections.refused", cap, ConcurrencyCap::refused)
        .description("Client connections closed on accept because max_connections were open").register(registry);
  }

  private void bindJvm() {
    JvmGcMetrics gc = new JvmGcMetrics();
    binders.add(gc);
    for (MeterBinder binder : new MeterBinder[] {new JvmMemoryMetrics(), gc, new JvmThreadMetrics(),
        new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics()}) {
      binder.bindTo(registry);
    }
  }

  /**
   * The Vert.x options {@code bucket serve} builds Vert.x with: Micrometer metrics on, JVM meters on, and the
   * labels kept low-cardinality (method, status code, route template, pool and event-bus side; never the raw path
   * or a remote address).
   */
  public static MicrometerMetricsOptions vertxMetricsOptions() {
    return new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.EB_SIDE));
  }

  /**
   * The Prometheus registry {@code vertx} reports into when it was built with {@code vertx-micrometer-metrics} and
   * Prometheus options but no registry of the caller's (its default backend registry), else null.
   */
  public static PrometheusMeterRegistry vertxRegistry(Vertx vertx) {
    if (!vertx.isMetricsEnabled()) {
      return null;
    }
    return BackendRegistries.getDefaultNow() instanceof PrometheusMeterRegistry prometheus ? prometheus : null;
  }

  /** A request of {@code product} passed the ceilings ({@code afterDelay}: it waited on a timer first). */
  public void accepted(Kind kind, String product, boolean afterDelay) {
    accepted.get(kind).increment();
    counter(kind, product, afterDelay ? "accepted_delayed" : "accepted").increment();
  }

  public void rejected(Kind kind, String product, Refusal refusal) {
    rejected.get(kind).increment();
    counter(kind, product, refusal.outcome()).increment();
  }

  private Counter counter(Kind kind, String product, String outcome) {
    String name = product == null ? "~none" : product;
    return counters.computeIfAbsent(kind.policy() + '\n' + name + '\n' + outcome, k -> Counter
        .builder("bucket.operations").tag("kind", kind.policy()).tag("product", name).tag("outcome", outcome)
        .description("Artifact requests decided by the gateway ceilings").register(registry));
  }

  /** Requests now waiting on their admission delay. */
  public AtomicInteger delayed(Kind kind) {
    return delayed.get(kind);
  }

  /** Records the server time of a request that passed the ceilings. */
  public void served(Kind kind, long nanos) {
    served.get(kind).record(nanos, TimeUnit.NANOSECONDS);
  }

  public Timer servedTimer(Kind kind) {
    return served.get(kind);
  }

  /** Records a latency a client observed for one of its queries. */
  public void clientLatency(String product, long nanos) {
    clientLatencyTimer(product).record(nanos, TimeUnit.NANOSECONDS);
  }

  public Timer clientLatencyTimer(String product) {
    String name = product == null ? "~none" : product;
    return clientLatency.computeIfAbsent(name, p -> Timer.builder("bucket.client.query.latency").tag("product", p)
        .description("Query latencies reported by clients (POST /metrics/record-query-latency)")
        .publishPercentiles(0.5, 0.95, 0.99).distributionStatisticExpiry(Duration.ofMinutes(5))
        .register(registry));
  }

  /** Every client latency timer recorded so far, by product. */
  public Map<String, Timer> clientLatencyTimers() {
    return Map.copyOf(clientLatency);
  }

  /** Requests that passed the ceilings so far. */
  public long acceptedTotal(Kind kind) {
    return accepted.get(kind).sum();
  }

  /** Requests refused by the ceilings so far (rate, concurrency or capacity). */
  public long rejectedTotal(Kind kind) {
    return rejected.get(kind).sum();
  }

  /** Registers a gauge once: later calls with the same name and tags do nothing. */
  public <T> void gauge(String name, String description, T state, ToDoubleFunction<T> value, String... tags) {
    String key = name + '\n' + String.join("\n", tags);
    if (registered.putIfAbsent(key, Boolean.TRUE) == null) {
      // Strong reference: the state objects (limiters, meters, lambdas) must not be collected while the node runs.
      Gauge.builder(name, state, value).tags(tags).description(description).strongReference(true)
          .register(registry);
    }
  }

  /** {@link #gauge} over a supplier. */
  public void gauge(String name, String description, Supplier<Number> value, String... tags) {
    gauge(name, description, value, s -> s.get().doubleValue(), tags);
  }

  /** Bucket's meters, then Vert.x's when it reports into its own Prometheus registry: Prometheus text 0.0.4. */
  public String scrape() {
    String own = registry.scrape();
    return vertxRegistry == null || vertxRegistry == registry ? own : own + vertxRegistry.scrape();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** True when Vert.x's own meters (HTTP server, event bus, pools) are part of {@link #scrape()}. */
  public boolean vertxMetrics() {
    return vertxRegistry != null;
  }

  @Override
  public void close() {
    for (AutoCloseable binder : binders) {
      try {
        binder.close();
      } catch (Exception e) {
        // nothing useful to do while stopping
      }
    }
    registry.close();
  }
}
