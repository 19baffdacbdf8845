package dev.bucket.transparency;

import dev.bucket.audit.AuditHead;
import dev.bucket.audit.DurableFollower;
import dev.bucket.bus.Addresses;
import dev.bucket.storage.Batch;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log as an RFC 9162 Merkle tree with signed checkpoints. It follows the audit writer on the writer's own
 * context: each durable batch's entries are appended as leaves (nodes that complete are saved by {@link TreeStore}),
 * and {@link #publish()}, called at least once a second, signs a C2SP checkpoint for the durable size whenever the
 * tree has grown. Only durable entries ever enter the tree, so a checkpoint never covers an entry a crash could lose.
 * Signed notes are kept in {@link Space#CHECKPOINTS} as {@code {note}} under {@link Keys#num}(tree size).
 */
public final class TransparencyLog implements DurableFollower {

  /** Well inside the promise that an entry is under a signed checkpoint within a second of its acknowledgement. */
  static final long PUBLISH_INTERVAL_MS = 250;
  private static final Logger LOG = LoggerFactory.getLogger(TransparencyLog.class);

  private final Store store;
  private final TreeStore tree;
  private final NoteSigner signer;
  private final String origin;
  private Vertx vertx;
  private MerkleAppender appender;
  private long resyncing = -1;
  private String signedNote;
  private long signedSize = -1;
  private boolean publishing;

  public TransparencyLog(Store store, TreeStore tree, NoteSigner signer, String origin) {
    this.store = store;
    this.tree = tree;
    this.signer = signer;
    this.origin = origin;
  }

  /**
   * Restores the tree for the log's durable size from stored nodes (recomputing missing ones), signs it, then keeps
   * publishing and answers {@link Addresses#LOG_CHECKPOINT} with the latest signed note.
   */
  @Override
  public Future<Void> start(Vertx vertx, long durableSize) {
    this.vertx = vertx;
    return restore(durableSize).compose(v -> publish()).compose(v -> {
      vertx.setPeriodic(PUBLISH_INTERVAL_MS, timer -> publish()
          .onFailure(e -> LOG.warn("checkpoint not published: {}", e.toString())));
      return vertx.eventBus().<Void>consumer(Addresses.LOG_CHECKPOINT, message -> message.reply(signedNote))
          .completion();
    });
  }

  private Future<Void> restore(long size) {
    List<Node.Id> edge = MerkleAppender.rightEdge(size);
    return tree.resolve(edge).map(source -> {
      List<byte[]> hashes = new ArrayList<>();
      edge.forEach(id -> hashes.add(source.hash(id.level(), id.index())));
      appender = new MerkleAppender(size, hashes);
      return null;
    });
  }

  /**
   * Entries that just became durable, and the durable head after them. A head that does not continue the tree (a
   * batch failed after part of it was written) makes the tree restore itself from the store at that head.
   */
  @Override
  public void durable(AuditHead head, List<byte[]> leafHashes) {
    if (resyncing >= 0) {
      return; // the restore under way reads the store, which already holds these entries
    }
    if (appender.size() + leafHashes.size() != head.size()) {
      resync(head.size());
      return;
    }
    List<Node> completed = new ArrayList<>();
    for (byte[] leafHash : leafHashes) {
      completed.addAll(appender.append(leafHash));
    }
    tree.save(completed).onFailure(e -> LOG.warn("tree nodes not saved (they are recomputed on demand): {}",
        e.toString()));
  }

  private void resync(long size) {
    resyncing = size;
    restore(size).onComplete(done -> {
      resyncing = -1;
      if (done.failed()) {
        LOG.error("cannot restore the Merkle tree at size {}", size, done.cause());
      }
    });
  }

  /** Signs and stores a checkpoint when the tree has grown since the last one. */
  public Future<Void> publish() {
    if (publishing || resyncing >= 0 || appender.size() == signedSize) {
      return Future.succeededFuture();
    }
    publishing = true;
    long size = appender.size();
    String body = new Checkpoint(origin, size, appender.root()).body();
    // Ed25519 in the JDK takes a millisecond or more: signed on a worker, so the audit writer, whose event loop this
    // is, goes on sealing and committing entries meanwhile.
    return vertx.executeBlocking(() -> signer.sign(body), false)
        .compose(note -> store.commit(new Batch().put(Space.CHECKPOINTS, Keys.num(size),
                new JsonObject().put("note", note)))
            .map(stored -> {
              signedNote = note;
              signedSize = size;
              return (Void) null;
            }))
        .onComplete(done -> publishing = false);
  }

}
