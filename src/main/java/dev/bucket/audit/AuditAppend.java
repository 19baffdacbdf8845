package dev.bucket.audit;

/**
 * Request to the audit verticle. With {@code awaitDurable} the reply comes once the entry is durable (writes);
 * otherwise as soon as the entry is accepted into the bounded commit queue (reads, refusals). A full queue is
 * answered with a failure so callers shed load instead of queueing without bound.
 */
public record AuditAppend(AuditRecord record, boolean awaitDurable) {
}
