package dev.bucket.audit;

/** The audit log's commit queue is full: the caller should shed load (answer 503) rather than wait. */
public final class AuditBackpressureException extends RuntimeException {

  public AuditBackpressureException(int capacity) {
    // No stack trace: this is an expected, possibly frequent answer under overload, not a bug.
    super("audit log queue is full (" + capacity + " entries waiting to be written)", null, false, false);
  }
}
