package dev.bucket.audit;

import io.vertx.core.json.JsonObject;

/**
 * What a caller asks the audit log to record. The audit verticle adds the index, timestamp, retention and hashes.
 *
 * @param actor       the authenticated principal (or "anonymous")
 * @param product     product the operation concerns, or null for gateway-wide operations
 * @param operation   e.g. {@code artifact.create}, {@code artifact.version}, {@code artifact.read}, {@code audit.manual}
 * @param artifactId  artifact concerned, or null
 * @param version     artifact version concerned, or 0 when not applicable
 * @param contentHash {@code sha256:<hex>} of the payload concerned, or null
 * @param outcome     {@link Outcome}
 * @param status      HTTP status the operation answered
 * @param reason      why it was refused or failed (stable problem type), or null on success
 * @param details     small, caller-specific extra facts; never secrets. Must not be mutated after construction.
 * @param requestId   the id of the request the entry records ({@code X-Request-Id}), or null; {@link AuditClient}
 *                    fills it in from the request being served
 */
public record AuditRecord(String actor, String product, String operation, String artifactId, int version,
                          String contentHash, Outcome outcome, int status, String reason, JsonObject details,
                          String requestId) {

  /** A record of no request yet: the audit client adds the current request's id when it sends it. */
  public AuditRecord(String actor, String product, String operation, String artifactId, int version,
                     String contentHash, Outcome outcome, int status, String reason, JsonObject details) {
    this(actor, product, operation, artifactId, version, contentHash, outcome, status, reason, details, null);
  }

  /** The same record, made on behalf of request {@code id}. */
  public AuditRecord withRequestId(String id) {
    return new AuditRecord(actor, product, operation, artifactId, version, contentHash, outcome, status, reason,
        details, id);
  }

  public enum Outcome {
    SUCCESS, REFUSED, FAILED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
