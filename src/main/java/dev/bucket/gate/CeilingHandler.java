package dev.bucket.gate;

import dev.bucket.governance.UsageMeter;
import dev.bucket.governance.threat.WriteInspection.ProductUsage;
import dev.bucket.limit.Ceilings;
import dev.bucket.limit.ConcurrencyCap;
import dev.bucket.limit.FairLimiter;
import dev.bucket.limit.Kind;
import dev.bucket.limit.RateLimitHeaders;
import dev.bucket.metrics.GatewayMeters;
import dev.bucket.metrics.GatewayMeters.Refusal;
import dev.bucket.metrics.ScaleMonitor;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway ceilings on the artifact paths, right after authentication and the gate's admission and before any
 * body byte is read or any store is touched. Everything here is in memory and lock-free:
 *
 * <ol>
 *   <li><b>Capacity</b> (writes): {@code max_storage_bytes}, {@code max_artifacts} and
 *       {@code max_artifacts_per_product} against the {@link UsageMeter} → 507 {@code capacity-exceeded}.
 *   <li><b>Rate</b>: the kind's {@link FairLimiter} (writes for POST, reads for GET/HEAD) with the product's fair
 *       share → 429 {@code rate-limited} with {@code Retry-After}, {@code RateLimit-Policy} and {@code RateLimit};
 *       an admitted request carries the last two as well. A request admitted with a delay waits on a Vert.x timer
 *       (its slot is reserved, the request paused), never on the event loop; the delay is at most
 *       {@code rate_limit_max_delay_ms}.
 *   <li><b>Writers in flight</b> (writes, once the delay is over): a {@link ConcurrencyCap} permit, or 503
 *       {@code concurrency-limit} with {@code Retry-After: 1}. The permit is returned when the response ends or
 *       the connection closes, whichever comes first, on every path (success, failure, client abort).
 * </ol>
 *
 * Refusals by rate or writer cap are not audited one by one: they are counted per product, kind and second and
 * audited as summaries by {@link ScaleMonitor} ({@link ProblemType#audited()}).
 */
final class CeilingHandler implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final Ceilings ceilings;
  private final GatewayMeters meters;
  private final ScaleMonitor monitor;
  private final UsageMeter usage;
  private final ScaleMonitor.Limits limits;

  CeilingHandler(Vertx vertx, ScaleMonitor monitor) {
    this.vertx = vertx;
    this.monitor = monitor;
    this.ceilings = monitor.ceilings();
    this.meters = monitor.meters();
    this.usage = monitor.usage();
    this.limits = monitor.limits();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    Kind kind = method == HttpMethod.GET || method == HttpMethod.HEAD ? Kind.READ
        : method == HttpMethod.POST ? Kind.WRITE : null;
    if (kind == null) {
      ctx.next(); // PUT, PATCH, DELETE: answered 405 by their own routes, nothing to admit
      return;
    }
    String product = Requests.product(ctx);
    // Retention changes store no artifact: a full depository must still accept holds and tombstones.
    if (kind == Kind.WRITE && !ArtifactRoutes.isRetentionChange(ctx.normalizedPath())) {
      ApiException full = capacity(ctx, product);
      if (full != null) {
        meters.rejected(kind, product, Refusal.CAPACITY);
        ctx.fail(full);
        return;
      }
    }
    FairLimiter.Decision decision = ceilings.admit(kind, product);
    RateLimitHeaders.Values headers = ceilings.headers(kind, decision);
    if (!decision.admitted()) {
      meters.rejected(kind, product, Refusal.RATE);
      ctx.fail(rateLimited(kind, product, decision, headers));
      return;
    }
    ctx.response().putHeader(RateLimitHeaders.POLICY, headers.policy())
        .putHeader(RateLimitHeaders.RATE_LIMIT, headers.rateLimit());
    Admitted admitted = new Admitted(kind, product, kind == Kind.WRITE ? ceilings.writers() : null);
    Exchange.onEnd(ctx, admitted);
    if (decision.delayNanos() <= 0) {
      proceed(ctx, admitted, false);
      return;
    }
    // The slot is reserved: wait on a timer, with the request paused so no body byte is lost meanwhile.
    ctx.request().pause();
    meters.delayed(kind).incrementAndGet();
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(decision.delayNanos() + 999_999));
    vertx.setTimer(millis, id -> {
      meters.delayed(kind).decrementAndGet();
      ctx.request().resume();
      proceed(ctx, admitted, true);
    });
  }

  private void proceed(RoutingContext ctx, Admitted admitted, boolean afterDelay) {
    if (admitted.ended) {
      return; // the client went away while its request waited here or, before, for authentication
    }
    if (admitted.cap != null && !admitted.acquire()) {
      meters.rejected(admitted.kind, admitted.product, Refusal.CONCURRENCY);
      monitor.writerShed().record(admitted.product, Kind.WRITE);
      ctx.fail(new ApiException(ProblemType.CONCURRENCY_LIMIT, admitted.cap.max() + " writes are in flight, the "
          + "most this gateway takes at once (max_concurrent_writers); retry shortly",
          Map.of(HttpHeaders.RETRY_AFTER.toString(), "1"),
          new JsonObject().put("max_concurrent_writers", admitted.cap.max())));
      return;
    }
    meters.accepted(admitted.kind, admitted.product, afterDelay);
    admitted.started = System.nanoTime();
    ctx.next();
  }

  /** The storage and artifact ceilings, for a write; null when there is room. */
  private ApiException capacity(RoutingContext ctx, String product) {
    long artifacts = usage.totalArtifacts();
    if (artifacts >= limits.maxArtifacts()) {
      return full("the depository holds " + artifacts + " artifact versions, its ceiling (max_artifacts)",
          "max_artifacts", limits.maxArtifacts(), artifacts);
    }
    ProductUsage mine = usage.of(product);
    if (mine.artifacts() >= limits.maxArtifactsPerProduct()) {
      return full("product " + product + " holds " + mine.artifacts() + " artifact versions, the ceiling per product "
          + "(max_artifacts_per_product)", "max_artifacts_per_product", limits.maxArtifactsPerProduct(),
          mine.artifacts());
    }
    long used = usage.totalBytes();
    long declared = declaredLength(ctx);
    if (used >= limits.maxStorageBytes() || declared > limits.maxStorageBytes() - used) {
      return full("the depository stores " + used + " payload bytes" + (declared > 0 ? " and this request declares "
          + declared + " more" : "") + "; its ceiling is " + limits.maxStorageBytes() + " bytes (max_storage_bytes)",
          "max_storage_bytes", limits.maxStorageBytes(), used);
    }
    return null;
  }

  private static ApiException full(String detail, String limit, long max, long current) {
    return new ApiException(ProblemType.CAPACITY_EXCEEDED, detail + "; nothing more is accepted until the owner "
        + "raises it", Map.of(), new JsonObject().put("limit", limit).put("max", max).put("current", current));
  }

  /** The request body's declared length (the payload cannot be larger), or 0 when unknown. */
  private static long declaredLength(RoutingContext ctx) {
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(length.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static ApiException rateLimited(Kind kind, String product, FairLimiter.Decision decision,
                                          RateLimitHeaders.Values headers) {
    String scope = switch (decision.limitedBy()) {
      case PRODUCT -> "product " + product + " is over its fair share of the " + kind.policy() + " ceiling and "
          + "there is no unused capacity to borrow";
      case CLUSTER -> "the cluster-wide " + kind.policy() + " ceiling is reached";
      default -> "the gateway's " + kind.policy() + " ceiling is reached";
    };
    return new ApiException(ProblemType.RATE_LIMITED, scope + "; retry after " + headers.retryAfter() + " s",
        Map.of(RateLimitHeaders.RETRY_AFTER, headers.retryAfter(), RateLimitHeaders.POLICY, headers.policy(),
            RateLimitHeaders.RATE_LIMIT, headers.rateLimit()),
        new JsonObject().put("kind", kind.policy()).put("limited_by",
                decision.limitedBy().name().toLowerCase(java.util.Locale.ROOT))
            .put("retry_after_seconds", Long.parseLong(headers.retryAfter())));
  }

  /**
   * One admitted request's bookkeeping, called back when its exchange ends ({@link Exchange}: the response ended or
   * failed, or the connection closed, possibly before this was registered): returns the writer permit exactly once
   * and records the server time. Runs on the request's event loop only.
   */
  private final class Admitted implements Handler<Void> {
    final Kind kind;
    final String product;
    final ConcurrencyCap cap;
    boolean held;
    boolean ended;
    long started;

    Admitted(Kind kind, String product, ConcurrencyCap cap) {
      this.kind = kind;
      this.product = product;
      this.cap = cap;
    }

    boolean acquire() {
      if (!cap.tryAcquire()) {
        return false;
      }
      held = true;
      return true;
    }

    @Override
    public void handle(Void exchangeOver) {
      if (ended) {
        return;
      }
      ended = true;
      if (held) {
        held = false;
        cap.release();
      }
      if (started != 0) {
        meters.served(kind, System.nanoTime() - started);
      }
    }
  }
}
