package dev.bucket.bus;

/** Every event-bus address Bucket uses, in one place so a reader can follow a request between verticles. */
public final class Addresses {

  /** Ingest verticle: create an artifact or append a version ({@code dev.bucket.ingest.IngestCommand}). */
  public static final String INGEST_COMMIT = "bucket.ingest.commit";

  /** Audit verticle, the single writer of the log: append one entry ({@code dev.bucket.audit.AuditAppend}). */
  public static final String AUDIT_APPEND = "bucket.audit.append";

  /** Audit verticle: the last durable entry's index and hash ({@code dev.bucket.audit.AuditHead}). */
  public static final String AUDIT_HEAD = "bucket.audit.head";

  /** Transparency log (on the audit writer's context): the latest signed checkpoint note, as a String. */
  public static final String LOG_CHECKPOINT = "bucket.log.checkpoint";

  private Addresses() {
  }
}
