package dev.bucket.limit;

/**
 * Requests of one product and kind rejected during one second: the gateway appends one audit entry per summary,
 * never one per rejection.
 *
 * @param product the product, or {@link FairLimiter#OTHER} for products beyond the bounded tables
 * @param secondEpoch the second (Unix epoch seconds) in which they were rejected
 * @param count how many, ≥ 1
 */
public record ShedSummary(String product, Kind kind, long secondEpoch, long count) {
}
