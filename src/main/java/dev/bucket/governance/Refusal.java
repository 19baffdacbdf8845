package dev.bucket.governance;

import java.util.Locale;

/** Why {@link GateDecision} refused an operation: each reason has its HTTP status and a stable slug clients may use. */
public enum Refusal {
  UNKNOWN_PRODUCT(404),
  CROSS_PRODUCT(403),
  OPERATION_FORBIDDEN(403),
  ROLE_FORBIDDEN(403),
  CLASS_FORBIDDEN(403),
  CLASS_NOT_ALLOWED(403),
  CLASS_REQUIRED(400),
  TOO_LARGE(413),
  LOCKED(423),
  INVALID_SIZE(400);

  private final int status;

  Refusal(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** {@code class-not-allowed}, ...: also recorded as the audit entry's reason. */
  public String slug() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
