package dev.bucket.transparency;

import java.util.ArrayList;
import java.util.List;

/**
 * Appends leaves to a Merkle tree whose complete subtrees are persisted elsewhere. It keeps only the right edge:
 * the hashes of the maximal complete subtrees covering {@code [0, size)} (one per set bit of the size, largest
 * first), which is all that is needed to extend the tree and compute its root. Not thread-safe.
 */
public final class MerkleAppender {

  private long size;
  private final ArrayList<byte[]> edge = new ArrayList<>();

  /** An empty tree. */
  public MerkleAppender() {
  }

  /**
   * Restores the tree of {@code size} leaves from the hashes of the nodes listed by {@link #rightEdge(long)}, in
   * that order.
   */
  public MerkleAppender(long size, List<byte[]> rightEdgeHashes) {
    if (size < 0) {
      throw new IllegalArgumentException("tree size must not be negative: " + size);
    }
    if (rightEdgeHashes.size() != Long.bitCount(size)) {
      throw new IllegalArgumentException("a tree of size " + size + " has " + Long.bitCount(size)
          + " right-edge nodes, got " + rightEdgeHashes.size());
    }
    for (byte[] hash : rightEdgeHashes) {
      if (hash == null || hash.length != MerkleHash.SIZE) {
        throw new IllegalArgumentException("right-edge hashes must be " + MerkleHash.SIZE + " bytes");
      }
      edge.add(hash.clone());
    }
    this.size = size;
  }

  /**
   * The complete subtrees whose hashes make up the right edge of a tree of {@code size} leaves, largest (leftmost)
   * first: the binary decomposition of the size.
   */
  public static List<Node.Id> rightEdge(long size) {
    if (size < 0) {
      throw new IllegalArgumentException("tree size must not be negative: " + size);
    }
    return MerkleProofs.completeSubtrees(0, size);
  }

  /**
   * Appends the leaf with hash {@code leafHash} (see {@link MerkleHash#leafHash}) and returns every subtree this
   * completes, bottom up: the leaf itself at level 0, then each parent whose right child it closes. The caller
   * persists them; they are exactly the nodes proofs will ask for.
   */
  public List<Node> append(byte[] leafHash) {
    if (leafHash == null || leafHash.length != MerkleHash.SIZE) {
      throw new IllegalArgumentException("leaf hash must be " + MerkleHash.SIZE + " bytes");
    }
    if (size == Long.MAX_VALUE) {
      throw new IllegalStateException("tree is full");
    }
    List<Node> completed = new ArrayList<>();
    byte[] hash = leafHash.clone();
    int level = 0;
    completed.add(new Node(0, size, hash));
    // Each trailing one bit of the old size is a complete subtree of the same height waiting for a right sibling.
    for (long bits = size; (bits & 1) == 1; bits >>>= 1) {
      hash = MerkleHash.nodeHash(edge.remove(edge.size() - 1), hash);
      level++;
      completed.add(new Node(level, size >>> level, hash));
    }
    edge.add(hash);
    size++;
    return completed;
  }

  /** RFC 9162 MTH of the current tree. */
  public byte[] root() {
    return size == 0 ? MerkleHash.emptyRoot() : MerkleHash.foldRight(edge);
  }

  public long size() {
    return size;
  }
}
