package dev.bucket.gate;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.artifact.PayloadCache;
import dev.bucket.audit.ReadReceipts;
import dev.bucket.bus.Addresses;
import dev.bucket.config.BucketConfig;
import dev.bucket.governance.OpType;
import dev.bucket.governance.OperationRequest;
import dev.bucket.ingest.IngestCommand;
import dev.bucket.ingest.IngestOutcome;
import dev.bucket.payload.PayloadStore;
import dev.bucket.payload.StoredPayload;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The artifact API (v1). Creates and versions are committed by the ingest verticle; reads are served here from the
 * repository's caches. No route updates or deletes anything: those methods answer 405.
 */
final class ArtifactRoutes {

  static final String BASE = "/v1/products/:product/artifacts";
  /** Every artifact path, including evidence; the named group makes {@code product} a path parameter. */
  private static final String ADMISSION = "/v1/products/(?<product>[^/]+)/artifacts(?:/.*)?";
  private static final java.util.regex.Pattern RETENTION_PATH =
      java.util.regex.Pattern.compile("/versions/[^/]+/(retention|legal-hold(/release)?|tombstone)$");
  private static final String JSON = "application/json";
  private static final String MULTIPART = "multipart/form-data";
  private static final Set<String> CREATE_FIELDS = Set.of("artifact_class", "artifact_id", "metadata", "data");
  private static final Set<String> VERSION_FIELDS = Set.of("metadata", "data");
  private static final String IMMUTABLE_CACHE = "private, max-age=31536000, immutable";
  /** The routing context's key for the write body's media type, as {@link #body} found it. */
  private static final String MEDIA_TYPE = "bucket.media_type";
  private static final Set<HttpMethod> MUTATIONS = Set.of(HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

  private final Vertx vertx;
  private final BucketConfig config;
  private final ArtifactRepository artifacts;
  private final PayloadStore payloads;
  private final PayloadCache payloadCache;
  private final ReadReceipts receipts;
  private final DeliveryOptions ingestDelivery;
  private final GovernanceGate gate;
  private final RetentionRoutes retention;
  private final io.vertx.core.Handler<RoutingContext> ceilings;

  /** {@code ceilings}: runs after the gate's admission on every artifact path, before any body is read. */
  ArtifactRoutes(Vertx vertx, BucketConfig config, ArtifactRepository artifacts, PayloadStore payloads,
                 PayloadCache payloadCache, ReadReceipts receipts, GovernanceGate gate, RetentionRoutes retention,
                 io.vertx.core.Handler<RoutingContext> ceilings) {
    this.vertx = vertx;
    this.retention = retention;
    this.ceilings = ceilings;
    this.gate = gate;
    this.config = config;
    this.artifacts = artifacts;
    this.payloads = payloads;
    this.payloadCache = payloadCache;
    this.receipts = receipts;
    this.ingestDelivery = new DeliveryOptions().setSendTimeout(config.busTimeoutMs());
  }

  void mount(Router router) {
    Handler<RoutingContext> jsonBody = BodyHandler.create(false).setBodyLimit(config.maxJsonBodyBytes());
    MultipartIngest multipart = new MultipartIngest(config, payloads);

    // Before any body is read: is this principal allowed this kind of operation on this product at all?
    router.routeWithRegex(ADMISSION).setName("artifact.admit").handler(this::admit);
    // Then the gateway ceilings (capacity, rate, writers in flight): still before any body byte or store.
    router.routeWithRegex(ADMISSION).setName("artifact.ceiling").handler(ceilings);
    router.post(BASE).setName("artifact.create").handler(ctx -> body(ctx, jsonBody)).handler(ctx -> {
      if (json(ctx)) {
        createJson(ctx);
      } else {
        multipart.receive(ctx, ctx.get(MEDIA_TYPE), false)
            .compose(upload -> governed(ctx, upload, upload.artifactClass(), OpType.CREATE)
                .map(check -> multipart.create(ctx, upload, check)))
            .onSuccess(command -> commit(ctx, command)).onFailure(ctx::fail);
      }
    });
    router.get(BASE).setName("artifact.list").handler(this::list);
    router.get(BASE + "/:id").setName("artifact.read").handler(this::latest);
    // If-Match first, so a version without it is refused before its body is read.
    router.post(BASE + "/:id/versions").setName("artifact.version").handler(ArtifactRoutes::checkIfMatch)
        .handler(ctx -> body(ctx, jsonBody)).handler(ctx -> {
          if (json(ctx)) {
            versionJson(ctx);
          } else {
            multipart.receive(ctx, ctx.get(MEDIA_TYPE), true)
                .compose(upload -> versionedClass(ctx)
                    .compose(artifactClass -> governed(ctx, upload, artifactClass, OpType.UPDATE))
                    .map(check -> multipart.version(ctx, upload, check)))
                .onSuccess(command -> commit(ctx, command)).onFailure(ctx::fail);
          }
        });
    router.get(BASE + "/:id/versions").setName("artifact.versions").handler(this::versions);
    router.get(BASE + "/:id/versions/:version").setName("artifact.read").handler(this::version);
    router.route(BASE + "/:id/versions/:version/payload").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .setName("artifact.read_payload").handler(this::payload);

    refuseMutation(router, BASE, "GET, POST");
    refuseMutation(router, BASE + "/:id", "GET");
    refuseMutation(router, BASE + "/:id/versions", "GET, POST");
    refuseMutation(router, BASE + "/:id/versions/:version", "GET");
    refuseMutation(router, BASE + "/:id/versions/:version/payload", "GET, HEAD");
  }

  /**
   * A write's body by its media type: JSON is read whole (bounded) before the route's handler runs, multipart is
   * left for the handler to stream; anything else is a 415.
   */
  private static void body(RoutingContext ctx, Handler<RoutingContext> jsonBody) {
    HeaderValue type = Requests.mediaType(ctx, JSON, MULTIPART);
    ctx.put(MEDIA_TYPE, type);
    if (type.is(JSON)) {
      jsonBody.handle(ctx);
    } else {
      ctx.next();
    }
  }

  private static boolean json(RoutingContext ctx) {
    return ctx.<HeaderValue>get(MEDIA_TYPE).is(JSON);
  }

  /**
   * The class-independent part of the gate's decision, taken before any body is read: reads and writes of a product
   * by a principal. PUT, PATCH and DELETE pass through to their 405: no rule could allow them.
   */
  private void admit(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    String path = ctx.normalizedPath();
    // Retention changes write no artifact: they are admitted like reads of the product, and their routes check roles.
    boolean retention = isRetentionChange(path);
    OpType op = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.POST && retention
        ? OpType.READ
        : method == HttpMethod.POST ? (path.endsWith("/versions") ? OpType.UPDATE : OpType.CREATE) : null;
    if (op != null) {
      gate.admit(Authentication.identity(ctx), Requests.product(ctx), op);
    }
    ctx.next();
  }

  /** Paths of retention, legal hold and tombstone changes: governance on a version, not an artifact write. */
  static boolean isRetentionChange(String path) {
    return RETENTION_PATH.matcher(path).find();
  }

  /** The whole gate check of a received upload; a refused upload's payload is released. */
  private Future<GovernanceGate.WriteCheck> governed(RoutingContext ctx, MultipartIngest.Upload upload,
                                                    String artifactClass, OpType op) {
    return checked(ctx, Requests.product(ctx), artifactClass, op, upload.metadata(), null, upload.payload().size())
        .onFailure(e -> release(upload.payload()));
  }

  /** The gate's check of a write, then its requested retention (which may only lengthen the product's default). */
  private Future<GovernanceGate.WriteCheck> checked(RoutingContext ctx, String product, String artifactClass,
                                                    OpType op, JsonObject metadata, Object data, long size) {
    return gate.checkWrite(Authentication.identity(ctx), product, artifactClass, op, metadata, data, size)
        .map(check -> {
          retention.checkRequested(product, metadata);
          return check;
        });
  }

  /** A version keeps its artifact's class: the class the gate checks a version write against. */
  private Future<String> versionedClass(RoutingContext ctx) {
    String product = Requests.product(ctx);
    String artifactId = Requests.artifactId(ctx);
    return artifacts.findLatest(product, artifactId).compose(a -> found(a, product, artifactId))
        .map(Artifact::artifactClass);
  }

  /** Reads check the class's READ rule once the artifact (and so its class) is known. */
  private Artifact readable(RoutingContext ctx, Artifact artifact) {
    gate.require(Authentication.identity(ctx), new OperationRequest(artifact.productId(), artifact.artifactClass(),
        OpType.READ, 0));
    return artifact;
  }

  /**
   * Write-once: there is no update or delete, and the answer says so instead of a bare 404. Every other method
   * {@code path} does not take is refused too, each 405 with the {@code Allow} header RFC 9110 §15.5.6 asks for.
   */
  static void refuseMutation(Router router, String path, String allow) {
    java.util.List<String> allowed = java.util.Arrays.asList(allow.split(", "));
    Route refused = router.route(path).setName("artifact.mutate");
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
        HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS)) {
      if (!allowed.contains(method.name())) {
        refused.method(method);
      }
    }
    refused.handler(ctx -> ctx.fail(new ApiException(ProblemType.METHOD_NOT_ALLOWED,
        (MUTATIONS.contains(ctx.request().method()) ? "artifacts are immutable and never deleted: " : "")
            + ctx.request().method() + " is refused here (Allow: " + allow + "). "
            + "To change an artifact, POST a new version to .../artifacts/{id}/versions with If-Match.",
        Map.of(HttpHeaders.ALLOW.toString(), allow), new JsonObject())));
  }

  private void createJson(RoutingContext ctx) {
    String product = Requests.product(ctx);
    JsonObject body = Requests.jsonBody(ctx, CREATE_FIELDS);
    String artifactClass = Requests.matching("artifact_class", body.getValue("artifact_class") instanceof String s
        ? s : null, Requests.ARTIFACT_CLASS);
    Object id = body.getValue("artifact_id");
    if (id != null && !(id instanceof String)) {
      throw Requests.invalid("artifact_id must be a string");
    }
    String artifactId = id == null ? null : Requests.matching("artifact_id", (String) id, Requests.ARTIFACT_ID);
    JsonObject metadata = Requests.metadata(body.getValue("metadata"), config.maxMetadataBytes());
    String key = Requests.idempotencyKey(ctx);
    Buffer data = data(body);
    checked(ctx, product, artifactClass, OpType.CREATE, metadata, body.getValue("data"), data.length())
        .compose(check -> payloads.stage(data).map(staged -> new IngestCommand(product, artifactId, artifactClass,
            null, Operation.actor(ctx), metadata, staged.payload(), JSON, key, check.rulesVersion(),
            check.schemaVersion(), staged.writes())))
        .onSuccess(command -> commit(ctx, command)).onFailure(ctx::fail);
  }

  private void versionJson(RoutingContext ctx) {
    String product = Requests.product(ctx);
    String artifactId = Requests.artifactId(ctx);
    String ifMatch = requireIfMatch(ctx);
    JsonObject body = Requests.jsonBody(ctx, VERSION_FIELDS);
    JsonObject metadata = Requests.metadata(body.getValue("metadata"), config.maxMetadataBytes());
    String key = Requests.idempotencyKey(ctx);
    Buffer data = data(body);
    versionedClass(ctx).compose(artifactClass -> checked(ctx, product, artifactClass, OpType.UPDATE, metadata,
            body.getValue("data"), data.length()))
        .compose(check -> payloads.stage(data).map(staged -> new IngestCommand(product, artifactId, null, ifMatch,
            Operation.actor(ctx), metadata, staged.payload(), JSON, key, check.rulesVersion(), check.schemaVersion(),
            staged.writes())))
        .onSuccess(command -> commit(ctx, command)).onFailure(ctx::fail);
  }

  /** If-Match is mandatory on versions: it is how a writer proves it saw the version it replaces. */
  static String requireIfMatch(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.IF_MATCH);
    if (header == null || header.isBlank() || header.trim().equals("*")) {
      throw new ApiException(ProblemType.PRECONDITION_REQUIRED, "a new version needs If-Match with the ETag of the "
          + "current version (GET the artifact to read it); this is how concurrent writers are kept apart");
    }
    String etag = header.trim();
    if (!etag.matches("\"sha256:[0-9a-f]{64}\"")) {
      throw new ApiException(ProblemType.PRECONDITION_FAILED, "If-Match must be one strong ETag such as "
          + "\"sha256:<64 hex>\", got " + etag);
    }
    return etag.substring(1, etag.length() - 1);
  }

  /** Refuses a version without a usable If-Match before any of its body is read. */
  private static void checkIfMatch(RoutingContext ctx) {
    requireIfMatch(ctx);
    ctx.next();
  }

  /** JSON artifacts are stored as the compact encoding of {@code data}. */
  private static Buffer data(JsonObject body) {
    if (!body.containsKey("data")) {
      throw Requests.invalid("field 'data' is required (use multipart/form-data for binary payloads)");
    }
    return Buffer.buffer(io.vertx.core.json.Json.encode(body.getValue("data")));
  }

  /**
   * A failed commit keeps its payload: the version may have been stored before the failure (say the log refused its
   * entry), and crash recovery then commits it with these bytes. Only an outcome that names another version releases
   * them; an unreferenced upload costs some bytes, a released referenced one would lose a version.
   */
  private void commit(RoutingContext ctx, IngestCommand command) {
    vertx.eventBus().<IngestOutcome>request(Addresses.INGEST_COMMIT, command, ingestDelivery)
        .map(Message::body)
        .onSuccess(outcome -> respond(ctx, command, outcome))
        .onFailure(ctx::fail);
  }

  /** This request's upload ended up referenced by no artifact document. */
  private void release(StoredPayload payload) {
    payloads.discard(payload.ref());
  }

  private void respond(RoutingContext ctx, IngestCommand command, IngestOutcome outcome) {
    if (outcome instanceof IngestOutcome.Committed c) {
      gate.usage().add(c.artifact().productId(), c.artifact().size(), 1);
      retention.applyRequested(c.artifact()).onSuccess(v -> created(ctx, 201, c.artifact(), c.auditIndex()))
          .onFailure(ctx::fail);
    } else if (outcome instanceof IngestOutcome.Replayed r) {
      releaseIfUnused(command, r.artifact());
      created(ctx, 200, r.artifact(), r.auditIndex());
    } else if (outcome instanceof IngestOutcome.Conflict c) {
      releaseIfUnused(command, c.existing());
      ctx.fail(new ApiException(ProblemType.ARTIFACT_EXISTS, command.idempotencyKey() != null
          ? "Idempotency-Key '" + command.idempotencyKey() + "' was already used for different content"
          : "artifact '" + c.existing().artifactId() + "' already exists with different content; "
              + "artifacts are never overwritten (POST a new version instead)",
          Map.of(HttpHeaders.LOCATION.toString(), c.existing().location()), new JsonObject()));
    } else if (outcome instanceof IngestOutcome.Stale s) {
      release(command);
      gate.noteConflict(Authentication.principal(ctx), command.product(), command.artifactId());
      ctx.fail(new ApiException(ProblemType.PRECONDITION_FAILED, "If-Match does not name the current version; "
          + "version " + s.current().version() + " is current (its ETag is in the ETag header)",
          Map.of(HttpHeaders.ETAG.toString(), s.current().etag()),
          new JsonObject().put("current_version", s.current().version())));
    } else {
      release(command);
      ctx.fail(notFound(command.product(), command.artifactId()));
    }
  }

  private void releaseIfUnused(IngestCommand command, Artifact existing) {
    if (!command.payload().ref().equals(existing.payloadRef())) {
      release(command);
    }
  }

  /** The upload of a command whose version was not written; a staged payload was never stored at all. */
  private void release(IngestCommand command) {
    if (command.payloadWrites().isEmpty()) {
      release(command.payload());
    }
  }

  private static void created(RoutingContext ctx, int status, Artifact artifact, long auditIndex) {
    Responses.json(ctx.response()
        .putHeader(HttpHeaders.LOCATION, artifact.location())
        .putHeader(HttpHeaders.ETAG, artifact.etag()), status, artifact.toView().put("audit_index", auditIndex));
  }

  private void list(RoutingContext ctx) {
    String product = Requests.product(ctx);
    String artifactClass = ctx.queryParams().get("artifact_class");
    if (artifactClass != null) {
      Requests.matching("artifact_class", artifactClass, Requests.ARTIFACT_CLASS);
      gate.require(Authentication.identity(ctx), new OperationRequest(product, artifactClass, OpType.READ, 0));
    }
    String cursor = decodeCursor(ctx.queryParams().get("cursor"), product);
    int limit = Requests.limit(ctx, 50, config.pageLimitMax());
    artifacts.list(product, artifactClass, cursor, limit)
        .compose(page -> auditRead(ctx, product, null, 0, null).map(page))
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          page.forEach(a -> items.add(a.toView().put("href", "/v1/products/" + product + "/artifacts/" + a.artifactId())));
          JsonObject body = new JsonObject().put("items", items);
          if (page.size() == limit) {
            Artifact last = page.get(page.size() - 1);
            body.put("next_cursor", Base64.getUrlEncoder().withoutPadding()
                .encodeToString((product + "/" + last.artifactId()).getBytes(StandardCharsets.UTF_8)));
          }
          Responses.json(ctx, 200, body);
        }).onFailure(ctx::fail);
  }

  /** The artifact id a cursor of this product's listing continues after ({@code product/artifact}, base64url). */
  private static String decodeCursor(String cursor, String product) {
    if (cursor == null) {
      return null;
    }
    try {
      String position = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (position.startsWith(product + "/")
          && Requests.ARTIFACT_ID.matcher(position.substring(product.length() + 1)).matches()) {
        return position.substring(product.length() + 1);
      }
    } catch (IllegalArgumentException e) {
      // falls through to the same refusal as a cursor of another product
    }
    throw Requests.invalid("cursor is not one this endpoint issued for product " + product);
  }

  private void latest(RoutingContext ctx) {
    String product = Requests.product(ctx);
    String artifactId = Requests.artifactId(ctx);
    artifacts.findLatest(product, artifactId).compose(a -> found(a, product, artifactId)).map(a -> readable(ctx, a))
        .compose(retention::live)
        .compose(a -> auditRead(ctx, product, artifactId, a.version(), a.contentHash()).map(a))
        .onSuccess(a -> {
          // The latest version moves, so clients must revalidate; versions themselves are cacheable forever.
          ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
          metadataResponse(ctx, a);
        }).onFailure(ctx::fail);
  }

  /** One page of an artifact's versions, oldest first: {@code from} (default 1) and {@code limit} (page cap). */
  private void versions(RoutingContext ctx) {
    String product = Requests.product(ctx);
    String artifactId = Requests.artifactId(ctx);
    Long from = Requests.optionalIndex(ctx, "from");
    int first = from == null ? 1 : (int) Math.max(1, Math.min(from, Integer.MAX_VALUE - config.pageLimitMax()));
    int limit = Requests.limit(ctx, config.pageLimitMax(), config.pageLimitMax());
    artifacts.findLatest(product, artifactId).compose(newest -> found(newest, product, artifactId))
        .map(newest -> readable(ctx, newest))
        .compose(newest -> artifacts.versions(product, artifactId, first,
                Math.min(newest.version(), first + limit - 1))
            .compose(page -> auditRead(ctx, product, artifactId, 0, null).map(page))
            .onSuccess(page -> {
              JsonArray items = new JsonArray();
              page.forEach(a -> items.add(a.toView().put("href", a.location())));
              JsonObject body = new JsonObject().put("items", items).put("latest_version", newest.version());
              if (first + limit - 1 < newest.version()) {
                body.put("next_from", first + limit);
              }
              Responses.json(ctx, 200, body);
            }))
        .onFailure(ctx::fail);
  }

  private void version(RoutingContext ctx) {
    String product = Requests.product(ctx);
    String artifactId = Requests.artifactId(ctx);
    int version = Requests.version(ctx);
    findVersion(product, artifactId, version).map(a -> readable(ctx, a)).compose(retention::live)
        .compose(a -> auditRead(ctx, product, artifactId, version, a.contentHash()).map(a))
        .onSuccess(a -> {
          ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, IMMUTABLE_CACHE);
          if (!notModified(ctx, a)) {
            metadataResponse(ctx, a);
          }
        }).onFailure(ctx::fail);
  }

  private void payload(RoutingContext ctx) {
    String product = Requests.product(ctx);
    String artifactId = Requests.artifactId(ctx);
    int version = Requests.version(ctx);
    findVersion(product, artifactId, version).map(a -> readable(ctx, a)).compose(retention::live)
        .compose(a -> auditRead(ctx, product, artifactId, version, a.contentHash()).map(a))
        .compose(a -> sendPayload(ctx, a))
        .onFailure(ctx::fail);
  }

  private Future<Void> sendPayload(RoutingContext ctx, Artifact artifact) {
    HttpServerResponse response = ctx.response()
        .putHeader(HttpHeaders.ETAG, artifact.etag())
        .putHeader(HttpHeaders.CACHE_CONTROL, IMMUTABLE_CACHE)
        .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
        .putHeader(HttpHeaders.CONTENT_TYPE, artifact.contentType());
    if (notModified(ctx, artifact)) {
      return Future.succeededFuture();
    }
    // RFC 9110 §13.1.5: a Range is honoured only while If-Range still names this representation (strong
    // comparison; a date never matches, since no Last-Modified is sent); otherwise the whole payload is sent.
    String ifRange = ctx.request().getHeader("If-Range");
    String rangeHeader = ifRange == null || ifRange.trim().equals(artifact.etag())
        ? ctx.request().getHeader("Range") : null;
    ByteRange range = ByteRange.parse(rangeHeader, artifact.size());
    if (range.partial()) {
      response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE,
          "bytes " + range.first() + "-" + range.last() + "/" + artifact.size());
    }
    response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(range.length()));
    if (ctx.request().method() == HttpMethod.HEAD) {
      return response.end();
    }
    if (payloadCache.covers(artifact)) {
      return payloadCache.get(artifact)
          .recover(e -> Future.failedFuture(e instanceof PayloadCache.IntegrityException
              ? new ApiException(ProblemType.PAYLOAD_INTEGRITY_FAILURE, "the stored bytes of this version no longer "
                  + "match its content hash; the incident is logged (run POST /audit/validate-immutability/"
                  + artifact.artifactId() + ")") : e))
          .compose(bytes -> response.end(bytes.slice((int) range.first(), (int) (range.first() + range.length()))));
    }
    return payloads.send(artifact.payloadRef(), range.first(), range.length(), response);
  }

  private static boolean notModified(RoutingContext ctx, Artifact artifact) {
    String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch == null) {
      return false;
    }
    boolean match = ifNoneMatch.trim().equals("*") || java.util.Arrays.stream(ifNoneMatch.split(","))
        .map(String::trim).map(t -> t.startsWith("W/") ? t.substring(2) : t).anyMatch(artifact.etag()::equals);
    if (match) {
      ctx.response().setStatusCode(304).putHeader(HttpHeaders.ETAG, artifact.etag()).end();
    }
    return match;
  }

  private Future<Artifact> findVersion(String product, String artifactId, int version) {
    return requireVersion(artifacts, product, artifactId, version);
  }

  /** The version, or a 404 naming what is missing (shared by every route that addresses one version). */
  static Future<Artifact> requireVersion(ArtifactRepository artifacts, String product, String artifactId,
                                         int version) {
    return artifacts.findVersion(product, artifactId, version).compose(a -> a != null ? Future.succeededFuture(a)
        : Future.failedFuture(new ApiException(ProblemType.ARTIFACT_NOT_FOUND,
            "artifact '" + artifactId + "' of product " + product + " has no version " + version)));
  }

  private static Future<Artifact> found(Artifact artifact, String product, String artifactId) {
    return artifact != null ? Future.succeededFuture(artifact) : Future.failedFuture(notFound(product, artifactId));
  }

  private static ApiException notFound(String product, String artifactId) {
    return new ApiException(ProblemType.ARTIFACT_NOT_FOUND,
        "product " + product + " has no artifact '" + artifactId + "'");
  }

  /**
   * Reads are audited too, as read receipts (one entry per reader, product and operation per window). When the
   * receipts cannot be held because the log has fallen behind, the read is refused rather than served unrecorded.
   */
  private Future<Void> auditRead(RoutingContext ctx, String product, String artifactId, int version, String hash) {
    Operation op = Operation.of(ctx);
    if (receipts.record(new ReadReceipts.Read(op.actor(), product, op.name(), artifactId, version, hash))) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(ApiException.retryLater("the audit log has fallen behind and this read cannot be "
        + "recorded, so it is not served; retry later"));
  }

  private void metadataResponse(RoutingContext ctx, Artifact artifact) {
    ctx.response().putHeader(HttpHeaders.ETAG, artifact.etag());
    Responses.json(ctx.response(), 200, artifacts.view(artifact));
  }

}
