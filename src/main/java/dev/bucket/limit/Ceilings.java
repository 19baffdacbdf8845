package dev.bucket.limit;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Everything a gateway node checks before touching storage, shared by all its event loops: the writes and reads
 * ceilings with their fair shares, the cap on writes in flight, and the counter of shed requests.
 *
 * <p>{@link #admit} decides without I/O; a rejection is counted for the per-second shed summaries.
 */
public final class Ceilings {

  private final Map<Kind, FairLimiter> limiters = new EnumMap<>(Kind.class);
  private final ConcurrencyCap writers;
  private final ShedCounter shed;
  private final LimitSettings settings;

  /**
   * @param budgets the cluster-wide budget per kind; a missing kind is {@link ClusterBudget#UNLIMITED}
   * @param nanoClock monotonic nanoseconds for the buckets
   * @param epochSeconds wall-clock Unix seconds for the shed summaries
   */
  public Ceilings(LimitSettings settings, Map<Kind, ClusterBudget> budgets, LongSupplier nanoClock,
      LongSupplier epochSeconds) {
    this.settings = settings;
    for (Kind kind : Kind.values()) {
      limiters.put(kind, FairLimiter.of(kind, settings, budgets.getOrDefault(kind, ClusterBudget.UNLIMITED),
          nanoClock));
    }
    this.writers = new ConcurrencyCap(settings.maxConcurrentWriters());
    this.shed = new ShedCounter(settings.maxProducts(), epochSeconds);
  }

  /** A single node's ceilings on the system clocks. */
  public static Ceilings local(LimitSettings settings) {
    return new Ceilings(settings, Map.of(), System::nanoTime, () -> System.currentTimeMillis() / 1000);
  }

  /** A node whose ceilings are shared with other nodes through {@code leases}. */
  public static Ceilings clustered(LimitSettings settings, RedisLeases leases) {
    Map<Kind, ClusterBudget> budgets = new EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      budgets.put(kind, leases.budget(kind));
    }
    return new Ceilings(settings, budgets, System::nanoTime, () -> System.currentTimeMillis() / 1000);
  }

  /** Decides one request of {@code product} (null for none); rejections are counted for the shed summaries. */
  public FairLimiter.Decision admit(Kind kind, String product) {
    FairLimiter.Decision decision = limiters.get(kind).acquire(product);
    if (!decision.admitted()) {
      shed.record(decision.bucket(), kind);
    }
    return decision;
  }

  /** The header values for a decision just taken by {@link #admit}. */
  public RateLimitHeaders.Values headers(Kind kind, FairLimiter.Decision decision) {
    FairLimiter limiter = limiters.get(kind);
    return RateLimitHeaders.of(limiter, decision, limiter.clock().getAsLong());
  }

  public FairLimiter limiter(Kind kind) {
    return limiters.get(kind);
  }

  /** The cap on writes in flight. */
  public ConcurrencyCap writers() {
    return writers;
  }

  public ShedCounter shed() {
    return shed;
  }

  public LimitSettings settings() {
    return settings;
  }
}
