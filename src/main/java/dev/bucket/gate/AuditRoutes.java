package dev.bucket.gate;

import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditEntry;
import dev.bucket.audit.AuditQueries;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.audit.ChainVerifier;
import dev.bucket.governance.Role;
import dev.bucket.integrity.ImmutabilityValidator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/** The audit log's read side, manual entries and immutability validation (the seeds' /audit endpoints). */
final class AuditRoutes {

  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 1000;
  private static final int MAX_MANUAL_BYTES = 16 * 1024;
  private static final Set<String> MANUAL_FIELDS = Set.of("product", "artifact_id", "message", "details");

  private final AuditQueries queries;
  private final ChainVerifier chain;
  private final AuditClient audit;
  private final ImmutabilityValidator validator;

  AuditRoutes(AuditQueries queries, AuditClient audit, ChainVerifier chain, ImmutabilityValidator validator) {
    this.queries = queries;
    this.chain = chain;
    this.audit = audit;
    this.validator = validator;
  }

  /** Audit reads span products, so only the owner and auditors may make them. */
  private static final Handler<RoutingContext> READERS = Authentication.roles(Role.OWNER, Role.AUDITOR);

  void mount(Router router) {
    router.get("/audit/artifact/:id").setName("audit.by_artifact").handler(READERS).handler(ctx -> page(ctx,
        (before, limit) -> queries.byArtifact(Requests.artifactId(ctx), optionalProduct(ctx), before, limit)));
    router.get("/audit/user/:requester").setName("audit.by_user").handler(READERS).handler(ctx -> page(ctx,
        (before, limit) -> queries.byActor(ctx.pathParam("requester"), before, limit)));
    router.get("/audit/recent").setName("audit.recent").handler(READERS).handler(ctx -> page(ctx,
        (before, limit) -> audit.head().compose(head -> queries.recent(head.size(), before, limit))));
    router.get("/audit/failed").setName("audit.failed").handler(READERS).handler(ctx -> page(ctx, queries::failed));
    router.get("/audit/verify").setName("audit.verify").handler(READERS).handler(this::verifyChain);
    router.post("/audit/validate-immutability/:id").setName("audit.validate").handler(READERS).handler(this::validate);
    // Vert.x wants the body handler first on a route; the body is small and bounded, the guard still runs first
    // of the user handlers.
    router.post("/audit/log").setName("audit.manual")
        .handler(Requests.jsonBodies(MAX_MANUAL_BYTES))
        .handler(Authentication.roles(Role.OWNER, Role.EXECUTOR)).handler(this::manual);
  }

  private interface PageQuery {
    Future<List<AuditEntry>> fetch(Long before, int limit);
  }

  private static String optionalProduct(RoutingContext ctx) {
    String product = ctx.queryParams().get("product");
    return product == null ? null : Requests.matching("product", product, Requests.PRODUCT);
  }

  /** Newest first; {@code next_before} continues the walk back through the log. */
  private void page(RoutingContext ctx, PageQuery query) {
    Long before = Requests.optionalIndex(ctx, "before");
    int limit = Requests.limit(ctx, DEFAULT_PAGE, MAX_PAGE);
    query.fetch(before, limit)
        .compose(entries -> recordRead(ctx).map(entries))
        .onSuccess(entries -> {
          JsonArray items = new JsonArray();
          entries.forEach(e -> items.add(e.toDocument()));
          JsonObject body = new JsonObject().put("entries", items);
          if (entries.size() == limit) {
            body.put("next_before", entries.get(entries.size() - 1).index());
          }
          Responses.json(ctx, 200, body);
        }).onFailure(ctx::fail);
  }

  /**
   * Walks the chain over {@code [from, to)} (default: the whole durable log). When the range ends at the head, the
   * last hash must also equal the head the writer holds, so a consistently rewritten tail is caught too.
   */
  private void verifyChain(RoutingContext ctx) {
    Long from = Requests.optionalIndex(ctx, "from");
    Long to = Requests.optionalIndex(ctx, "to");
    audit.head().compose(head -> {
      long start = from == null ? 0 : from;
      long end = to == null ? head.size() : to;
      if (start > end || end > head.size()) {
        return Future.failedFuture(Requests.invalid("need 0 <= from <= to <= " + head.size() + " (the log's size)"));
      }
      return chain.verify(start, end, end == head.size() ? head.hash() : null)
          .compose(report -> recordRead(ctx).map(report.toJson().put("from", start).put("to", end)
              .put("log_size", head.size())));
    }).onSuccess(report -> Responses.json(ctx, 200, report)).onFailure(ctx::fail);
  }

  private void validate(RoutingContext ctx) {
    String artifactId = Requests.artifactId(ctx);
    validator.validate(artifactId, optionalProduct(ctx)).compose(report -> {
      if (report == null) {
        return Future.failedFuture(new ApiException(ProblemType.ARTIFACT_NOT_FOUND,
            "no product holds an artifact '" + artifactId + "'"));
      }
      Operation op = Operation.of(ctx);
      return audit.appendAccepted(new AuditRecord(op.actor(), null, op.name(), artifactId, 0, null, Outcome.SUCCESS,
          200, null, new JsonObject().put("valid", report.getBoolean("valid")))).map(report);
    }).onSuccess(report -> Responses.json(ctx, 200, report)).onFailure(ctx::fail);
  }

  /** A manual entry is just another appended, chained entry; it cannot alter or annotate earlier ones. */
  private void manual(RoutingContext ctx) {
    JsonObject body = Requests.jsonBody(ctx, MANUAL_FIELDS);
    if (!(body.getValue("message") instanceof String message) || message.isBlank() || message.length() > 2000) {
      throw Requests.invalid("'message' must be a non-empty string of at most 2000 characters");
    }
    String product = body.getValue("product") == null ? null
        : Requests.matching("product", String.valueOf(body.getValue("product")), Requests.PRODUCT);
    String artifactId = body.getValue("artifact_id") == null ? null
        : Requests.matching("artifact_id", String.valueOf(body.getValue("artifact_id")), Requests.ARTIFACT_ID);
    if (body.getValue("details") != null && !(body.getValue("details") instanceof JsonObject)) {
      throw Requests.invalid("'details' must be a JSON object");
    }
    JsonObject details = new JsonObject().put("message", message);
    if (body.getJsonObject("details") != null) {
      // The copy turns the decoder's nested maps and lists into the JSON types an entry holds.
      JsonObject given = body.getJsonObject("details").copy();
      try {
        AuditEntry.requireStorable(given);
      } catch (IllegalArgumentException e) {
        throw Requests.invalid(e.getMessage());
      }
      details.put("details", given);
    }
    Operation op = Operation.of(ctx);
    audit.appendDurable(new AuditRecord(op.actor(), product, op.name(), artifactId, 0, null, Outcome.SUCCESS, 201,
            null, details))
        .onSuccess(receipt -> Responses.json(ctx, 201, new JsonObject().put("audit_index", receipt.index())
            .put("entry_hash", receipt.entryHash())))
        .onFailure(ctx::fail);
  }

  private Future<Void> recordRead(RoutingContext ctx) {
    Operation op = Operation.of(ctx);
    return audit.appendAccepted(new AuditRecord(op.actor(), null, op.name(), null, 0, null, Outcome.SUCCESS, 200,
        null, new JsonObject().put("query", ctx.request().uri()))).mapEmpty();
  }
}
