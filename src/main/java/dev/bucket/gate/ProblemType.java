package dev.bucket.gate;

/**
 * Every problem type the API answers with. The {@code type} URI of each is stable: clients may switch on it.
 * docs/api.md lists them.
 */
public enum ProblemType {
  MALFORMED_JSON(400, "Malformed JSON"),
  INVALID_REQUEST(400, "Invalid request"),
  CLASS_REQUIRED(400, "Artifact class required"),
  MISSING_PART(400, "Missing multipart part"),
  BULK_READ_REFUSED(400, "Bulk reads are refused"),
  UNAUTHORIZED(401, "Authentication required"),
  ROLE_FORBIDDEN(403, "Not allowed for this role"),
  CROSS_PRODUCT(403, "Another product's data"),
  RETENTION_REFUSED(403, "Refused by retention or legal hold"),
  CLASS_FORBIDDEN(403, "Artifact class forbidden for this product"),
  CLASS_NOT_ALLOWED(403, "Artifact class not allowed for this product"),
  OPERATION_FORBIDDEN(403, "Operation forbidden by the rules"),
  UNKNOWN_PRODUCT(404, "Unknown product"),
  NOT_FOUND(404, "Not found"),
  ARTIFACT_NOT_FOUND(404, "Artifact not found"),
  METHOD_NOT_ALLOWED(405, "Method not allowed"),
  REQUEST_TIMEOUT(408, "Request timeout"),
  ARTIFACT_EXISTS(409, "Artifact already exists with different content"),
  PRINCIPAL_EXISTS(409, "Principal already has a key"),
  GOVERNANCE_CONFLICT(409, "Governance change conflicts with the current state"),
  GONE(410, "Tombstoned"),
  PRECONDITION_FAILED(412, "Precondition failed"),
  PAYLOAD_TOO_LARGE(413, "Payload too large"),
  URI_TOO_LONG(414, "URI too long"),
  UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
  RANGE_NOT_SATISFIABLE(416, "Range not satisfiable"),
  SCHEMA_VIOLATION(422, "Does not match the frozen schema"),
  THREAT_DETECTED(422, "Refused by the threat detectors"),
  LOCKED(423, "Suspended by a governance lock"),
  PRECONDITION_REQUIRED(428, "Precondition required"),
  RATE_LIMITED(429, "Over the gateway's rate ceiling"),
  HEADERS_TOO_LARGE(431, "Request header fields too large"),
  INTERNAL_ERROR(500, "Internal error"),
  PAYLOAD_INTEGRITY_FAILURE(500, "Stored payload failed its integrity check"),
  SERVICE_UNAVAILABLE(503, "Service unavailable"),
  CONCURRENCY_LIMIT(503, "Too many writes in flight"),
  VERSION_NOT_SUPPORTED(505, "HTTP version not supported"),
  CAPACITY_EXCEEDED(507, "Capacity ceiling reached"),
  STORAGE_FULL(507, "The store's disk is full");

  private static final String PREFIX = "urn:bucket:problem:";

  private final int status;
  private final String title;

  ProblemType(int status, String title) {
    this.status = status;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** Short stable name, also recorded as the audit entry's reason. */
  public String slug() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public String uri() {
    return PREFIX + slug();
  }

  /**
   * Whether each refusal of this type is its own audit entry. Load shedding is not: a 429 or a writer-cap 503 costs
   * no I/O, and the shed requests are audited as one summary per product, kind and second ({@code ceiling.shed}).
   * Nor is a request without a valid key: anyone can send those, so one entry each would let an anonymous flood
   * saturate the log; they are summarised per second instead ({@code auth.refused}). Nor is a 503 for a saturated or
   * slow backend: when the audit log itself is behind, an entry per refusal would only push it further behind, so
   * these are summarised per route and second too ({@code gateway.unavailable}).
   */
  public boolean audited() {
    return this != RATE_LIMITED && this != CONCURRENCY_LIMIT && this != UNAUTHORIZED && this != SERVICE_UNAVAILABLE;
  }
}
