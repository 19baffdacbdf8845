package dev.bucket.governance.threat;

import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * T5: a principal reaching above its role.
 *
 * <p>In a write's metadata, a reserved field is HIGH: Bucket sets these itself, so the write is refused, but an
 * integration naming a field {@code version} is more often an accident than an attack. In a governance request an
 * authority field from anyone but the owner, an owner-only action taken by anyone else, and a role field naming a
 * role the principal does not hold (in metadata or a request) are CRITICAL: they have no innocent reading.
 */
public final class ExecutorOverrideDetector implements Detector {

  /** Fields Bucket sets on every artifact itself; a writer's metadata never sets them (compared case-insensitively). */
  public static final Set<String> RESERVED_FIELDS = Set.of("created_by", "created_at", "content_hash", "version",
      "product_id", "approved_by", "rules_version", "role", "suspended", "legal_hold");

  /**
   * The reserved fields that carry authority, which in a governance request only the owner sets. {@code product_id}
   * and {@code version} are left out: a request legitimately names the product or schema version it is about.
   */
  public static final Set<String> AUTHORITY_FIELDS = Set.of("created_by", "created_at", "content_hash",
      "approved_by", "rules_version", "role", "suspended", "legal_hold");

  /** Governance actions only the owner takes: approving schemas and rule changes, lifting suspensions, legal holds. */
  public static final Set<String> OWNER_ONLY_ACTIONS = Set.of("schema.approve", "rules.approve", "suspension.lift",
      "legal_hold.set");

  @Override
  public List<Finding> inspect(WriteInspection in) {
    Findings out = new Findings();
    Principal principal = in.principal();
    if (in.isWrite()) {
      reservedFields(in.metadata(), "$.metadata", RESERVED_FIELDS, Severity.HIGH, out);
      roleEscalation(principal, in.metadata(), "$.metadata", out);
    } else {
      ownerOnlyAttempt(principal, in.governance().action()).ifPresent(out::add);
      if (!principal.is(Role.OWNER)) {
        reservedFields(in.governance().body(), "$", AUTHORITY_FIELDS, Severity.CRITICAL, out);
      }
      roleEscalation(principal, in.governance().body(), "$", out);
    }
    return out.list();
  }

  /** A CRITICAL finding when {@code action} is owner-only and {@code principal} is not the owner. */
  public Optional<Finding> ownerOnlyAttempt(Principal principal, String action) {
    if (principal.is(Role.OWNER) || !OWNER_ONLY_ACTIONS.contains(action)) {
      return Optional.empty();
    }
    return Optional.of(new Finding(Threat.T5, "owner_only_action", Severity.CRITICAL, null, "principal '"
        + principal.id() + "' (" + principal.role().name().toLowerCase(Locale.ROOT) + ") attempted owner-only action '"
        + action + "'"));
  }

  private static void reservedFields(JsonObject object, String rootPath, Set<String> reserved, Severity severity,
                                     Findings out) {
    for (String field : object.fieldNames()) {
      if (reserved.contains(field.toLowerCase(Locale.ROOT))) {
        String path = JsonWalk.child(rootPath, field);
        out.add(new Finding(Threat.T5, "reserved_field", severity, path, "reserved field " + path
            + " is set by Bucket, not by the request"));
      }
    }
  }

  /** Any {@code role} field, at any depth, naming a privileged Bucket role the principal does not hold. */
  private static void roleEscalation(Principal principal, JsonObject root, String rootPath, Findings out) {
    if (principal.is(Role.OWNER)) {
      return;
    }
    JsonWalk.walk(root, rootPath, node -> {
      if (node.key() != null && node.key().equalsIgnoreCase("role") && node.value() instanceof String value) {
        String named = value.strip();
        Arrays.stream(Role.values())
            .filter(role -> role != Role.INTEGRATION && role != principal.role() && role.name().equalsIgnoreCase(named))
            .findFirst()
            .ifPresent(role -> out.add(new Finding(Threat.T5, "role_escalation", Severity.CRITICAL, node.path(),
                node.path() + " names role '" + role.name().toLowerCase(Locale.ROOT) + "', which principal '"
                    + principal.id() + "' does not hold")));
      }
    });
  }
}
