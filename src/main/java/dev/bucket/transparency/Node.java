package dev.bucket.transparency;

/**
 * A complete subtree of the log's Merkle tree: it covers leaves {@code [index * 2^level, (index + 1) * 2^level)},
 * all of which exist. Complete subtrees never change once formed, so they can be stored and reused by every proof.
 * The hash array is shared, not copied: callers must not modify it.
 */
public record Node(int level, long index, byte[] hash) {

  public Node {
    Id.validate(level, index);
    if (hash == null || hash.length != MerkleHash.SIZE) {
      throw new IllegalArgumentException("node hash must be " + MerkleHash.SIZE + " bytes");
    }
  }

  public Id id() {
    return new Id(level, index);
  }

  /** Identifies a complete subtree by position; the key under which its hash is stored. */
  public record Id(int level, long index) {

    public Id {
      validate(level, index);
    }

    static void validate(int level, long index) {
      // Level 63 would cover 2^63 leaves, beyond any long tree size.
      if (level < 0 || level > 62) {
        throw new IllegalArgumentException("node level must be 0..62, got " + level);
      }
      if (index < 0 || index > (Long.MAX_VALUE >>> level)) {
        throw new IllegalArgumentException("node index out of range at level " + level + ": " + index);
      }
    }
  }
}
