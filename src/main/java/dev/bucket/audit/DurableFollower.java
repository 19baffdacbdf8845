package dev.bucket.audit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Something that follows the durable log on the audit writer's own context, such as the Merkle tree built over it.
 * Keeping it on the writer's context means it sees entries in order without locks.
 */
public interface DurableFollower {

  /** Called once on the writer's context, after the log has read its head. */
  Future<Void> start(Vertx vertx, long durableSize);

  /**
   * The RFC 9162 leaf hashes of entries that just became durable, in log order, and the head after them; none after a
   * failed batch re-read the head.
   */
  void durable(AuditHead head, List<byte[]> leafHashes);

  /** Follows nothing. */
  DurableFollower NONE = new DurableFollower() {
    @Override
    public Future<Void> start(Vertx vertx, long durableSize) {
      return Future.succeededFuture();
    }

    @Override
    public void durable(AuditHead head, List<byte[]> leafHashes) {
    }
  };
}
