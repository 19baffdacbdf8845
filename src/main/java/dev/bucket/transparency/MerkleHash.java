package dev.bucket.transparency;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** RFC 9162 §2.1.1 hashing with SHA-256: domain-separated leaf and interior node hashes. */
public final class MerkleHash {

  /** Length in bytes of every hash in the tree. */
  public static final int SIZE = 32;

  private MerkleHash() {
  }

  /** {@code SHA-256(0x00 || entry)}: the hash of a leaf whose input is {@code entry}. */
  public static byte[] leafHash(byte[] entry) {
    MessageDigest sha256 = sha256();
    sha256.update((byte) 0x00);
    sha256.update(entry);
    return sha256.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}: the hash of an interior node. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest sha256 = sha256();
    sha256.update((byte) 0x01);
    sha256.update(left);
    sha256.update(right);
    return sha256.digest();
  }

  /** {@code SHA-256("")}: the root of the empty tree. */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  /**
   * MTH of a range given as its complete subtrees left to right (largest first): combining them right to left is
   * exactly RFC 9162's recursive split at the largest power of two, because every left part is a complete subtree.
   */
  static byte[] foldRight(List<byte[]> subtrees) {
    byte[] hash = subtrees.get(subtrees.size() - 1);
    for (int i = subtrees.size() - 2; i >= 0; i--) {
      hash = nodeHash(subtrees.get(i), hash);
    }
    return hash;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
