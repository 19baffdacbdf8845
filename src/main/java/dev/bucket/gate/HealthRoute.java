package dev.bucket.gate;

import dev.bucket.governance.Role;
import dev.bucket.identity.PrincipalRegistry;
import java.util.List;

import dev.bucket.audit.AuditClient;
import dev.bucket.payload.PayloadStore;
import dev.bucket.storage.Store;
import dev.bucket.storage.RedisProbe;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code GET /health}: live state of every dependency, 503 when a required one is down. Anyone may ask, so the
 * answer costs next to nothing: the state is measured at most once per {@link #FRESH_NANOS} and that one answer,
 * already encoded, is shared by every request and gate instance in the meantime.
 */
final class HealthRoute {

  static final long FRESH_NANOS = 1_000_000_000L;

  /** One measured answer: its status and body. */
  private record Answer(int status, Buffer body) {
  }

  private final Store store;
  private final RedisProbe redis;
  private final PayloadStore payloads;
  private final AuditClient audit;
  private final String version;
  private final Instant startedAt;
  private final PrincipalRegistry principals;
  private final GovernanceGate gate;
  private Future<Answer> latest;
  private long measuredAt;

  HealthRoute(Store store, RedisProbe redis, PayloadStore payloads, AuditClient audit, String version,
              Instant startedAt, PrincipalRegistry principals, GovernanceGate gate) {
    this.principals = principals;
    this.gate = gate;
    this.store = store;
    this.redis = redis;
    this.payloads = payloads;
    this.audit = audit;
    this.version = version;
    this.startedAt = startedAt;
  }

  void mount(Router router) {
    router.get("/health").setName("health").handler(this::health);
  }

  private void health(RoutingContext ctx) {
    answer().onSuccess(answer -> ctx.response().setStatusCode(answer.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(answer.body())).onFailure(ctx::fail);
  }

  /** The shared answer, measured anew once the last one is older than {@link #FRESH_NANOS}; any thread. */
  private synchronized Future<Answer> answer() {
    long now = System.nanoTime();
    if (latest == null || now - measuredAt > FRESH_NANOS) {
      measuredAt = now;
      latest = measure();
    }
    return latest;
  }

  private Future<Answer> measure() {
    Future<Void> stored = store.ping();
    Future<Void> redisPing = redis == null ? null : redis.ping();
    Future<JsonObject> log = audit.head().map(head -> new JsonObject().put("entries", head.size())
        .put("head_hash", head.hash()));
    Future<Long> approved = principals.count(Role.INTEGRATION, false);
    Future<Long> suspended = principals.count(Role.INTEGRATION, true);
    return Future.join(List.of(stored, log, redisPing == null ? Future.succeededFuture() : redisPing, approved,
        suspended)).transform(done -> {
      // Redis is optional shared state, not where data lives: losing it degrades the node, it does not fail it.
      boolean healthy = stored.succeeded() && log.succeeded();
      boolean degraded = redisPing != null && redisPing.failed();
      JsonObject body = new JsonObject()
          .put("status", !healthy ? "unhealthy" : degraded ? "degraded" : "healthy")
          .put("bucket_version", version)
          .put("uptime_seconds", Duration.between(startedAt, Instant.now()).toSeconds())
          .put("services", new JsonObject()
              .put("store", stored.succeeded() ? "connected" : "unreachable")
              .put("store_mode", store.mode())
              .put("redis", redisPing == null ? "not_configured" : redisPing.succeeded() ? "connected" : "unreachable")
              .put("payload_store", payloads.kind()))
          .put("audit", log.succeeded() ? log.result() : new JsonObject().put("state", "unavailable"))
          // The gate's live state: it is active whenever this node answers, since every route passes it.
          .put("governance", new JsonObject()
              .put("gate_active", true)
              .put("rules_version", gate.store().rules().version())
              .put("approved_integrations", approved.succeeded() ? approved.result() : null)
              .put("suspended_integrations", suspended.succeeded() ? suspended.result() : null));
      return Future.succeededFuture(new Answer(healthy ? 200 : 503, body.toBuffer()));
    });
  }
}
