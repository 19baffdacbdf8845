package dev.bucket.storage;

/**
 * The keyspaces of the store: column families in RocksDB, collections in MongoDB. Every key is a string ordered by
 * its UTF-8 bytes (both engines order that way), so numbers inside keys are zero-padded ({@link Keys}). Index spaces
 * hold derived keys written in the same {@link Batch} as the record they point to, never on their own.
 */
public enum Space {
  /** Artifact versions by {@code product/artifact/version}. */
  ARTIFACTS("artifacts"),
  /** Secondary keys of artifact versions (idempotency, listings, holders, payload references, creation time). */
  ARTIFACT_INDEX("artifact_index"),
  /** Audit entries by index. */
  AUDIT("audit_log"),
  /** Secondary keys of audit entries (commit key, leaf hash, actor, artifact, outcome, product). */
  AUDIT_INDEX("audit_index"),
  /** Stored Merkle tree nodes (complete subtrees, C2SP tiles of height 8). */
  TREE("log_nodes"),
  /** Signed checkpoints by tree size. */
  CHECKPOINTS("log_checkpoints"),
  /** Rule-set versions, schema versions and schema proposals. */
  GOVERNANCE("governance"),
  /** Principals by key hash, and their secondary keys. */
  PRINCIPALS("principals"),
  /** Retention events by artifact version and sequence. */
  RETENTION("retention_events"),
  /** Small payloads kept inline, by payload ref ({@code dev.bucket.payload.InlinePayloads}). */
  PAYLOADS("payloads"),
  /** Counters changed only by {@link Batch#increment}: usage per product. */
  COUNTERS("counters"),
  /** The store's own records (layout version). */
  META("meta");

  private final String storeName;

  Space(String storeName) {
    this.storeName = storeName;
  }

  /** The column family or collection name. */
  public String storeName() {
    return storeName;
  }
}
