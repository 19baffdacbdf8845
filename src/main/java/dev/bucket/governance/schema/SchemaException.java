package dev.bucket.governance.schema;

import java.util.List;

/**
 * A schema that cannot be loaded, proposed or activated, or a class or version the catalog does not hold. When a
 * schema document itself is at fault, {@link #violations()} lists every problem found in it.
 */
public final class SchemaException extends IllegalArgumentException {

  private final transient List<SchemaViolation> violations;

  public SchemaException(String message) {
    super(message);
    this.violations = List.of();
  }

  public SchemaException(String subject, List<SchemaViolation> violations) {
    super(subject + ": " + violations.get(0)
        + (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : ""));
    this.violations = List.copyOf(violations);
  }

  public List<SchemaViolation> violations() {
    return violations;
  }
}
