package dev.bucket.governance;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The outcome of {@link GateDecision#decide}: allowed, or refused for one {@link Refusal} with a sentence a person can
 * act on. {@code rulesVersion} is the rule set that decided, so that an audit entry can say under which rules.
 */
public record Verdict(boolean allowed, Refusal refusal, String reason, int rulesVersion) {

  private static final String VALIDATED = "Operation validated";

  public Verdict {
    Objects.requireNonNull(reason, "reason");
    if (allowed != (refusal == null)) {
      throw new IllegalArgumentException("a verdict carries a refusal exactly when it is not allowed");
    }
  }

  static Verdict allow(int rulesVersion) {
    return new Verdict(true, null, VALIDATED, rulesVersion);
  }

  /** A write by a principal that a governance lock holds: only the owner's release ends it. */
  public static Verdict locked(String reason, int rulesVersion) {
    return new Verdict(false, Refusal.LOCKED, reason, rulesVersion);
  }

  static Verdict refuse(Refusal refusal, String reason, int rulesVersion) {
    return new Verdict(false, refusal, reason, rulesVersion);
  }

  /**
   * {@code {"allowed": true, "message": "Operation validated", ...}} or
   * {@code {"allowed": false, "reason": ..., "refusal": "class-forbidden", ...}}, each with {@code rules_version}.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("allowed", allowed);
    if (allowed) {
      json.put("message", reason);
    } else {
      json.put("reason", reason).put("refusal", refusal.slug());
    }
    return json.put("rules_version", rulesVersion);
  }
}
