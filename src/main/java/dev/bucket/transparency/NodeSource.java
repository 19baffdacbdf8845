package dev.bucket.transparency;

/**
 * Hashes of stored complete subtrees, looked up synchronously: callers prefetch the ids named by
 * {@link MerkleProofs#inclusionNodes}, {@link MerkleProofs#consistencyNodes} or {@link MerkleAppender#rightEdge}.
 */
@FunctionalInterface
public interface NodeSource {

  /** The hash of the complete subtree {@code (level, index)}, or null if it is not available. */
  byte[] hash(int level, long index);
}
