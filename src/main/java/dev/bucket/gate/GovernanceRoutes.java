package dev.bucket.gate;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.audit.ChainVerifier;
import dev.bucket.config.BucketConfig;
import dev.bucket.governance.GovernanceStore;
import dev.bucket.governance.OpType;
import dev.bucket.governance.OperationRequest;
import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import dev.bucket.governance.Verdict;
import dev.bucket.governance.rules.ProductRule;
import dev.bucket.governance.rules.RuleSetException;
import dev.bucket.governance.schema.SchemaException;
import dev.bucket.governance.schema.SchemaVersion;
import dev.bucket.governance.threat.ChainStatus;
import dev.bucket.governance.threat.Finding;
import dev.bucket.governance.threat.ThreatCatalog;
import dev.bucket.governance.threat.ThreatReport;
import dev.bucket.governance.threat.ThreatValidator;
import dev.bucket.governance.threat.WriteInspection;
import dev.bucket.identity.Identity;
import dev.bucket.identity.PrincipalRegistry;
import dev.bucket.payload.PayloadStore;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.time.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The governance gate's API: integration approval (the only way an integration key is issued), the operation
 * dry run (the same decision the real path makes), rules and schemas with owner-only changes, threats, and
 * governance locks. Every decision here is an audit entry.
 */
final class GovernanceRoutes {

  private static final Pattern INTEGRATION_ID = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final Pattern RETENTION = Pattern.compile("([0-9]{1,6})_(day|days|year|years)");
  private static final Set<String> INTEGRATION_FIELDS = Set.of("integration_id", "integration_type",
      "artifact_classes", "product_name", "data_schema", "expected_writes_per_second", "expected_reads_per_second");
  private static final Set<String> OPERATION_FIELDS = Set.of("operation_type", "artifact_class", "data_size",
      "integration_id", "product_name");
  private static final Set<String> INTEGRATION_TYPES = Set.of("api", "batch", "stream", "agent");
  private static final Handler<RoutingContext> GOVERNANCE_READERS =
      Authentication.roles(Role.OWNER, Role.EXECUTOR, Role.AUDITOR);
  private static final Handler<RoutingContext> OWNER = Authentication.roles(Role.OWNER);

  private final BucketConfig config;
  private final GovernanceGate gate;
  private final PrincipalRegistry principals;
  private final AuditClient audit;
  private final ChainVerifier chain;
  private final Clock clock;
  private final ThreatValidator threats = new ThreatValidator();
  private final ArtifactRepository artifacts;
  private final PayloadStore payloads;

  GovernanceRoutes(BucketConfig config, GovernanceGate gate, PrincipalRegistry principals, AuditClient audit,
                   ChainVerifier chain, Clock clock, ArtifactRepository artifacts, PayloadStore payloads) {
    this.artifacts = artifacts;
    this.payloads = payloads;
    this.config = config;
    this.gate = gate;
    this.principals = principals;
    this.audit = audit;
    this.chain = chain;
    this.clock = clock;
  }

  void mount(Router router) {
    Handler<RoutingContext> body = Requests.jsonBodies(config.maxMetadataBytes() * 4L);
    router.post("/governance/gate/validate-integration").setName("governance.validate_integration")
        .handler(body).handler(Authentication.roles(Role.OWNER, Role.EXECUTOR)).handler(this::validateIntegration);
    router.post("/governance/gate/validate-operation").setName("governance.validate_operation")
        .handler(body).handler(this::validateOperation);
    router.get("/governance/gate/scale-limits").setName("governance.read").handler(this::scaleLimits);
    router.get("/governance/gate/product-rules").setName("governance.read").handler(ctx -> Responses.json(ctx, 200,
        gate.store().rules().productRulesJson().put("rules_version", gate.store().rules().version())
            .put("description", "Product-specific artifact class rules (conf/governance.json and owner changes)")));
    router.get("/governance/gate/operation-rules").setName("governance.read").handler(ctx -> Responses.json(ctx,
        200, gate.store().rules().operationRulesJson().put("rules_version", gate.store().rules().version())
            .put("description", "Allowed operations per artifact class; UPDATE appends a version, DELETE is never"
                + " allowed")));
    router.get("/governance/gate/status").setName("governance.read").handler(this::status);
    router.post("/governance/rules").setName("governance.rules_change").handler(body).handler(this::changeRules);

    router.get("/governance/integrations").setName("governance.read").handler(GOVERNANCE_READERS)
        .handler(ctx -> KeyRoutes.list(ctx, principals, "integration:", "integrations"));
    router.post("/governance/integrations/:integration/suspend").setName("governance.suspend").handler(body)
        .handler(OWNER).handler(this::suspend);
    router.post("/governance/integrations/:integration/release").setName("governance.release").handler(OWNER)
        .handler(this::release);

    router.get("/governance/schemas").setName("governance.read").handler(this::schemas);
    router.get("/governance/schemas/drift").setName("governance.schema_drift")
        .handler(Authentication.roles(Role.OWNER, Role.AUDITOR)).handler(this::drift);
    router.get("/governance/schemas/:class").setName("governance.read").handler(this::schemaHistory);
    router.post("/governance/schemas/:class/proposals").setName("governance.schema_propose").handler(body)
        .handler(this::propose);
    router.post("/governance/schemas/proposals/:proposal/approve").setName("governance.schema_approve")
        .handler(this::approve);

    router.get("/governance/threats").setName("governance.read").handler(ctx -> Responses.json(ctx, 200,
        ThreatCatalog.toJson()));
    router.get("/governance/threats/pattern/:pattern").setName("governance.read").handler(ctx ->
        Responses.json(ctx, 200, ThreatCatalog.byPatternJson(ctx.pathParam("pattern"))));
    router.get("/governance/threats/:threat").setName("governance.read").handler(ctx ->
        ThreatCatalog.byId(ctx.pathParam("threat").toUpperCase(Locale.ROOT)).ifPresentOrElse(
            threat -> Responses.json(ctx, 200, threat.toJson()),
            () -> ctx.fail(new ApiException(ProblemType.NOT_FOUND, "no threat '" + ctx.pathParam("threat")
                + "'; the catalogue has T1 to T10"))));
    router.post("/governance/threats/scan").setName("governance.threat_scan").handler(body).handler(this::scan);
  }

  // ---- integrations -------------------------------------------------------------------------------------------

  private void validateIntegration(RoutingContext ctx) {
    JsonObject request = Requests.jsonBody(ctx, INTEGRATION_FIELDS);
    String integrationId = Requests.matching("integration_id", string(request, "integration_id"), INTEGRATION_ID);
    String type = string(request, "integration_type");
    String product = Requests.matching("product_name", string(request, "product_name"), Requests.PRODUCT);
    JsonArray classes = request.getValue("artifact_classes") instanceof JsonArray a ? a : null;
    JsonObject dataSchema = request.getValue("data_schema") instanceof JsonObject o ? o : null;
    if (classes == null || classes.isEmpty() || dataSchema == null || type == null) {
      throw Requests.invalid("integration_type, artifact_classes (a non-empty array) and data_schema (an object) "
          + "are required");
    }
    Principal caller = Authentication.principal(ctx);
    List<String> reasons = new ArrayList<>();
    List<Finding> found = new ArrayList<>();
    // threat_assessment: the same detectors that guard writes, over the request itself
    ThreatReport report = threats.validate(WriteInspection.governance(caller, product, "integration.approve",
        request).build());
    found.addAll(report.findings());
    report.findings().stream().filter(Finding::blocking).forEach(f -> reasons.add(f.threat().id() + " "
        + f.threat().title() + ": " + f.detail()));
    // scale_compatibility
    checkRate(request, "expected_writes_per_second", config.maxWritesPerSecond(), reasons);
    checkRate(request, "expected_reads_per_second", config.maxReadsPerSecond(), reasons);
    if (!INTEGRATION_TYPES.contains(type)) {
      reasons.add("integration_type '" + type + "' is not one of " + INTEGRATION_TYPES);
    }
    // product_safety
    ProductRule rule = gate.store().rules().products().get(product);
    if (rule == null) {
      reasons.add("product '" + product + "' is not governed here; products are " + gate.store().rules().products()
          .keySet());
    } else {
      for (Object c : classes) {
        String artifactClass = String.valueOf(c);
        if (rule.forbids(artifactClass)) {
          reasons.add("class '" + artifactClass + "' is forbidden for " + product);
        } else if (!rule.allows(artifactClass)) {
          reasons.add("class '" + artifactClass + "' is not allowed for " + product + " " + rule.allowedClasses());
        }
      }
    }
    // compliance_validation
    for (String required : List.of("nsfw_policy", "retention_policy")) {
      if (!(dataSchema.getValue(required) instanceof String s) || s.isBlank()) {
        reasons.add("data_schema must state " + required);
      }
    }
    if (rule != null && dataSchema.getValue("retention_policy") instanceof String policy) {
      Matcher m = RETENTION.matcher(policy.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long days = Long.parseLong(m.group(1)) * (m.group(2).startsWith("year") ? 365 : 1);
        if (days < rule.minRetentionDays()) {
          reasons.add("retention_policy " + policy + " is shorter than " + product + "'s minimum of "
              + rule.minRetentionDays() + " days; Bucket never deletes earlier");
        }
      }
    }
    boolean approved = reasons.isEmpty();
    JsonObject answer = new JsonObject()
        .put("timestamp", Timestamps.format(clock.instant()))
        .put("integration_id", integrationId)
        .put("product_name", product)
        .put("decision", approved ? "approved" : "rejected")
        .put("checks_performed", new JsonArray(List.of("threat_assessment", "scale_compatibility", "product_safety",
            "compliance_validation")))
        .put("threats_found", GovernanceGate.findings(found))
        .put("reasons", new JsonArray(reasons))
        .put("rules_version", gate.store().rules().version());
    String principalId = "integration:" + integrationId;
    Future<String> key = approved
        ? principals.create(new Principal(principalId, Role.INTEGRATION, product), integrationId, caller.id())
            .recover(e -> Future.failedFuture(e instanceof KeyConflictException ? new ApiException(
                ProblemType.PRINCIPAL_EXISTS, "integration '" + integrationId + "' is already registered") : e))
        : Future.succeededFuture(null);
    key.compose(k -> audit.appendDurable(new AuditRecord(caller.id(), product, "governance.validate_integration",
            null, 0, null, approved ? Outcome.SUCCESS : Outcome.REFUSED, 200, approved ? null : "rejected",
            answer.copy().put("integration_type", type).put("artifact_classes", classes.copy())
                .put("data_schema", dataSchema.copy()))).map(k))
        .onSuccess(k -> {
          if (k != null) {
            answer.put("principal_id", principalId).put("api_key", k)
                .put("notice", "the key is shown only in this response; Bucket stores its hash");
          }
          ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
          Responses.json(ctx, 200, answer);
        })
        .onFailure(ctx::fail);
  }

  private static void checkRate(JsonObject request, String field, long ceiling, List<String> reasons) {
    Object value = request.getValue(field);
    if (value != null && (!(value instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > ceiling)) {
      reasons.add(field + " " + value + " does not fit the ceiling of " + ceiling + "/s");
    }
  }

  private void validateOperation(RoutingContext ctx) {
    JsonObject request = Requests.jsonBody(ctx, OPERATION_FIELDS);
    OpType op;
    try {
      op = OpType.valueOf(String.valueOf(request.getValue("operation_type")).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Requests.invalid("operation_type must be one of CREATE, READ, UPDATE, DELETE");
    }
    String artifactClass = request.getValue("artifact_class") == null ? null
        : Requests.matching("artifact_class", string(request, "artifact_class"), Requests.ARTIFACT_CLASS);
    long size = Requests.size(request, "data_size", 0);
    Identity caller = Authentication.identity(ctx);
    String integrationId = string(request, "integration_id");
    Future<Identity> subject;
    if (caller.principal().is(Role.INTEGRATION)) {
      // An integration asks about itself only; naming another one would be a probe across products.
      if (integrationId != null && !caller.principal().id().equals("integration:" + integrationId)) {
        throw new ApiException(ProblemType.CROSS_PRODUCT, "an integration can only validate its own operations");
      }
      subject = Future.succeededFuture(caller);
    } else if (integrationId == null) {
      throw Requests.invalid("integration_id is required (the integration whose operation is checked)");
    } else {
      subject = principals.find("integration:" + integrationId).compose(found -> found.map(Future::succeededFuture)
          .orElseGet(() -> Future.failedFuture(new ApiException(ProblemType.NOT_FOUND, "no approved integration '"
              + integrationId + "'"))));
    }
    subject.onSuccess(identity -> {
      String product = request.getValue("product_name") == null ? identity.principal().product()
          : string(request, "product_name");
      Verdict verdict = gate.verdict(identity, new OperationRequest(product, artifactClass, op, size));
      Responses.json(ctx, 200, verdict.toJson().put("integration_id", identity.principal().id())
          .put("product_name", product));
    }).onFailure(ctx::fail);
  }

  private void suspend(RoutingContext ctx) {
    String id = "integration:" + ctx.pathParam("integration");
    String reason = Requests.optionalJsonBody(ctx, Set.of("reason")).getValue("reason") instanceof String s
        ? s : "suspended by the owner";
    principals.find(id).compose(found -> found.isEmpty()
            ? Future.failedFuture(new ApiException(ProblemType.NOT_FOUND, "no integration '" + id + "'"))
            : gate.suspend(id, found.get().principal().product(), reason, Operation.actor(ctx)))
        .onSuccess(v -> Responses.json(ctx, 200, new JsonObject().put("principal_id", id).put("suspended", true)))
        .onFailure(ctx::fail);
  }

  private void release(RoutingContext ctx) {
    String id = "integration:" + ctx.pathParam("integration");
    gate.release(id, Operation.actor(ctx)).onSuccess(found -> {
      if (!found) {
        ctx.fail(new ApiException(ProblemType.NOT_FOUND, "no integration '" + id + "'"));
      } else {
        Responses.json(ctx, 200, new JsonObject().put("principal_id", id).put("suspended", false));
      }
    }).onFailure(ctx::fail);
  }

  // ---- rules and schemas --------------------------------------------------------------------------------------

  private void changeRules(RoutingContext ctx) {
    Principal caller = Authentication.principal(ctx);
    if (!caller.is(Role.OWNER)) {
      escalate(ctx, caller, "rules.approve").onComplete(v -> ctx.fail(new ApiException(ProblemType.ROLE_FORBIDDEN,
          "only the owner changes rules; this attempt is recorded and escalated")));
      return;
    }
    JsonObject change = Requests.jsonBody(ctx, Set.of("products", "operation_rules", "description"));
    gate.store().changeRules(change, caller.id())
        .recover(e -> Future.failedFuture(e instanceof RuleSetException ? Requests.invalid(e.getMessage())
            : e instanceof GovernanceStore.ConflictException ? new ApiException(ProblemType.GOVERNANCE_CONFLICT,
                e.getMessage()) : e))
        .compose(next -> audit.appendDurable(new AuditRecord(caller.id(), null, "governance.rules_change", null, 0,
            null, Outcome.SUCCESS, 200, null, new JsonObject().put("rules_version", next.version())
                .put("change", change.copy()))).map(next))
        .onSuccess(next -> Responses.json(ctx, 200, next.toJson()))
        .onFailure(ctx::fail);
  }

  private void schemas(RoutingContext ctx) {
    JsonObject classes = new JsonObject();
    gate.store().schemas().classes().forEach(c -> classes.put(c, new JsonObject()
        .put("active_version", gate.store().schemas().activeVersion(c))
        .put("sha256", gate.store().schemas().version(c, gate.store().schemas().activeVersion(c)).sha256())));
    Responses.json(ctx, 200, new JsonObject().put("classes", classes));
  }

  private void schemaHistory(RoutingContext ctx) {
    String artifactClass = ctx.pathParam("class");
    if (!gate.store().schemas().has(artifactClass)) {
      throw new ApiException(ProblemType.NOT_FOUND, "no schema for class '" + artifactClass + "'");
    }
    JsonArray versions = new JsonArray();
    for (SchemaVersion v : gate.store().schemas().history(artifactClass)) {
      versions.add(new JsonObject().put("version", v.version()).put("sha256", v.sha256()).put("schema", v.schema()));
    }
    Responses.json(ctx, 200, new JsonObject().put("artifact_class", artifactClass)
        .put("active_version", gate.store().schemas().activeVersion(artifactClass)).put("versions", versions));
  }

  /**
   * Schema drift: one page of a product's artifacts (first versions, in id order after the id {@code after}), each
   * stored envelope re-checked against the schema version it was accepted under. JSON payloads are read back as the
   * envelope's data, so a document or payload changed behind the gateway's back, or a frozen schema file edited,
   * shows up here.
   */
  private void drift(RoutingContext ctx) {
    String product = Requests.matching("product", ctx.queryParams().get("product"), Requests.PRODUCT);
    String artifactClass = ctx.queryParams().get("artifact_class");
    if (artifactClass != null) {
      Requests.matching("artifact_class", artifactClass, Requests.ARTIFACT_CLASS);
    }
    String after = ctx.queryParams().get("after");
    String cursor = after == null ? null : Requests.matching("after", after, Requests.ARTIFACT_ID);
    int limit = Requests.limit(ctx, 50, config.pageLimitMax());
    artifacts.list(product, artifactClass, cursor, limit).compose(page -> {
      List<Future<JsonObject>> checks = page.stream().map(this::driftOf).toList();
      return Future.all(checks).map(done -> {
        JsonArray items = new JsonArray();
        checks.forEach(c -> items.add(c.result()));
        JsonObject body = new JsonObject().put("product", product).put("items", items)
            .put("drifted", items.stream().filter(i -> !((JsonObject) i).getJsonArray("violations").isEmpty())
                .count());
        if (page.size() == limit) {
          body.put("next_after", page.get(page.size() - 1).artifactId());
        }
        return body;
      });
    }).onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail);
  }

  private Future<JsonObject> driftOf(Artifact artifact) {
    JsonObject item = new JsonObject().put("artifact_key", artifact.key())
        .put("artifact_class", artifact.artifactClass()).put("schema_version", artifact.schemaVersion());
    if (artifact.schemaVersion() == 0 || !gate.store().schemas().has(artifact.artifactClass())) {
      return Future.succeededFuture(item.put("violations", new JsonArray()).put("checked", false)
          .put("note", "written before schemas were recorded with artifacts"));
    }
    JsonObject envelope = new JsonObject().put("metadata", artifact.metadata());
    boolean json = "application/json".equals(artifact.contentType());
    Future<JsonObject> withData = !json || artifact.size() > config.maxJsonBodyBytes()
        ? Future.succeededFuture(envelope)
        : payloads.read(artifact.payloadRef(), artifact.size())
            .map(bytes -> envelope.put("data", io.vertx.core.json.Json.decodeValue(bytes)))
            .otherwise(envelope);
    return withData.map(e -> {
      JsonArray violations = new JsonArray();
      gate.store().schemas().drift(artifact.artifactClass(), artifact.schemaVersion(), e)
          .forEach(v -> violations.add(new JsonObject().put("path", v.path()).put("message", v.message())));
      return item.put("violations", violations).put("checked", true);
    });
  }

  private void propose(RoutingContext ctx) {
    Principal caller = Authentication.principal(ctx);
    if (caller.is(Role.AUDITOR)) {
      throw new ApiException(ProblemType.ROLE_FORBIDDEN, "auditors read; they do not propose schemas");
    }
    String artifactClass = Requests.matching("artifact class", ctx.pathParam("class"), Requests.ARTIFACT_CLASS);
    JsonObject schema = Requests.jsonBody(ctx, Set.of("schema")).getValue("schema") instanceof JsonObject s ? s
        : null;
    if (schema == null) {
      throw Requests.invalid("the body must be {\"schema\": {<JSON Schema 2020-12 of the write envelope>}}");
    }
    Future<JsonObject> proposed;
    try {
      proposed = gate.store().propose(artifactClass, schema, caller);
    } catch (SchemaException e) {
      throw new ApiException(ProblemType.SCHEMA_VIOLATION, e.getMessage());
    }
    proposed.compose(doc -> {
      boolean escalated = "escalated".equals(doc.getString("status"));
      return audit.appendDurable(new AuditRecord(caller.id(), caller.product(), escalated
              ? "governance.escalation" : "governance.schema_propose", null, 0, null, Outcome.SUCCESS, 202, null,
          new JsonObject().put("proposal", doc.getString("id")).put("artifact_class", artifactClass)
              .put("version", doc.getInteger("version")).put("status", doc.getString("status"))
              .put("sha256", doc.getString("sha256")))).map(doc);
    }).onSuccess(doc -> Responses.json(ctx, 202, proposalView(doc).put("notice", "not applied: schemas change only"
        + " when the owner approves the proposal (POST /governance/schemas/proposals/{id}/approve)")))
        .onFailure(ctx::fail);
  }

  private void approve(RoutingContext ctx) {
    Principal caller = Authentication.principal(ctx);
    if (!caller.is(Role.OWNER)) {
      escalate(ctx, caller, "schema.approve").onComplete(v -> ctx.fail(new ApiException(ProblemType.ROLE_FORBIDDEN,
          "only the owner approves schemas; this attempt is recorded and escalated")));
      return;
    }
    String id = ctx.pathParam("proposal");
    gate.store().approve(id, caller.id())
        .recover(e -> Future.failedFuture(e instanceof SchemaException ? new ApiException(
            ProblemType.GOVERNANCE_CONFLICT, e.getMessage()) : e instanceof GovernanceStore.ConflictException
            ? new ApiException(ProblemType.GOVERNANCE_CONFLICT, e.getMessage()) : e))
        .compose(version -> version == null
            ? Future.failedFuture(new ApiException(ProblemType.NOT_FOUND, "no schema proposal '" + id + "'"))
            : audit.appendDurable(new AuditRecord(caller.id(), null, "governance.schema_approve", null, 0, null,
                Outcome.SUCCESS, 200, null, new JsonObject().put("proposal", id)
                    .put("artifact_class", version.getString("artifact_class"))
                    .put("version", version.getInteger("version")).put("sha256", version.getString("sha256"))))
                .map(version))
        .onSuccess(version -> Responses.json(ctx, 200, new JsonObject().put("proposal", id).put("status", "approved")
            .put("artifact_class", version.getString("artifact_class")).put("active_version",
                version.getInteger("version"))))
        .onFailure(ctx::fail);
  }

  /** A non-owner reached for an owner-only action: T5 finding, counted by the lock policy, audited. */
  private Future<Boolean> escalate(RoutingContext ctx, Principal caller, String action) {
    List<Finding> findings = new dev.bucket.governance.threat.ExecutorOverrideDetector()
        .ownerOnlyAttempt(caller, action).stream().toList();
    return audit.appendDurable(new AuditRecord(caller.id(), caller.product(), "governance.escalation", null, 0, null,
            Outcome.REFUSED, 403, "owner-only", new JsonObject().put("action", action)
                .put("threats_found", GovernanceGate.findings(findings))))
        .compose(receipt -> gate.violation(Authentication.identity(ctx), caller.product(), findings));
  }

  private static JsonObject proposalView(JsonObject doc) {
    return new JsonObject().put("proposal", doc.getString("id")).put("artifact_class", doc.getString(
        "artifact_class")).put("version", doc.getInteger("version")).put("status", doc.getString("status"))
        .put("sha256", doc.getString("sha256")).put("proposed_by", doc.getString("proposed_by"));
  }

  // ---- threats, limits and status -----------------------------------------------------------------------------

  /** A dry run of the write-time detectors over a body; nothing is stored, the scan itself is audited. */
  private void scan(RoutingContext ctx) {
    JsonObject request = Requests.jsonBody(ctx, Set.of("product", "artifact_class", "metadata", "data",
        "data_size"));
    Principal caller = Authentication.principal(ctx);
    String product = request.getValue("product") == null ? caller.product() : string(request, "product");
    if (caller.is(Role.INTEGRATION) && !caller.product().equals(product)) {
      throw new ApiException(ProblemType.CROSS_PRODUCT, "an integration scans writes to its own product only");
    }
    String artifactClass = string(request, "artifact_class");
    JsonObject metadata = request.getValue("metadata") instanceof JsonObject m ? m : new JsonObject();
    WriteInspection.Builder inspection = WriteInspection.write(caller, product, artifactClass, OpType.CREATE)
        .metadata(metadata).data(request.getValue("data"))
        .declaredSize(Requests.size(request, "data_size", -1));
    if (artifactClass != null && gate.store().schemas().has(artifactClass)) {
      inspection.knownMetadataFields(gate.store().schemas().metadataFields(artifactClass));
    }
    if (product != null) {
      ProductRule rule = gate.store().rules().products().get(product);
      inspection.usage(gate.usage().of(product));
      if (rule != null) {
        inspection.quota(new WriteInspection.Quota(rule.quotaBytes(), rule.maxArtifacts(),
            config.maxArtifactBytes()));
      }
    }
    ThreatReport report = threats.validate(inspection.build());
    chainStatus().onSuccess(status -> {
      JsonObject body = report.toJson();
      new dev.bucket.governance.threat.AuditTamperingDetector().inspect(status).ifPresent(f ->
          body.getJsonArray("threats_found").add(f.toJson()));
      Responses.json(ctx, 200, body.put("audit_chain", new JsonObject().put("intact", status.intact())));
    }).onFailure(ctx::fail);
  }

  /** T8: the newest entries re-hashed up to the writer's durable head. */
  private Future<ChainStatus> chainStatus() {
    return audit.head().compose(chain::verifyNewest).map(ChainStatus::of);
  }


  private void scaleLimits(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject()
        .put("limits", new JsonObject()
            .put("max_artifact_size", config.maxArtifactBytes())
            .put("max_writes_per_second", config.maxWritesPerSecond())
            .put("max_reads_per_second", config.maxReadsPerSecond())
            .put("max_batch_size", config.maxBatchSize())
            .put("max_artifacts", config.maxArtifacts())
            .put("max_artifacts_per_product", config.maxArtifactsPerProduct())
            .put("max_products", config.maxProducts())
            .put("max_concurrent_writers", config.maxConcurrentWriters())
            .put("max_storage_bytes", config.maxStorageBytes())
            .put("write_burst", config.limitSettings().writeBurst())
            .put("read_burst", config.limitSettings().readBurst())
            .put("rate_limit_max_delay_ms", config.rateLimitMaxDelayMs())
            .put("cluster_expected_nodes", config.clusterExpectedNodes()))
        .put("description", "Scale limits enforced by the gateway (conf/bucket.json); live values: "
            + "/metrics/scale-status and /governance/scale/proximity/{limit_name}"));
  }

  /** Everything here is measured now: the gate's counts, the stores, and a re-hash of the newest log entries. */
  private void status(RoutingContext ctx) {
    Future<Long> approved = principals.count(Role.INTEGRATION, false);
    Future<Long> suspended = principals.count(Role.INTEGRATION, true);
    Future<ChainStatus> chainCheck = chainStatus();
    Future.all(approved, suspended, chainCheck).onSuccess(all -> {
      boolean intact = chainCheck.result().intact();
      JsonObject checks = new JsonObject()
          .put("rules_loaded", new JsonObject().put("ok", true).put("rules_version", gate.store().rules().version()))
          .put("schemas_frozen", new JsonObject().put("ok", true).put("classes",
              gate.store().schemas().classes().size()))
          .put("audit_chain", new JsonObject().put("ok", intact).put("window_entries", ChainVerifier.RECENT_WINDOW)
              .put("first_bad_index", chainCheck.result().firstBadIndex()))
          .put("storage", new JsonObject().put("ok", gate.usage().totalBytes() < config.maxStorageBytes())
              .put("bytes_used", gate.usage().totalBytes()));
      boolean allOk = checks.stream().allMatch(e -> ((JsonObject) e.getValue()).getBoolean("ok"));
      Responses.json(ctx, 200, new JsonObject()
          .put("status", "active")
          .put("approved_integrations", approved.result())
          .put("suspended_integrations", suspended.result())
          .put("enforcement_level", "production")
          .put("certification", allOk ? "enterprise_ready" : "degraded")
          .put("checks", checks)
          .put("checked_at", Timestamps.format(clock.instant())));
    }).onFailure(ctx::fail);
  }

  private static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw Requests.invalid(field + " must be a string");
    }
    return (String) value;
  }
}
