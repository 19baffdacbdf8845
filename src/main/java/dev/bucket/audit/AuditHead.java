package dev.bucket.audit;

/** The last durable entry: {@code size} entries exist, the last has index {@code size - 1} and hash {@code hash}. */
public record AuditHead(long size, String hash) {
}
