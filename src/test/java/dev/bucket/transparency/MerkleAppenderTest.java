package dev.bucket.transparency;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.bucket.transparency.TreeFixture.CT_LEAF_INPUTS;
import static dev.bucket.transparency.TreeFixture.HEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MerkleAppenderTest {

  private static final int MAX_SIZE = 300;

  @Test
  void rootEqualsTheReferenceMthAtEverySizeUpTo300() {
    TreeFixture tree = TreeFixture.ofSize(MAX_SIZE);

    for (int size = 0; size <= MAX_SIZE; size++) {
      assertThat(tree.roots.get(size)).as("size %d", size).isEqualTo(tree.reference.mth(0, size));
    }
  }

  @Test
  void rootsMatchTheCertificateTransparencyVectors() {
    // transparency-dev/merkle testonly/constants.go RootHashes().
    String[] expected = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
    TreeFixture tree = new TreeFixture(CT_LEAF_INPUTS);

    for (int size = 0; size < expected.length; size++) {
      assertThat(HEX.formatHex(tree.roots.get(size))).as("size %d", size).isEqualTo(expected[size]);
    }
  }

  @Test
  void appendReturnsExactlyTheSubtreesItCompletesWithTheirReferenceHashes() {
    TreeFixture tree = TreeFixture.ofSize(MAX_SIZE);
    MerkleAppender appender = new MerkleAppender();
    Set<Node.Id> seen = new HashSet<>();

    for (int i = 0; i < MAX_SIZE; i++) {
      List<Node> completed = appender.append(tree.leafHash(i));
      long size = i + 1;

      assertThat(completed.get(0).id()).isEqualTo(new Node.Id(0, i));
      for (int k = 0; k < completed.size(); k++) {
        Node node = completed.get(k);
        assertThat(node.level()).isEqualTo(k);
        long start = node.index() << node.level();
        long end = start + (1L << node.level());
        assertThat(end).as("completed by this append").isEqualTo(size);
        assertThat(node.hash()).isEqualTo(tree.reference.mth((int) start, (int) end));
        assertThat(seen.add(node.id())).as("emitted once: %s", node.id()).isTrue();
      }
    }
    // Every complete subtree of the final tree was emitted, and nothing else.
    Set<Node.Id> complete = new HashSet<>();
    for (int level = 0; (1L << level) <= MAX_SIZE; level++) {
      for (long index = 0; (index + 1) << level <= MAX_SIZE; index++) {
        complete.add(new Node.Id(level, index));
      }
    }
    assertThat(seen).isEqualTo(complete);
  }

  @Test
  void rightEdgeIsTheBinaryDecompositionOfTheSizeLargestFirst() {
    assertThat(MerkleAppender.rightEdge(0)).isEmpty();
    assertThat(MerkleAppender.rightEdge(8)).containsExactly(new Node.Id(3, 0));
    assertThat(MerkleAppender.rightEdge(7))
        .containsExactly(new Node.Id(2, 0), new Node.Id(1, 2), new Node.Id(0, 6));
    assertThat(MerkleAppender.rightEdge(300))
        .containsExactly(new Node.Id(8, 0), new Node.Id(5, 8), new Node.Id(3, 36), new Node.Id(2, 74));
  }

  @Test
  void rightEdgeHashesMatchTheCompactTreeVectors() {
    // transparency-dev/merkle testonly/constants.go CompactTrees(), as indices into NodeHashes().
    TreeFixture tree = new TreeFixture(CT_LEAF_INPUTS);
    assertThat(hashes(tree, MerkleAppender.rightEdge(7))).containsExactly(
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f");
    assertThat(hashes(tree, MerkleAppender.rightEdge(3))).containsExactly(
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7");
  }

  @Test
  void restoringFromStoredRightEdgeNodesContinuesWithIdenticalRootsAndNodes() {
    int finalSize = 200;
    TreeFixture tree = TreeFixture.ofSize(finalSize);

    for (int size = 0; size <= 130; size++) {
      List<byte[]> edge = new ArrayList<>();
      for (Node.Id id : MerkleAppender.rightEdge(size)) {
        edge.add(tree.nodes.get(id));
      }
      MerkleAppender restored = new MerkleAppender(size, edge);

      assertThat(restored.size()).isEqualTo(size);
      assertThat(restored.root()).as("restored at %d", size).isEqualTo(tree.roots.get(size));
      for (int next = size; next < finalSize; next++) {
        for (Node node : restored.append(tree.leafHash(next))) {
          assertThat(node.hash()).isEqualTo(tree.nodes.get(node.id()));
        }
        assertThat(restored.root()).as("restored at %d, grown to %d", size, next + 1)
            .isEqualTo(tree.roots.get(next + 1));
      }
    }
  }

  @Test
  void restoringRejectsAnEdgeOfTheWrongShape() {
    byte[] hash = new byte[32];

    assertThatThrownBy(() -> new MerkleAppender(7, List.of(hash, hash)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 3 right-edge nodes, got 2");
    assertThatThrownBy(() -> new MerkleAppender(1, List.of(new byte[31])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MerkleAppender(-1, List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void appendRejectsAHashOfTheWrongLength() {
    assertThatThrownBy(() -> new MerkleAppender().append(new byte[33]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> hashes(TreeFixture tree, List<Node.Id> ids) {
    return ids.stream().map(id -> HEX.formatHex(tree.nodes.get(id))).toList();
  }
}
