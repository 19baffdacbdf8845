package dev.bucket.transparency;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.bucket.transparency.TreeFixture.CT_LEAF_INPUTS;
import static dev.bucket.transparency.TreeFixture.HEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MerkleProofsTest {

  private static final int MAX_SIZE = 300;
  /** Up to this second size every consistency pair also gets the full set of tampering probes. */
  private static final int ALL_PROBES_SIZE = 64;

  private static final byte[] SOME_HASH =
      HEX.parseHex("abacaba000000000000000000000000000000000000000000060061e00123456");
  private static final byte[] EMPTY_HASH = MerkleHash.emptyRoot();

  private static final TreeFixture TREE = TreeFixture.ofSize(MAX_SIZE);

  @Test
  void inclusionProofsEqualTheReferencePathAndVerifyForEveryIndexOfEverySizeUpTo300() {
    for (int size = 1; size <= MAX_SIZE; size++) {
      byte[] root = TREE.roots.get(size);
      for (int index = 0; index < size; index++) {
        List<byte[]> proof = MerkleProofs.inclusionProof(index, size, strictSource(
            MerkleProofs.inclusionNodes(index, size)));

        assertThat(proof).as("PATH(%d, D[%d])", index, size).containsExactlyElementsOf(
            TREE.reference.path(index, size));
        MerkleProofs.checkInclusion(TREE.leafHash(index), index, size, proof, root);
      }
    }
  }

  @Test
  void tamperedInclusionProofsIndexesSizesLeavesAndRootsFailForEveryIndexOfEverySizeUpTo300() {
    for (int size = 1; size <= MAX_SIZE; size++) {
      for (int index = 0; index < size; index++) {
        List<byte[]> proof = TREE.reference.path(index, size);
        assertNoInclusionProbeVerifies(index, size, proof, TREE.roots.get(size), TREE.leafHash(index));
      }
    }
  }

  @Test
  void consistencyProofsEqualTheReferenceProofAndVerifyForEveryPairUpTo300() {
    for (int second = 2; second <= MAX_SIZE; second++) {
      for (int first = 1; first < second; first++) {
        List<byte[]> proof = MerkleProofs.consistencyProof(first, second, strictSource(
            MerkleProofs.consistencyNodes(first, second)));

        assertThat(proof).as("PROOF(%d, D[%d])", first, second).containsExactlyElementsOf(
            TREE.reference.proof(first, second));
        MerkleProofs.checkConsistency(first, second, proof, TREE.roots.get(first), TREE.roots.get(second));
      }
    }
  }

  @Test
  void tamperedConsistencyProofsSizesAndRootsFail() {
    for (int second = 2; second <= MAX_SIZE; second++) {
      // Every pair while small, then a spread of first sizes (both ends, powers of two, odd sizes) for every second.
      for (int first = 1; first < second; first++) {
        boolean sampled = second <= ALL_PROBES_SIZE || first <= 3 || first >= second - 3
            || Integer.bitCount(first) == 1 || first % 17 == 0;
        if (sampled) {
          assertNoConsistencyProbeVerifies(first, second, TREE.reference.proof(first, second),
              TREE.roots.get(first), TREE.roots.get(second));
        }
      }
    }
  }

  @Test
  void proofsMatchThePublishedCertificateTransparencyVectorsByteForByte() {
    // transparency-dev/merkle proof/verify_test.go inclusionProofs and consistencyProofs (leaf numbers there are
    // 1-based) over the leaves of testonly/constants.go.
    TreeFixture ct = new TreeFixture(CT_LEAF_INPUTS);
    NodeSource source = ct.source();

    assertThat(hex(MerkleProofs.inclusionProof(0, 8, source))).containsExactly(
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    assertThat(hex(MerkleProofs.inclusionProof(5, 8, source))).containsExactly(
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    assertThat(hex(MerkleProofs.inclusionProof(2, 3, source))).containsExactly(
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
    assertThat(hex(MerkleProofs.inclusionProof(1, 5, source))).containsExactly(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");

    assertThat(hex(MerkleProofs.consistencyProof(1, 8, source))).containsExactly(
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    assertThat(hex(MerkleProofs.consistencyProof(6, 8, source))).containsExactly(
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    assertThat(hex(MerkleProofs.consistencyProof(2, 5, source))).containsExactly(
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    assertThat(hex(MerkleProofs.consistencyProof(6, 7, source))).containsExactly(
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
  }

  @Test
  void proofsReadOnlyTheNodesTheyListAndAtMostTwicePerLevel() {
    for (long size : new long[] {1, 2, 3, 7, 8, 255, 256, 257, 300, (1L << 40) + 12345, Long.MAX_VALUE}) {
      int levels = 64 - Long.numberOfLeadingZeros(size - 1);
      for (long index : new long[] {0, size / 3, size / 2, size - 2, size - 1}) {
        if (index >= 0) {
          assertThat(MerkleProofs.inclusionNodes(index, size)).as("index %d size %d", index, size)
              .hasSizeLessThanOrEqualTo(2 * Math.max(levels, 1)).doesNotHaveDuplicates()
              .allMatch(id -> (id.index() + 1) << id.level() <= size || id.level() == 62, "complete");
        }
      }
      for (long first : new long[] {1, size / 3, size / 2, size - 1}) {
        if (first > 0 && first < size) {
          assertThat(MerkleProofs.consistencyNodes(first, size)).as("first %d second %d", first, size)
              .hasSizeLessThanOrEqualTo(2 * levels + 1).doesNotHaveDuplicates();
        }
      }
    }
    // strictSource in the exhaustive tests fails on any id not listed; here each listed id is read exactly once.
    List<Node.Id> listed = MerkleProofs.consistencyNodes(100, 300);
    List<Node.Id> read = new ArrayList<>();
    MerkleProofs.consistencyProof(100, 300, (level, index) -> {
      read.add(new Node.Id(level, index));
      return TREE.nodes.get(new Node.Id(level, index));
    });
    assertThat(read).isEqualTo(listed);
  }

  @Test
  void inclusionNodesOfAnIncompleteSiblingAreTheCompleteSubtreesCoveringIt() {
    // Leaf 4 of 7: sibling leaf 5, then MTH(D[6:7]) = leaf 6, then the complete left half [0, 4).
    assertThat(MerkleProofs.inclusionNodes(4, 7))
        .containsExactly(new Node.Id(0, 5), new Node.Id(0, 6), new Node.Id(2, 0));
    // Leaf 0 of 7: its right sibling at level 2 covers [4, 7), made of [4, 6) and [6, 7).
    assertThat(MerkleProofs.inclusionNodes(0, 7))
        .containsExactly(new Node.Id(0, 1), new Node.Id(1, 1), new Node.Id(1, 2), new Node.Id(0, 6));
  }

  @Test
  void rootHashFromStoredNodesEqualsTheAppenderRoot() {
    for (int size = 0; size <= MAX_SIZE; size++) {
      assertThat(MerkleProofs.rootHash(size, strictSource(MerkleAppender.rightEdge(size))))
          .isEqualTo(TREE.roots.get(size));
    }
  }

  @Test
  void generationRejectsSizesOutsideTheRfcDomain() {
    NodeSource source = TREE.source();

    assertThatThrownBy(() -> MerkleProofs.inclusionProof(5, 5, source)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleProofs.inclusionNodes(-1, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleProofs.consistencyProof(0, 5, source))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleProofs.consistencyNodes(5, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleProofs.inclusionProof(0, 2, (level, index) -> null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("level 0 index 1");
  }

  @Test
  void failedChecksNameTheRfcStep() {
    byte[] root = TREE.roots.get(7);
    List<byte[]> inclusion = TREE.reference.path(4, 7);
    List<byte[]> consistency = TREE.reference.proof(3, 7);

    assertThatThrownBy(() -> MerkleProofs.checkInclusion(TREE.leafHash(4), 7, 7, inclusion, root))
        .isInstanceOf(ProofVerificationException.class).hasMessageStartingWith("step 1:");
    assertThatThrownBy(() -> MerkleProofs.checkInclusion(TREE.leafHash(4), 4, 7, extend(inclusion, root), root))
        .hasMessageStartingWith("step 4a:");
    assertThatThrownBy(() -> MerkleProofs.checkInclusion(TREE.leafHash(4), 4, 7, inclusion.subList(0, 2), root))
        .hasMessageStartingWith("step 5:").hasMessageContaining("fewer");
    assertThatThrownBy(() -> MerkleProofs.checkInclusion(TREE.leafHash(3), 4, 7, inclusion, root))
        .hasMessageStartingWith("step 5:").hasMessageContaining("does not match");

    assertThatThrownBy(() -> MerkleProofs.checkConsistency(3, 7, List.of(), TREE.roots.get(3), root))
        .hasMessageStartingWith("step 1:");
    assertThatThrownBy(() -> MerkleProofs.checkConsistency(3, 7, consistency, TREE.roots.get(4), root))
        .hasMessageStartingWith("step 7:").hasMessageContaining("first root");
    assertThatThrownBy(() -> MerkleProofs.checkConsistency(3, 7, consistency, TREE.roots.get(3), TREE.roots.get(6)))
        .hasMessageStartingWith("step 7:").hasMessageContaining("second root");
    assertThatThrownBy(() -> MerkleProofs.checkConsistency(7, 7, List.of(), root, root))
        .hasMessageContaining("0 < first < second");
    assertThatThrownBy(() -> MerkleProofs.checkInclusion(TREE.leafHash(4), 4, 7, List.of(new byte[3]), root))
        .hasMessageContaining("proof element 0");
  }

  @Test
  void singleLeafTreeProvesInclusionWithAnEmptyPath() {
    byte[] hash = MerkleHash.leafHash("data".getBytes(StandardCharsets.UTF_8));

    assertThat(MerkleProofs.inclusionProof(0, 1, (level, index) -> hash)).isEmpty();
    assertThat(MerkleProofs.verifyInclusion(hash, 0, 1, List.of(), hash)).isTrue();
    assertThat(MerkleProofs.verifyInclusion(hash, 0, 1, List.of(), EMPTY_HASH)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(hash, 0, 1, List.of(), new byte[0])).isFalse();
    assertThat(MerkleProofs.verifyInclusion(hash, 0, 0, List.of(), hash)).isFalse();
  }

  /** Port of transparency-dev/merkle proof/verify_test.go corruptInclusionProof. */
  private static void assertNoInclusionProbeVerifies(long index, long size, List<byte[]> proof, byte[] root,
      byte[] leaf) {
    List<Object[]> probes = new ArrayList<>();
    probes.add(new Object[] {index - 1, size, root, leaf, proof, "index - 1"});
    probes.add(new Object[] {index + 1, size, root, leaf, proof, "index + 1"});
    probes.add(new Object[] {index ^ 2, size, root, leaf, proof, "index ^ 2"});
    probes.add(new Object[] {index, size * 2, root, leaf, proof, "size * 2"});
    probes.add(new Object[] {index, size / 2, root, leaf, proof, "size / 2"});
    probes.add(new Object[] {index, size, root, "WrongLeaf".getBytes(StandardCharsets.UTF_8), proof, "wrong leaf"});
    probes.add(new Object[] {index, size, root, MerkleHash.leafHash(new byte[] {1}), proof, "other leaf"});
    probes.add(new Object[] {index, size, EMPTY_HASH, leaf, proof, "empty root"});
    probes.add(new Object[] {index, size, SOME_HASH, leaf, proof, "random root"});
    probes.add(new Object[] {index, size, root, leaf, extend(proof, new byte[0]), "trailing garbage"});
    probes.add(new Object[] {index, size, root, leaf, extend(proof, root), "trailing root"});
    probes.add(new Object[] {index, size, root, leaf, prepend(proof, new byte[0]), "preceding garbage"});
    probes.add(new Object[] {index, size, root, leaf, prepend(proof, root), "preceding root"});
    for (int i = 0; i < proof.size(); i++) {
      probes.add(new Object[] {index, size, root, leaf, flipBit(proof, i, 8), "modified proof[" + i + "]"});
    }
    if (!proof.isEmpty()) {
      probes.add(new Object[] {index, size, root, leaf, proof.subList(0, proof.size() - 1), "removed component"});
    }
    if (proof.size() > 1) {
      List<byte[]> inserted = new ArrayList<>(proof);
      inserted.add(1, SOME_HASH);
      probes.add(new Object[] {index, size, root, leaf, inserted, "inserted component"});
    }
    for (Object[] p : probes) {
      @SuppressWarnings("unchecked")
      List<byte[]> probeProof = (List<byte[]>) p[4];
      assertThat(MerkleProofs.verifyInclusion((byte[]) p[3], (long) p[0], (long) p[1], probeProof, (byte[]) p[2]))
          .as("inclusion of %d in %d with %s", index, size, p[5]).isFalse();
    }
  }

  /** Port of transparency-dev/merkle proof/verify_test.go corruptConsistencyProof. */
  private static void assertNoConsistencyProbeVerifies(long first, long second, List<byte[]> proof, byte[] root1,
      byte[] root2) {
    byte[] wrongRoot = "WrongRoot".getBytes(StandardCharsets.UTF_8);
    List<Object[]> probes = new ArrayList<>();
    probes.add(new Object[] {first - 1, second, root1, root2, proof, "first - 1"});
    probes.add(new Object[] {first + 1, second, root1, root2, proof, "first + 1"});
    probes.add(new Object[] {first ^ 2, second, root1, root2, proof, "first ^ 2"});
    probes.add(new Object[] {first, second * 2, root1, root2, proof, "second * 2"});
    probes.add(new Object[] {first, second / 2, root1, root2, proof, "second / 2"});
    probes.add(new Object[] {first, second, wrongRoot, root2, proof, "wrong root1"});
    probes.add(new Object[] {first, second, root1, wrongRoot, proof, "wrong root2"});
    probes.add(new Object[] {first, second, SOME_HASH, root2, proof, "random root1"});
    probes.add(new Object[] {first, second, root1, SOME_HASH, proof, "random root2"});
    probes.add(new Object[] {first, second, root2, root1, proof, "swapped roots"});
    probes.add(new Object[] {first, second, root1, root2, List.of(), "empty proof"});
    probes.add(new Object[] {first, second, root1, root2, extend(proof, new byte[0]), "trailing garbage"});
    probes.add(new Object[] {first, second, root1, root2, extend(proof, root1), "trailing root1"});
    probes.add(new Object[] {first, second, root1, root2, extend(proof, root2), "trailing root2"});
    probes.add(new Object[] {first, second, root1, root2, prepend(proof, new byte[0]), "preceding garbage"});
    probes.add(new Object[] {first, second, root1, root2, prepend(proof, root1), "preceding root1"});
    probes.add(new Object[] {first, second, root1, root2, prepend(proof, root2), "preceding root2"});
    probes.add(new Object[] {first, second, root1, root2, prepend(proof, proof.get(0)), "preceding proof[0]"});
    probes.add(new Object[] {first, second, root1, root2, proof.subList(0, proof.size() - 1), "truncated proof"});
    for (int i = 0; i < proof.size(); i++) {
      probes.add(new Object[] {first, second, root1, root2, flipBit(proof, i, 16), "modified proof[" + i + "]"});
    }
    for (Object[] p : probes) {
      @SuppressWarnings("unchecked")
      List<byte[]> probeProof = (List<byte[]>) p[4];
      assertThat(MerkleProofs.verifyConsistency((long) p[0], (long) p[1], probeProof, (byte[]) p[2], (byte[]) p[3]))
          .as("consistency of %d and %d with %s", first, second, p[5]).isFalse();
    }
  }

  /** A source that serves stored nodes, failing the test on any node the proof did not list in advance. */
  private static NodeSource strictSource(List<Node.Id> listed) {
    Set<Node.Id> allowed = new HashSet<>(listed);
    return (level, index) -> {
      Node.Id id = new Node.Id(level, index);
      assertThat(allowed).as("listed node ids").contains(id);
      return TREE.nodes.get(id);
    };
  }

  private static List<byte[]> extend(List<byte[]> proof, byte[] hash) {
    List<byte[]> out = new ArrayList<>(proof);
    out.add(hash);
    return out;
  }

  private static List<byte[]> prepend(List<byte[]> proof, byte[] hash) {
    List<byte[]> out = new ArrayList<>();
    out.add(hash);
    out.addAll(proof);
    return out;
  }

  private static List<byte[]> flipBit(List<byte[]> proof, int element, int mask) {
    List<byte[]> out = new ArrayList<>(proof);
    byte[] flipped = out.get(element).clone();
    flipped[0] ^= (byte) mask;
    out.set(element, flipped);
    return out;
  }

  private static List<String> hex(List<byte[]> hashes) {
    return hashes.stream().map(HEX::formatHex).toList();
  }
}
