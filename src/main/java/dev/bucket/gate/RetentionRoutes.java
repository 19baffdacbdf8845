package dev.bucket.gate;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.governance.GovernanceStore;
import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import dev.bucket.governance.rules.ProductRule;
import dev.bucket.retention.RetentionPolicy;
import dev.bucket.retention.RetentionRefusedException;
import dev.bucket.retention.RetentionRepository;
import dev.bucket.retention.RetentionState;
import dev.bucket.retention.Tombstoner;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retention, legal hold and tombstones of one version, with S3 Object Lock compliance-mode semantics: retain-until
 * only moves later; the owner sets and releases holds; after retain-until, with no hold, the owner may tombstone a
 * version (its bytes are purged, its metadata, content hash and log entries stay, reads answer 410). Nothing else
 * removes data. Every change and every refusal is an audit entry.
 */
final class RetentionRoutes {

  private static final String VERSION = ArtifactRoutes.BASE + "/:id/versions/:version";
  private static final Set<String> FIELDS = Set.of("retain_until", "reason");

  private final ArtifactRepository artifacts;
  private final RetentionRepository retention;
  private final Tombstoner tombstoner;
  private final GovernanceStore governance;
  private final AuditClient audit;

  RetentionRoutes(ArtifactRepository artifacts, RetentionRepository retention, Tombstoner tombstoner,
                  GovernanceStore governance, AuditClient audit) {
    this.artifacts = artifacts;
    this.retention = retention;
    this.tombstoner = tombstoner;
    this.governance = governance;
    this.audit = audit;
  }

  void mount(Router router) {
    io.vertx.core.Handler<RoutingContext> body = Requests.jsonBodies(4096);
    router.get(VERSION + "/retention").setName("retention.read").handler(ctx -> version(ctx)
        .compose(this::state).onSuccess(state -> Responses.json(ctx, 200, state.toJson()
            .put("artifact_key", state.artifactKey()))).onFailure(ctx::fail));
    // Extending is safe for anyone who may write the product (it only keeps data longer); the rest is the owner's.
    router.post(VERSION + "/retention").setName("retention.extend").handler(body)
        .handler(Authentication.roles(Role.OWNER, Role.INTEGRATION)).handler(ctx -> change(ctx, "retention.extend"));
    router.post(VERSION + "/legal-hold").setName("retention.hold").handler(body)
        .handler(Authentication.roles(Role.OWNER)).handler(ctx -> change(ctx, "retention.hold"));
    router.post(VERSION + "/legal-hold/release").setName("retention.release").handler(body)
        .handler(Authentication.roles(Role.OWNER)).handler(ctx -> change(ctx, "retention.release"));
    router.post(VERSION + "/tombstone").setName("retention.tombstone").handler(body)
        .handler(Authentication.roles(Role.OWNER)).handler(ctx -> change(ctx, "retention.tombstone"));
    ArtifactRoutes.refuseMutation(router, VERSION + "/retention", "GET, POST");
    for (String change : List.of("/legal-hold", "/legal-hold/release", "/tombstone")) {
      ArtifactRoutes.refuseMutation(router, VERSION + change, "POST");
    }
  }

  /** The product's policy as the rules say now (rule changes may only lengthen retention). */
  RetentionPolicy policy(String product) {
    ProductRule rule = governance.rules().products().get(product);
    return new RetentionPolicy(rule.defaultRetentionDays(), rule.minRetentionDays());
  }

  Future<RetentionState> state(Artifact artifact) {
    return retention.stateOf(artifact, policy(artifact.productId()));
  }

  /**
   * A write may ask for a longer retention in {@code metadata.retain_until}; a date before the product's default
   * would shorten what every version is promised, so it is refused before anything is stored.
   */
  void checkRequested(String product, JsonObject metadata) {
    Instant requested = requested(metadata);
    Instant floor = policy(product).defaultRetainUntil(retention.clock().instant());
    if (requested != null && requested.isBefore(floor)) {
      throw new ApiException(ProblemType.RETENTION_REFUSED, "metadata.retain_until " + requested + " is before "
          + product + "'s default retention (" + policy(product).defaultDays() + " days, " + floor
          + "); retention can only be extended", Map.of(), new JsonObject().put("refusal", "retention-shortening"));
    }
  }

  /** After the commit: records the requested retention as the version's first extension. */
  Future<Void> applyRequested(Artifact artifact) {
    Instant requested = requested(artifact.metadata());
    if (requested == null) {
      return Future.succeededFuture();
    }
    return state(artifact).compose(state -> !requested.isAfter(state.retainUntil()) ? Future.succeededFuture()
        : retention.extend(artifact.key(), Instant.parse(artifact.createdAt()), policy(artifact.productId()),
            requested, artifact.createdBy(), "requested at creation (metadata.retain_until)").mapEmpty());
  }

  private static Instant requested(JsonObject metadata) {
    // The class schema already checked the format (date-time), so this parses.
    return metadata.getValue("retain_until") instanceof String s ? Instant.parse(s) : null;
  }

  /** Passes a live version through; a tombstoned one fails with 410 and its tombstone record. */
  Future<Artifact> live(Artifact artifact) {
    return state(artifact).compose(state -> state.tombstoned()
        ? Future.failedFuture(new ApiException(ProblemType.GONE, "version " + artifact.version() + " of '"
            + artifact.artifactId() + "' was tombstoned: its bytes are purged; its metadata, content hash and log "
            + "entries remain", Map.of(), new JsonObject().put("artifact", artifact.toView())
            .put("retention", state.toJson())))
        : Future.succeededFuture(artifact));
  }

  private Future<Artifact> version(RoutingContext ctx) {
    return ArtifactRoutes.requireVersion(artifacts, Requests.product(ctx), Requests.artifactId(ctx),
        Requests.version(ctx));
  }

  private void change(RoutingContext ctx, String operation) {
    JsonObject body = Requests.optionalJsonBody(ctx, FIELDS);
    String reason = body.getValue("reason") instanceof String s && !s.isBlank() ? s : null;
    if (reason == null) {
      throw Requests.invalid("a 'reason' is required: it is recorded with the change for auditors");
    }
    Principal caller = Authentication.principal(ctx);
    String actor = caller.id();
    version(ctx).compose(artifact -> {
      RetentionPolicy policy = policy(artifact.productId());
      Instant createdAt = Instant.parse(artifact.createdAt());
      Future<Object> done = switch (operation) {
        case "retention.extend" -> retention.extend(artifact.key(), createdAt, policy, retainUntil(body), actor,
            reason).map(e -> e);
        case "retention.hold" -> retention.setHold(artifact.key(), createdAt, policy, actor, reason).map(e -> e);
        case "retention.release" -> retention.releaseHold(artifact.key(), createdAt, policy, actor, reason)
            .map(e -> e);
        default -> tombstoner.tombstone(artifact, policy, actor, reason).map(r -> r);
      };
      return done.recover(e -> Future.failedFuture(e instanceof RetentionRefusedException refused
              ? new ApiException(ProblemType.RETENTION_REFUSED, refused.refusal().message(), Map.of(),
                  new JsonObject().put("refusal", refused.refusal().slug())) : e))
          .compose(result -> state(artifact).compose(state -> {
            JsonObject details = new JsonObject().put("reason", reason).put("retention", state.toJson());
            if (result instanceof Tombstoner.Result tombstoned) {
              details.put("purge", tombstoned.purge().toString());
            }
            return audit.appendDurable(new AuditRecord(actor, artifact.productId(), operation,
                    artifact.artifactId(), artifact.version(), artifact.contentHash(), Outcome.SUCCESS, 200, null,
                    details)).map(receipt -> state.toJson().put("artifact_key", artifact.key())
                    .put("audit_index", receipt.index()));
          }));
    }).onSuccess(json -> Responses.json(ctx, 200, json)).onFailure(ctx::fail);
  }

  private static Instant retainUntil(JsonObject body) {
    if (!(body.getValue("retain_until") instanceof String s)) {
      throw Requests.invalid("retain_until (an RFC 3339 instant such as 2040-01-01T00:00:00Z) is required");
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw Requests.invalid("retain_until is not an RFC 3339 instant: '" + s + "'");
    }
  }
}
