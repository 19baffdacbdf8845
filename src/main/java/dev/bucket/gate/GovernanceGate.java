package dev.bucket.gate;

import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.governance.GateDecision;
import dev.bucket.governance.GovernanceStore;
import dev.bucket.governance.OpType;
import dev.bucket.governance.OperationRequest;
import dev.bucket.governance.Principal;
import dev.bucket.governance.Refusal;
import dev.bucket.governance.UsageMeter;
import dev.bucket.governance.Verdict;
import dev.bucket.governance.rules.ProductRule;
import dev.bucket.governance.schema.SchemaViolation;
import dev.bucket.governance.threat.EscalationCascadeDetector;
import dev.bucket.governance.threat.Finding;
import dev.bucket.governance.threat.LockDecision;
import dev.bucket.governance.threat.LockPolicy;
import dev.bucket.governance.threat.ThreatReport;
import dev.bucket.governance.threat.ThreatValidator;
import dev.bucket.governance.threat.WriteCollisionDetector;
import dev.bucket.governance.threat.WriteInspection;
import dev.bucket.identity.Identity;
import dev.bucket.identity.PrincipalRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every artifact operation passes here: the rule decision ({@link GateDecision}, the same function
 * {@code validate-operation} answers with), governance locks, the frozen schema, and the threat detectors. A
 * violation can lock its principal: a critical finding at once, repeated lesser ones after a threshold
 * ({@link LockPolicy}). Detections, suspensions and escalations are audit entries.
 */
public final class GovernanceGate {

  private static final Logger LOG = LoggerFactory.getLogger(GovernanceGate.class);

  /** What a write was checked under; recorded with the artifact. */
  public record WriteCheck(int rulesVersion, int schemaVersion, List<Finding> findings) {
  }

  private final GovernanceStore store;
  private final PrincipalRegistry principals;
  private final AuditClient audit;
  private final UsageMeter usage;
  private final Clock clock;
  private final long maxArtifactBytes;
  private final ThreatValidator threats = new ThreatValidator();
  private final LockPolicy locks;
  private final WriteCollisionDetector collisions = new WriteCollisionDetector();
  private final EscalationCascadeDetector cascades = new EscalationCascadeDetector();

  public GovernanceGate(GovernanceStore store, PrincipalRegistry principals, AuditClient audit, UsageMeter usage,
                        Clock clock, long maxArtifactBytes, LockPolicy locks) {
    this.store = store;
    this.principals = principals;
    this.audit = audit;
    this.usage = usage;
    this.clock = clock;
    this.maxArtifactBytes = maxArtifactBytes;
    this.locks = locks;
  }

  public GovernanceStore store() {
    return store;
  }

  public UsageMeter usage() {
    return usage;
  }

  /**
   * The verdict for an operation by this identity: a locked principal may not write, then the rules decide. This is
   * the function both the real path and {@code validate-operation} call.
   */
  public Verdict verdict(Identity identity, OperationRequest request) {
    boolean write = request.op() == OpType.CREATE || request.op() == OpType.UPDATE;
    if (write && identity.suspended()) {
      return locked(identity);
    }
    return GateDecision.decide(identity.principal(), request, store.rules(), maxArtifactBytes);
  }

  /**
   * The class-independent part of the same decision, for the moment a request arrives: a locked principal's writes,
   * unknown products, another product's integration, roles. Throws the refusal.
   */
  public void admit(Identity identity, String product, OpType op) {
    boolean write = op == OpType.CREATE || op == OpType.UPDATE;
    Verdict verdict = write && identity.suspended() ? locked(identity)
        : GateDecision.admit(identity.principal(), product, op, store.rules());
    if (!verdict.allowed()) {
      noteRefusal(identity.principal());
      throw refusal(verdict);
    }
  }

  private Verdict locked(Identity identity) {
    return Verdict.locked("principal '" + identity.principal().id() + "' is suspended by a governance lock: "
        + identity.suspension().reason() + " (only the owner can lift it)", store.rules().version());
  }

  /** Fails with the refusal as an {@link ApiException} (the failure handler audits it) unless allowed. */
  public void require(Identity identity, OperationRequest request) {
    Verdict verdict = verdict(identity, request);
    if (!verdict.allowed()) {
      noteRefusal(identity.principal());
      throw refusal(verdict);
    }
  }

  static ApiException refusal(Verdict verdict) {
    return new ApiException(problem(verdict.refusal()), verdict.reason(), Map.of(),
        new JsonObject().put("refusal", verdict.refusal().slug()).put("rules_version", verdict.rulesVersion()));
  }

  private static ProblemType problem(Refusal refusal) {
    return switch (refusal) {
      case TOO_LARGE -> ProblemType.PAYLOAD_TOO_LARGE;
      case INVALID_SIZE -> ProblemType.INVALID_REQUEST;
      default -> ProblemType.valueOf(refusal.name());
    };
  }

  /**
   * The whole check of one write, once its class, metadata and (for JSON) data are known: rules, schema, threats.
   * {@code declaredSize} is the payload's size, or -1 while a streamed upload's size is not known yet.
   */
  public Future<WriteCheck> checkWrite(Identity identity, String product, String artifactClass, OpType op,
                                       JsonObject metadata, Object data, long declaredSize) {
    Principal principal = identity.principal();
    require(identity, new OperationRequest(product, artifactClass, op, Math.max(0, declaredSize)));
    JsonObject envelope = new JsonObject().put("metadata", metadata);
    if (data != null) {
      envelope.put("data", data);
    }
    ProductRule rule = store.rules().products().get(product);
    WriteInspection inspection = WriteInspection.write(principal, product, artifactClass, op)
        .metadata(metadata).data(data).declaredSize(declaredSize)
        .knownMetadataFields(store.schemas().metadataFields(artifactClass))
        .usage(usage.of(product))
        .quota(new WriteInspection.Quota(rule.quotaBytes(), rule.maxArtifacts(), maxArtifactBytes))
        .build();
    ThreatReport report = threats.validate(inspection);
    List<SchemaViolation> violations = store.schemas().validate(artifactClass, envelope);
    // A critical finding (a leaked credential, a forged provenance field) outranks a schema error: it locks.
    if (report.critical() || violations.isEmpty() && report.blocking()) {
      return violation(identity, product, report.findings()).compose(locked -> Future.failedFuture(
          new ApiException(ProblemType.THREAT_DETECTED, "the write was refused by the threat detectors"
              + (locked ? "; the principal is now suspended until the owner lifts the lock" : ""), Map.of(),
              new JsonObject().put("threats_found", findings(report.findings())).put("suspended", locked))));
    }
    if (!violations.isEmpty()) {
      JsonArray errors = new JsonArray();
      violations.forEach(v -> errors.add(new JsonObject().put("path", v.path()).put("message", v.message())));
      int version = store.schemas().activeVersion(artifactClass);
      return violation(identity, product, report.findings()).compose(locked -> Future.failedFuture(
          new ApiException(ProblemType.SCHEMA_VIOLATION, "the write does not match the frozen schema of class '"
              + artifactClass + "' (version " + version + "); schemas change only by an owner-approved proposal",
              Map.of(), new JsonObject().put("errors", errors).put("schema_version", version)
                  .put("threats_found", findings(report.findings())).put("suspended", locked))));
    }
    report.findings().forEach(f -> recordDetection(principal, product, f));
    return Future.succeededFuture(new WriteCheck(store.rules().version(),
        store.schemas().activeVersion(artifactClass), report.findings()));
  }

  /** Records blocking findings, applies the lock policy, and says whether the principal is now suspended. */
  Future<Boolean> violation(Identity identity, String product, List<Finding> findings) {
    Principal principal = identity.principal();
    findings.forEach(f -> recordDetection(principal, product, f));
    noteRefusal(principal);
    LockDecision decision = locks.record(principal.id(), findings, clock.millis());
    if (!decision.suspends() || principal.is(dev.bucket.governance.Role.OWNER)) {
      return Future.succeededFuture(false);
    }
    return suspend(principal.id(), product, decision.reason(), "governance-lock").map(true);
  }

  /** Suspends a principal and records why; its writes get 423 from now on (every node within a second). */
  public Future<Void> suspend(String principalId, String product, String reason, String by) {
    return principals.suspend(principalId, reason, by).compose(found -> audit.appendDurable(new AuditRecord(by,
        product, "governance.suspend", null, 0, null, Outcome.SUCCESS, 200, null,
        new JsonObject().put("principal_id", principalId).put("reason", reason)))).mapEmpty();
  }

  public Future<Boolean> release(String principalId, String by) {
    return principals.release(principalId).compose(found -> {
      if (!found) {
        return Future.succeededFuture(false);
      }
      locks.release(principalId);
      return audit.appendDurable(new AuditRecord(by, null, "governance.release", null, 0, null, Outcome.SUCCESS,
          200, null, new JsonObject().put("principal_id", principalId))).map(true);
    });
  }

  /** A stale If-Match on a version write: many on one artifact in a short window are a T4 detection. */
  public void noteConflict(Principal principal, String product, String artifactId) {
    collisions.recordConflict(product, artifactId, clock.millis())
        .ifPresent(f -> recordDetection(principal, product, f));
  }

  /** Every refusal counts toward T6 (an integration hammering the gate with refused requests). */
  private void noteRefusal(Principal principal) {
    cascades.recordRefusal(principal.id(), clock.millis()).ifPresent(f -> recordDetection(principal, null, f));
  }

  private void recordDetection(Principal principal, String product, Finding finding) {
    audit.appendAccepted(new AuditRecord(principal.id(), product, "governance.threat_detected", null, 0, null,
        finding.blocking() ? Outcome.REFUSED : Outcome.SUCCESS, 0, finding.threat().id(), finding.toJson()))
        .onFailure(e -> LOG.warn("threat detection not audited: {} {}", finding.threat().id(), e.getMessage()));
  }

  static JsonArray findings(List<Finding> findings) {
    JsonArray array = new JsonArray();
    findings.forEach(f -> array.add(f.toJson()));
    return array;
  }
}
