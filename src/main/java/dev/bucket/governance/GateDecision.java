package dev.bucket.governance;

import dev.bucket.governance.rules.ProductRule;
import dev.bucket.governance.rules.RuleSet;

/**
 * The one decision on whether a principal may perform an operation. The real operation path and
 * {@code POST /governance/gate/validate-operation} both call {@link #decide}, so a dry run can never disagree with
 * what the gate then does.
 */
public final class GateDecision {

  private GateDecision() {
  }

  /**
   * The part of {@link #decide} that does not depend on the artifact class, in the same order: it is what the gate
   * checks the moment a request arrives, before reading its body, and {@link #decide} begins with it.
   */
  public static Verdict admit(Principal principal, String product, OpType op, RuleSet rules) {
    int version = rules.version();
    ProductRule productRule = rules.products().get(product);
    if (productRule == null) {
      return Verdict.refuse(Refusal.UNKNOWN_PRODUCT, "Product '" + product + "' is not governed by this depository",
          version);
    }
    if (principal.is(Role.INTEGRATION) && !principal.product().equals(product)) {
      return Verdict.refuse(Refusal.CROSS_PRODUCT, "An integration of product '" + principal.product()
          + "' cannot act on product '" + product + "'", version);
    }
    // Checked before any rule: no rule file, role or class can make a delete possible.
    if (op == OpType.DELETE) {
      return Verdict.refuse(Refusal.OPERATION_FORBIDDEN, "DELETE is forbidden for every artifact class: the"
          + " depository is append-only", version);
    }
    boolean write = op == OpType.CREATE || op == OpType.UPDATE;
    if (write && !principal.is(Role.INTEGRATION)) {
      return Verdict.refuse(Refusal.ROLE_FORBIDDEN, "Role " + principal.role() + " cannot " + op + " artifacts: only"
          + " a product's integration writes them", version);
    }
    if (op == OpType.READ && principal.is(Role.EXECUTOR)) {
      return Verdict.refuse(Refusal.ROLE_FORBIDDEN, "Role EXECUTOR cannot read artifacts: it runs the governance"
          + " process, not the products", version);
    }
    return Verdict.allow(version);
  }

  /**
   * Applies the rules in a fixed order and answers with the first refusal that applies: unknown product, another
   * product's integration, DELETE, a role that may not perform the operation, a forbidden or not allowed class, an
   * operation the class's rule forbids, then the size.
   */
  public static Verdict decide(Principal principal, OperationRequest request, RuleSet rules, long maxArtifactBytes) {
    Verdict admitted = admit(principal, request.product(), request.op(), rules);
    if (!admitted.allowed()) {
      return admitted;
    }
    int version = rules.version();
    String product = request.product();
    String artifactClass = request.artifactClass();
    OpType op = request.op();
    boolean write = op == OpType.CREATE || op == OpType.UPDATE;
    ProductRule productRule = rules.products().get(product);
    if (artifactClass == null) {
      if (write) {
        return Verdict.refuse(Refusal.CLASS_REQUIRED, op + " needs an artifact class", version);
      }
    } else if (productRule.forbids(artifactClass)) {
      return Verdict.refuse(Refusal.CLASS_FORBIDDEN, "Class '" + artifactClass + "' is forbidden for product '"
          + product + "'", version);
    } else if (!productRule.allows(artifactClass)) {
      return Verdict.refuse(Refusal.CLASS_NOT_ALLOWED, "Class '" + artifactClass + "' is not among the classes"
          + " product '" + product + "' may store " + productRule.allowedClasses(), version);
    } else if (!rules.permits(artifactClass, op)) {
      return Verdict.refuse(Refusal.OPERATION_FORBIDDEN, op + " is forbidden for class '" + artifactClass + "'"
          + (op == OpType.UPDATE ? " (its artifacts get no new versions)" : ""), version);
    }
    if (request.dataSize() > maxArtifactBytes) {
      return Verdict.refuse(Refusal.TOO_LARGE, "An artifact of " + request.dataSize() + " bytes exceeds the limit of "
          + maxArtifactBytes + " bytes", version);
    }
    if (request.dataSize() < 0) {
      return Verdict.refuse(Refusal.INVALID_SIZE, "The data size cannot be negative, got " + request.dataSize(),
          version);
    }
    return Verdict.allow(version);
  }
}
