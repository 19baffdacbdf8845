package dev.bucket.transparency;

import dev.bucket.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Read side of the transparency log for any verticle: the latest signed checkpoint (asked of the audit writer) and
 * proofs computed from {@link TreeStore}. Proofs are only served up to the signed size.
 */
public final class LogReader {

  /** A checkpoint with the exact signed note it came from. */
  public record Signed(String note, Checkpoint checkpoint) {
  }

  /** An inclusion proof with the leaf and root it connects. */
  public record Inclusion(long index, long treeSize, byte[] leafHash, byte[] rootHash, List<byte[]> hashes) {
  }

  /** A consistency proof with the two roots it connects; empty between a tree and itself (RFC 9162). */
  public record Consistency(long first, long second, byte[] firstRoot, byte[] secondRoot, List<byte[]> hashes) {
  }

  private final Vertx vertx;
  private final TreeStore tree;
  private final NoteVerifier verifier;
  private final DeliveryOptions delivery;

  public LogReader(Vertx vertx, TreeStore tree, NoteVerifier verifier, long timeoutMs) {
    this.vertx = vertx;
    this.tree = tree;
    this.verifier = verifier;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  public NoteVerifier verifier() {
    return verifier;
  }

  public Future<Signed> latest() {
    return vertx.eventBus().<String>request(Addresses.LOG_CHECKPOINT, null, delivery).map(Message::body)
        .map(note -> new Signed(note, Checkpoint.parse(NoteVerifier.open(note, verifier).text())));
  }

  /** Requires {@code 0 <= index < treeSize}; the caller checks {@code treeSize} against a signed size. */
  public Future<Inclusion> inclusion(long index, long treeSize) {
    List<Node.Id> ids = new ArrayList<>(MerkleProofs.inclusionNodes(index, treeSize));
    ids.add(new Node.Id(0, index));
    ids.addAll(MerkleAppender.rightEdge(treeSize));
    return tree.resolve(ids).map(source -> new Inclusion(index, treeSize, source.hash(0, index),
        MerkleProofs.rootHash(treeSize, source), MerkleProofs.inclusionProof(index, treeSize, source)));
  }

  /** Requires {@code 1 <= first <= second}. */
  public Future<Consistency> consistency(long first, long second) {
    List<Node.Id> ids = new ArrayList<>(first == second ? List.of() : MerkleProofs.consistencyNodes(first, second));
    ids.addAll(MerkleAppender.rightEdge(first));
    ids.addAll(MerkleAppender.rightEdge(second));
    return tree.resolve(ids).map(source -> new Consistency(first, second, MerkleProofs.rootHash(first, source),
        MerkleProofs.rootHash(second, source),
        first == second ? List.of() : MerkleProofs.consistencyProof(first, second, source)));
  }
}
