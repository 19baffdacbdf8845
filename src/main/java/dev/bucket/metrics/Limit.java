package dev.bucket.metrics;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every scale limit the gateway watches, named by its configuration key: proximity, thresholds and alerts use these
 * names ({@code /governance/scale/proximity/max_writes_per_second}).
 */
public enum Limit {
  /** Writes admitted in the last second against the writes ceiling. */
  MAX_WRITES_PER_SECOND("writes admitted in the last second"),
  /** Reads admitted in the last second against the reads ceiling. */
  MAX_READS_PER_SECOND("reads admitted in the last second"),
  /** Writes in flight against the writer cap. */
  MAX_CONCURRENT_WRITERS("writes in flight"),
  /** Payload bytes stored, all products together. */
  MAX_STORAGE_BYTES("payload bytes stored"),
  /** Artifact versions stored, all products together. */
  MAX_ARTIFACTS("artifact versions stored"),
  /** Artifact versions of the product that holds the most. */
  MAX_ARTIFACTS_PER_PRODUCT("artifact versions of the fullest product"),
  /** Governed products in the rules in force. */
  MAX_PRODUCTS("governed products"),
  /** Audit entries accepted but not yet durable, against the audit queue's capacity. */
  AUDIT_QUEUE_CAPACITY("audit entries waiting to be written");

  private final String measures;

  Limit(String measures) {
    this.measures = measures;
  }

  /** The configuration key, which is also the limit's name in the API. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** What the current value counts, in words. */
  public String measures() {
    return measures;
  }

  public static Optional<Limit> byKey(String key) {
    return Arrays.stream(values()).filter(l -> l.key().equals(key)).findFirst();
  }
}
