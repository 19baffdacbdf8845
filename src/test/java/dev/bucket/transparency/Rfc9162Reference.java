package dev.bucket.transparency;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 9162 §2.1 transcribed literally, as an oracle independent of the production code: MTH (§2.1.1), PATH
 * (§2.1.3.1) and PROOF/SUBPROOF (§2.1.4.1), recursing over the list of leaf inputs D. MTH values of sub-ranges are
 * memoized only so that exhaustive tests stay fast; they do not depend on the tree size.
 */
final class Rfc9162Reference {

  private final List<byte[]> inputs;
  private final Map<Long, byte[]> mthCache = new HashMap<>();

  Rfc9162Reference(List<byte[]> inputs) {
    this.inputs = inputs;
  }

  /** MTH(D[from:to]). */
  byte[] mth(int from, int to) {
    // Not computeIfAbsent: the computation recurses into the same map.
    long key = ((long) from << 32) | to;
    byte[] cached = mthCache.get(key);
    if (cached == null) {
      cached = computeMth(from, to);
      mthCache.put(key, cached);
    }
    return cached;
  }

  private byte[] computeMth(int from, int to) {
    int n = to - from;
    if (n == 0) {
      return sha256();
    }
    if (n == 1) {
      return sha256(new byte[] {0x00}, inputs.get(from));
    }
    int k = largestPowerOfTwoBelow(n);
    return sha256(new byte[] {0x01}, mth(from, from + k), mth(from + k, to));
  }

  /** PATH(m, D[0:n]). */
  List<byte[]> path(int m, int n) {
    return path(m, 0, n);
  }

  private List<byte[]> path(int m, int from, int to) {
    int n = to - from;
    List<byte[]> out = new ArrayList<>();
    if (n == 1) {
      return out;
    }
    int k = largestPowerOfTwoBelow(n);
    if (m < k) {
      out.addAll(path(m, from, from + k));
      out.add(mth(from + k, to));
    } else {
      out.addAll(path(m - k, from + k, to));
      out.add(mth(from, from + k));
    }
    return out;
  }

  /** PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true). */
  List<byte[]> proof(int m, int n) {
    return subproof(m, 0, n, true);
  }

  private List<byte[]> subproof(int m, int from, int to, boolean b) {
    int n = to - from;
    List<byte[]> out = new ArrayList<>();
    if (m == n) {
      if (!b) {
        out.add(mth(from, to));
      }
      return out;
    }
    int k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      out.addAll(subproof(m, from, from + k, b));
      out.add(mth(from + k, to));
    } else {
      out.addAll(subproof(m - k, from + k, to, false));
      out.add(mth(from, from + k));
    }
    return out;
  }

  /** "the largest power of two smaller than n" for n > 1. */
  private static int largestPowerOfTwoBelow(int n) {
    int k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return k;
  }

  private static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(part);
      }
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
