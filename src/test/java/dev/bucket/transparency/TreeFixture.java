package dev.bucket.transparency;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** A log of generated entries built with the production appender, with every emitted node stored by id. */
final class TreeFixture {

  static final HexFormat HEX = HexFormat.of();

  /** Leaf inputs of transparency-dev/merkle testonly/constants.go LeafInputs(), the CT test vectors. */
  static final List<byte[]> CT_LEAF_INPUTS = List.of(HEX.parseHex(""), HEX.parseHex("00"), HEX.parseHex("10"),
      HEX.parseHex("2021"), HEX.parseHex("3031"), HEX.parseHex("40414243"), HEX.parseHex("5051525354555657"),
      HEX.parseHex("606162636465666768696a6b6c6d6e6f"));

  final List<byte[]> inputs;
  final Map<Node.Id, byte[]> nodes = new HashMap<>();
  /** roots.get(n) is the appender's root after n appends. */
  final List<byte[]> roots = new ArrayList<>();
  final Rfc9162Reference reference;

  TreeFixture(List<byte[]> inputs) {
    this.inputs = inputs;
    this.reference = new Rfc9162Reference(inputs);
    MerkleAppender appender = new MerkleAppender();
    roots.add(appender.root());
    for (byte[] input : inputs) {
      for (Node node : appender.append(MerkleHash.leafHash(input))) {
        nodes.put(node.id(), node.hash());
      }
      roots.add(appender.root());
    }
  }

  static TreeFixture ofSize(int size) {
    List<byte[]> inputs = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      inputs.add(("{\"index\":" + i + ",\"op\":\"artifact.create\"}").getBytes(StandardCharsets.UTF_8));
    }
    return new TreeFixture(inputs);
  }

  NodeSource source() {
    return (level, index) -> nodes.get(new Node.Id(level, index));
  }

  byte[] leafHash(int index) {
    return MerkleHash.leafHash(inputs.get(index));
  }
}
