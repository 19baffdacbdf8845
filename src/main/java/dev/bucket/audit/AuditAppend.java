package dev.bucket.audit;

import dev.bucket.storage.Batch;

/**
 * Request to the audit verticle. With {@code awaitDurable} the reply comes once the entry is durable (writes);
 * otherwise as soon as the entry is accepted into the bounded commit queue (reads, refusals). A full queue is
 * answered with a failure so callers shed load instead of queueing without bound. {@code with} holds writes committed
 * atomically with the entry (an artifact version and its payload with its commit entry); only a durable append
 * carries any.
 */
public record AuditAppend(AuditRecord record, boolean awaitDurable, Batch with) {
}
