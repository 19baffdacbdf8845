package dev.bucket.transparency;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 §2.1.3 inclusion and §2.1.4 consistency proofs, generated from stored complete subtrees and verified
 * exactly as the RFC's algorithms prescribe.
 *
 * <p>A proof is a list of MTH values of subtrees, bottom up. Most are complete subtrees, read as one stored node;
 * at most one per proof lies on the tree's right edge and is incomplete, and its MTH is folded from the complete
 * subtrees that cover it. Either way a proof reads O(log n) nodes, all named up front by {@link #inclusionNodes} or
 * {@link #consistencyNodes} so the caller can fetch them in one batch.
 *
 * <p>Verification comes in two forms: {@code check*} throws {@link ProofVerificationException} naming the failing
 * step, {@code verify*} returns false instead.
 */
public final class MerkleProofs {

  private MerkleProofs() {
  }

  /** The stored nodes {@link #inclusionProof} reads, in the order it reads them. Requires {@code 0 <= index < size}. */
  public static List<Node.Id> inclusionNodes(long index, long size) {
    return flatten(inclusionPlan(index, size));
  }

  /** RFC 9162 §2.1.3.1 PATH(index, D[size]): the audit path of leaf {@code index}, bottom up. */
  public static List<byte[]> inclusionProof(long index, long size, NodeSource source) {
    return resolve(inclusionPlan(index, size), source);
  }

  /** The stored nodes {@link #consistencyProof} reads, in order. Requires {@code 0 < first < second}. */
  public static List<Node.Id> consistencyNodes(long first, long second) {
    return flatten(consistencyPlan(first, second));
  }

  /**
   * RFC 9162 §2.1.4.1 PROOF(first, D[second]), defined for {@code 0 < first < second}: trees of equal size are
   * consistent exactly when their roots are equal, and every tree extends the empty one, so neither needs a proof.
   */
  public static List<byte[]> consistencyProof(long first, long second, NodeSource source) {
    return resolve(consistencyPlan(first, second), source);
  }

  /** MTH of the tree of {@code size} leaves, read from the nodes {@link MerkleAppender#rightEdge} names. */
  public static byte[] rootHash(long size, NodeSource source) {
    List<Node.Id> edge = MerkleAppender.rightEdge(size);
    return edge.isEmpty() ? MerkleHash.emptyRoot() : fold(edge, source);
  }

  /** RFC 9162 §2.1.3.2; false where {@link #checkInclusion} would throw. */
  public static boolean verifyInclusion(byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root) {
    try {
      checkInclusion(leafHash, index, size, proof, root);
      return true;
    } catch (ProofVerificationException e) {
      return false;
    }
  }

  /** RFC 9162 §2.1.4.2; false where {@link #checkConsistency} would throw. */
  public static boolean verifyConsistency(long first, long second, List<byte[]> proof, byte[] firstRoot,
      byte[] secondRoot) {
    try {
      checkConsistency(first, second, proof, firstRoot, secondRoot);
      return true;
    } catch (ProofVerificationException e) {
      return false;
    }
  }

  /**
   * Verifies that {@code leafHash} is leaf {@code index} of the tree of {@code size} leaves with root {@code root},
   * following RFC 9162 §2.1.3.2 step by step.
   *
   * @throws ProofVerificationException naming the failing step
   */
  public static void checkInclusion(byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root) {
    requireHash("leaf hash", leafHash);
    requireHash("root hash", root);
    requireHashes(proof);
    if (index < 0) {
      throw new ProofVerificationException("leaf index is negative: " + index);
    }
    // Step 1.
    if (index >= size) {
      throw new ProofVerificationException(
          "step 1: leaf index " + index + " is not less than tree size " + size);
    }
    // Steps 2 and 3.
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    // Step 4.
    for (int i = 0; i < proof.size(); i++) {
      byte[] p = proof.get(i);
      if (sn == 0) {
        throw new ProofVerificationException("step 4a: inclusion path has " + proof.size()
            + " elements, more than a tree of size " + size + " needs for leaf " + index);
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHash.nodeHash(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        r = MerkleHash.nodeHash(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    // Step 5.
    if (sn != 0) {
      throw new ProofVerificationException("step 5: inclusion path has " + proof.size()
          + " elements, fewer than a tree of size " + size + " needs for leaf " + index);
    }
    if (!MessageDigest.isEqual(r, root)) {
      throw new ProofVerificationException("step 5: the root computed for leaf " + index + " in a tree of size "
          + size + " does not match the given root");
    }
  }

  /**
   * Verifies that the tree of {@code second} leaves with root {@code secondRoot} extends the tree of {@code first}
   * leaves with root {@code firstRoot}, following RFC 9162 §2.1.4.2 step by step. The algorithm is defined for
   * {@code 0 < first < second}; other sizes fail (compare roots directly for equal sizes).
   *
   * @throws ProofVerificationException naming the failing step
   */
  public static void checkConsistency(long first, long second, List<byte[]> proof, byte[] firstRoot,
      byte[] secondRoot) {
    requireHash("first root hash", firstRoot);
    requireHash("second root hash", secondRoot);
    requireHashes(proof);
    if (first <= 0 || first >= second) {
      throw new ProofVerificationException("consistency proofs require 0 < first < second, got first " + first
          + " and second " + second);
    }
    // Step 1.
    if (proof.isEmpty()) {
      throw new ProofVerificationException("step 1: consistency path is empty");
    }
    // Step 2.
    List<byte[]> path = proof;
    if ((first & (first - 1)) == 0) {
      path = new ArrayList<>(proof.size() + 1);
      path.add(firstRoot);
      path.addAll(proof);
    }
    // Step 3.
    long fn = first - 1;
    long sn = second - 1;
    // Step 4.
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    // Step 5.
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    // Step 6.
    for (int i = 1; i < path.size(); i++) {
      byte[] c = path.get(i);
      if (sn == 0) {
        throw new ProofVerificationException("step 6a: consistency path has " + proof.size()
            + " elements, more than sizes " + first + " and " + second + " need");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHash.nodeHash(c, fr);
        sr = MerkleHash.nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = MerkleHash.nodeHash(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    // Step 7.
    if (sn != 0) {
      throw new ProofVerificationException("step 7: consistency path has " + proof.size()
          + " elements, fewer than sizes " + first + " and " + second + " need");
    }
    if (!MessageDigest.isEqual(fr, firstRoot)) {
      throw new ProofVerificationException("step 7: the root computed for size " + first
          + " does not match the first root");
    }
    if (!MessageDigest.isEqual(sr, secondRoot)) {
      throw new ProofVerificationException("step 7: the root computed for size " + second
          + " does not match the second root");
    }
  }

  /**
   * The complete subtrees covering {@code [start, end)}, left to right, for a {@code start} aligned to a multiple
   * of the largest power of two not above {@code end - start} (true of the tree's left edge and of every subtree
   * position): the binary decomposition of the length.
   */
  static List<Node.Id> completeSubtrees(long start, long end) {
    List<Node.Id> ids = new ArrayList<>();
    long length = end - start;
    long position = start;
    for (int level = 62; level >= 0; level--) {
      if ((length & (1L << level)) != 0) {
        ids.add(new Node.Id(level, position >>> level));
        position += 1L << level;
      }
    }
    return ids;
  }

  // A plan is the proof as a list of elements, each the subtrees whose MTH it is (one id for a complete subtree).

  private static List<List<Node.Id>> inclusionPlan(long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("inclusion proofs require 0 <= index < size, got index " + index
          + " and size " + size);
    }
    List<List<Node.Id>> plan = new ArrayList<>();
    addPath(0, index, size, plan);
    return plan;
  }

  /**
   * SUBPROOF(first, D[second], true) equals the path of the last complete subtree of the first tree's right edge
   * inside the second tree, preceded by that subtree itself unless it is the whole first tree, i.e. unless
   * {@code first} is a power of two (the verifier already holds that root and prepends it in step 2).
   */
  private static List<List<Node.Id>> consistencyPlan(long first, long second) {
    if (first <= 0 || first >= second) {
      throw new IllegalArgumentException("consistency proofs require 0 < first < second, got first " + first
          + " and second " + second);
    }
    int level = Long.numberOfTrailingZeros(first);
    long index = (first - 1) >>> level;
    List<List<Node.Id>> plan = new ArrayList<>();
    if (index != 0) {
      plan.add(List.of(new Node.Id(level, index)));
    }
    addPath(level, index, second, plan);
    return plan;
  }

  /**
   * Appends the bottom-up path from the complete subtree {@code (level, index)} to the root of the tree of
   * {@code size} leaves. Below the level where the subtree and the last leaf part ways every sibling is in the
   * tree (the topmost of them, holding the last leaf, possibly incomplete); above it the path gains a left sibling
   * where the subtree is a right child and nothing where it is a left child, as RFC 9162 never pads the tree.
   */
  private static void addPath(int level, long index, long size, List<List<Node.Id>> plan) {
    long last = (size - 1) >>> level;
    int split = 64 - Long.numberOfLeadingZeros(index ^ last);
    for (int up = 0; up < split; up++) {
      int siblingLevel = level + up;
      long sibling = (index >>> up) ^ 1;
      long start = sibling << siblingLevel;
      // Compared by difference so that start + 2^level cannot overflow near the largest sizes.
      long end = size - start <= (1L << siblingLevel) ? size : start + (1L << siblingLevel);
      plan.add(completeSubtrees(start, end));
    }
    for (int up = split; (index >>> up) != 0; up++) {
      if (((index >>> up) & 1) == 1) {
        plan.add(List.of(new Node.Id(level + up, (index >>> up) - 1)));
      }
    }
  }

  private static List<Node.Id> flatten(List<List<Node.Id>> plan) {
    List<Node.Id> ids = new ArrayList<>();
    plan.forEach(ids::addAll);
    return ids;
  }

  private static List<byte[]> resolve(List<List<Node.Id>> plan, NodeSource source) {
    List<byte[]> proof = new ArrayList<>(plan.size());
    for (List<Node.Id> element : plan) {
      proof.add(fold(element, source));
    }
    return proof;
  }

  private static byte[] fold(List<Node.Id> subtrees, NodeSource source) {
    List<byte[]> hashes = new ArrayList<>(subtrees.size());
    for (Node.Id id : subtrees) {
      byte[] hash = source.hash(id.level(), id.index());
      if (hash == null || hash.length != MerkleHash.SIZE) {
        throw new IllegalStateException("node source has no valid hash for level " + id.level() + " index "
            + id.index());
      }
      hashes.add(hash);
    }
    return MerkleHash.foldRight(hashes);
  }

  private static void requireHash(String what, byte[] hash) {
    if (hash == null || hash.length != MerkleHash.SIZE) {
      throw new ProofVerificationException(what + " must be " + MerkleHash.SIZE + " bytes");
    }
  }

  private static void requireHashes(List<byte[]> proof) {
    for (int i = 0; i < proof.size(); i++) {
      if (proof.get(i) == null || proof.get(i).length != MerkleHash.SIZE) {
        throw new ProofVerificationException("proof element " + i + " is not a " + MerkleHash.SIZE + "-byte hash");
      }
    }
  }
}
