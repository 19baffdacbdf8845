package dev.bucket.audit;

/** Reply to {@link AuditAppend}: the entry's index in the log and its chained hash. */
public record AuditReceipt(long index, String entryHash) {
}
