package dev.bucket.limit;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the ceilings global across gateway nodes without a Redis round trip per request.
 *
 * <p>Redis holds one GCRA per kind (a Lua script, atomic, run with {@code EVALSHA} and falling back to {@code EVAL}
 * when the script cache is empty). Each node leases batches of tokens from it — {@code max(minLease,
 * rate·leaseFraction)} at a time — and spends them locally with a CAS; it asks for the next batch when half a batch
 * is left, so refills happen ahead of exhaustion. Tokens are only handed out at the Redis bucket's rate, so the nodes
 * together cannot exceed the ceiling (beyond the Redis bucket's burst); unspent tokens expire after
 * {@code leaseTtlMillis} so a node cannot hoard them.
 *
 * <p>When Redis is unreachable (a lease or probe fails or times out) the node logs one warning, falls back to its
 * share of the ceiling — {@code rate / expectedNodes}, enforced by a local GCRA — and keeps serving. It probes Redis
 * with exponential backoff, resumes leasing by itself when Redis answers, and logs one line on recovery. Nothing here
 * blocks or throws into the admission path.
 *
 * <p>All nodes must be configured with the same rates: the Redis bucket uses the parameters of each caller.
 */
public final class RedisLeases {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLeases.class);
  private static final int PROBE_TIMEOUT_FACTOR = 10;

  /**
   * KEYS[1] the bucket's TAT in microseconds of Redis {@code TIME}; ARGV emission interval (µs, may be fractional),
   * tolerance (µs), tokens wanted. Returns {granted, retry-after µs when nothing was granted}.
   */
  static final String SCRIPT = """
      redis.replicate_commands()
      local emission = tonumber(ARGV[1])
      local tolerance = tonumber(ARGV[2])
      local want = tonumber(ARGV[3])
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
      local tat = tonumber(redis.call('GET', KEYS[1]))
      if tat == nil or tat < now then tat = now end
      local free = math.floor((now + tolerance - tat) / emission)
      local granted = math.min(want, free)
      if granted < 1 then
        return {0, math.max(1, math.ceil(tat + emission - tolerance - now))}
      end
      tat = tat + granted * emission
      redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
      return {granted, 0}
      """;

  static final String SCRIPT_SHA = sha1(SCRIPT);

  /**
   * How the leases work.
   *
   * @param expectedNodes gateway nodes sharing the ceilings; without Redis each node admits {@code 1/expectedNodes}
   *     of each ceiling
   * @param leaseFraction a lease batch as a fraction of the per-second rate
   * @param minLease the smallest batch
   * @param leaseTtlMillis how long leased tokens stay spendable
   * @param timeoutMillis how long one lease may take before Redis counts as unreachable; a probe, which may have to
   *     connect first, gets ten times as long
   * @param reconnectMinMillis first probe delay after a failure; doubles up to {@code reconnectMaxMillis}
   * @param reconnectMaxMillis longest probe delay
   * @param keyPrefix Redis key prefix; the kind's policy name is appended
   */
  public record Settings(
      int expectedNodes,
      double leaseFraction,
      long minLease,
      long leaseTtlMillis,
      long timeoutMillis,
      long reconnectMinMillis,
      long reconnectMaxMillis,
      String keyPrefix) {

    public Settings {
      if (expectedNodes < 1) {
        throw new IllegalArgumentException("expected nodes must be ≥ 1");
      }
      if (!(leaseFraction > 0 && leaseFraction <= 1) || minLease < 1) {
        throw new IllegalArgumentException("lease fraction must be within (0, 1] and the minimum lease ≥ 1");
      }
      if (leaseTtlMillis < 1 || timeoutMillis < 1 || reconnectMinMillis < 1 || reconnectMaxMillis < reconnectMinMillis) {
        throw new IllegalArgumentException("durations must be ≥ 1 ms and reconnect min ≤ max");
      }
    }

    /** One node, 5 % batches of at least 10 tokens, 500 ms lease lifetime, 250 ms timeout, 100 ms..5 s backoff. */
    public static Settings defaults() {
      return new Settings(1, 0.05, 10, 500, 250, 100, 5_000, "bucket:ceiling:");
    }

    public Settings withExpectedNodes(int nodes) {
      return new Settings(nodes, leaseFraction, minLease, leaseTtlMillis, timeoutMillis, reconnectMinMillis,
          reconnectMaxMillis, keyPrefix);
    }

    public Settings withReconnect(long minMillis, long maxMillis) {
      return new Settings(expectedNodes, leaseFraction, minLease, leaseTtlMillis, timeoutMillis, minMillis, maxMillis,
          keyPrefix);
    }

    public Settings withKeyPrefix(String prefix) {
      return new Settings(expectedNodes, leaseFraction, minLease, leaseTtlMillis, timeoutMillis, reconnectMinMillis,
          reconnectMaxMillis, prefix);
    }
  }

  private final Vertx vertx;
  private final Redis redis;
  private final Settings settings;
  private final LongSupplier clock;
  private final Map<Kind, Pool> pools = new EnumMap<>(Kind.class);
  private final AtomicBoolean connected = new AtomicBoolean();
  private final AtomicBoolean downLogged = new AtomicBoolean();
  private final AtomicBoolean probing = new AtomicBoolean();
  private final AtomicBoolean everConnected = new AtomicBoolean();
  private volatile boolean closed;
  private volatile String sha = SCRIPT_SHA;
  private volatile long timerId = -1;
  private long backoffMillis;

  private RedisLeases(Vertx vertx, RedisOptions options, LimitSettings limits, Settings settings, LongSupplier clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    RedisOptions copy = new RedisOptions(options);
    copy.getNetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, PROBE_TIMEOUT_FACTOR * settings.timeoutMillis()));
    this.redis = Redis.createClient(vertx, copy);
    this.backoffMillis = settings.reconnectMinMillis();
    for (Kind kind : Kind.values()) {
      pools.put(kind, new Pool(kind, limits.rate(kind), limits.burst(kind)));
    }
  }

  /** Starts leasing on the system clock; until Redis first answers, each node uses its local share. */
  public static RedisLeases start(Vertx vertx, RedisOptions options, LimitSettings limits, Settings settings) {
    return start(vertx, options, limits, settings, System::nanoTime);
  }

  /** Starts leasing; {@code clock} (monotonic nanoseconds) must be the one the limiters use. */
  public static RedisLeases start(Vertx vertx, RedisOptions options, LimitSettings limits, Settings settings,
      LongSupplier clock) {
    RedisLeases leases = new RedisLeases(vertx, options, limits, settings, clock);
    leases.startProbing();
    return leases;
  }

  /** The cluster-wide budget of {@code kind}, for {@link FairLimiter}. */
  public ClusterBudget budget(Kind kind) {
    return pools.get(kind);
  }

  /** True while tokens are leased from Redis; false while this node runs on its local share. */
  public boolean connected() {
    return connected.get();
  }

  /** Tokens Redis granted to this node for {@code kind} so far. */
  public long leasedTokens(Kind kind) {
    return pools.get(kind).leased.get();
  }

  /** Stops probing and closes the Redis client; budgets keep answering on the local share. */
  public Future<Void> close() {
    closed = true;
    connected.set(false);
    long timer = timerId;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return redis.close();
  }

  private Future<Response> send(Request request) {
    return send(request, settings.timeoutMillis());
  }

  private Future<Response> send(Request request, long timeoutMillis) {
    return redis.send(request).timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void startProbing() {
    if (!closed && probing.compareAndSet(false, true)) {
      probe();
    }
  }

  /** {@code SCRIPT LOAD} both checks that Redis answers and refills its script cache after a restart. */
  private void probe() {
    if (closed) {
      probing.set(false);
      return;
    }
    // A probe may have to open a connection first: it gets more time than a lease.
    send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT), PROBE_TIMEOUT_FACTOR * settings.timeoutMillis())
        .onComplete(this::probed);
  }

  private void probed(AsyncResult<Response> result) {
    if (closed) {
      probing.set(false);
      return;
    }
    if (result.succeeded()) {
      if (result.result() != null) {
        sha = result.result().toString();
      }
      backoffMillis = settings.reconnectMinMillis();
      probing.set(false);
      markUp();
      return;
    }
    if (downLogged.compareAndSet(false, true)) {
      logDown(result.cause());
    }
    long delay = backoffMillis;
    backoffMillis = Math.min(settings.reconnectMaxMillis(), backoffMillis * 2);
    timerId = vertx.setTimer(delay, id -> probe());
  }

  private void markUp() {
    if (!connected.compareAndSet(false, true)) {
      return;
    }
    if (downLogged.getAndSet(false)) {
      LOG.info("Redis reachable again: the gateway ceilings are leased from it again");
    } else if (everConnected.compareAndSet(false, true)) {
      LOG.info("gateway ceilings leased from Redis ({} expected nodes)", settings.expectedNodes());
    }
    everConnected.set(true);
    long now = clock.getAsLong();
    for (Pool pool : pools.values()) {
      pool.refill(now);
    }
  }

  private void markDown(Throwable cause) {
    if (!connected.compareAndSet(true, false)) {
      return;
    }
    if (downLogged.compareAndSet(false, true)) {
      logDown(cause);
    }
    startProbing();
  }

  private void logDown(Throwable cause) {
    LOG.warn("Redis unreachable for the gateway ceilings ({}); admitting this node's share 1/{} of each ceiling "
        + "until it answers", describe(cause), settings.expectedNodes());
  }

  private static String describe(Throwable cause) {
    return cause == null ? "no cause" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  private static boolean noScript(Throwable error) {
    String message = error.getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  private static String micros(long nanos) {
    return BigDecimal.valueOf(nanos).movePointLeft(3).toPlainString();
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The leased tokens of one kind on this node. */
  private final class Pool implements ClusterBudget {
    final String key;
    final long batch;
    final long lowWater;
    final long emissionNanos;
    final String emissionMicros;
    final String toleranceMicros;
    final long ttlNanos;
    final Gcra fallback;
    final AtomicLong tokens = new AtomicLong();
    final AtomicLong leased = new AtomicLong();
    final AtomicBoolean leasing = new AtomicBoolean();
    volatile long expiresAt;
    volatile long nextLeaseAt;

    Pool(Kind kind, long rate, long burst) {
      this.key = settings.keyPrefix() + kind.policy();
      this.batch = Math.max(settings.minLease(), (long) Math.ceil(rate * settings.leaseFraction()));
      this.lowWater = batch / 2;
      this.emissionNanos = Gcra.emissionNanos(rate);
      this.emissionMicros = micros(emissionNanos);
      // Room for every node to hold a batch in hand without starving the others.
      this.toleranceMicros = micros(Math.multiplyExact(Math.max(burst, 2 * batch), emissionNanos));
      this.ttlNanos = TimeUnit.MILLISECONDS.toNanos(settings.leaseTtlMillis());
      int nodes = settings.expectedNodes();
      this.fallback = new Gcra((double) rate / nodes, Math.max(1, burst / nodes), clock);
      long now = clock.getAsLong();
      this.expiresAt = now;
      this.nextLeaseAt = now;
    }

    @Override
    public boolean tryTake(long nowNanos) {
      if (!connected.get()) {
        return fallback.tryAcquire(nowNanos);
      }
      while (true) {
        long have = tokens.get();
        if (have > 0 && nowNanos - expiresAt > 0) {
          tokens.compareAndSet(have, 0);
          continue;
        }
        if (have <= 0) {
          refill(nowNanos);
          return false;
        }
        if (tokens.compareAndSet(have, have - 1)) {
          if (have - 1 <= lowWater) {
            refill(nowNanos);
          }
          return true;
        }
      }
    }

    @Override
    public long retryAfterNanos(long nowNanos) {
      if (!connected.get()) {
        return Math.max(fallback.emissionNanos(), fallback.waitNanos(nowNanos));
      }
      return Math.max(emissionNanos, nextLeaseAt - nowNanos);
    }

    /** Asks Redis for a batch unless a request is in flight or Redis said to wait. */
    void refill(long nowNanos) {
      if (closed || !connected.get() || nowNanos - nextLeaseAt < 0 || !leasing.compareAndSet(false, true)) {
        return;
      }
      lease().onComplete(result -> {
        long now = clock.getAsLong();
        if (result.succeeded()) {
          long granted = result.result()[0];
          long retryMicros = result.result()[1];
          if (granted > 0) {
            expiresAt = now + ttlNanos;
            tokens.addAndGet(granted);
            leased.addAndGet(granted);
          } else {
            nextLeaseAt = now + TimeUnit.MICROSECONDS.toNanos(Math.max(1, retryMicros));
          }
          leasing.set(false);
        } else {
          leasing.set(false);
          markDown(result.cause());
        }
      });
    }

    /** {granted, retry-after µs}; a malformed answer fails the future like an unreachable Redis. */
    private Future<long[]> lease() {
      return send(Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg(key).arg(emissionMicros).arg(toleranceMicros)
          .arg(batch))
          .recover(error -> noScript(error)
              ? send(Request.cmd(Command.EVAL).arg(SCRIPT).arg(1).arg(key).arg(emissionMicros).arg(toleranceMicros)
                  .arg(batch))
              : Future.failedFuture(error))
          .map(response -> new long[] {response.get(0).toLong(), response.get(1).toLong()});
    }
  }
}
