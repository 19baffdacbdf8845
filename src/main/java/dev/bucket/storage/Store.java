package dev.bucket.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Everything Bucket keeps besides payload bytes, behind one narrow interface with two drivers: {@link RocksStore}
 * (embedded, the default) and {@link MongoStore} (an external MongoDB). Domain classes (artifacts, audit log, Merkle
 * tree, checkpoints, governance, principals, retention) are written once above it.
 *
 * <p>Values are JSON objects of strings, integers, booleans, nulls, arrays and objects. Keys are strings ordered by
 * their UTF-8 bytes ({@link Keys}). Every method completes its future on the caller's Vert.x context and never blocks
 * it: the drivers run engine calls on threads of their own, with bounded queues; a full queue fails the call with
 * {@link StoreUnavailableException}.
 */
public interface Store {

  /**
   * Writes {@code batch} atomically and durably: when the future succeeds every operation is on stable storage; when
   * it fails with {@link KeyConflictException} none is. Batches from concurrent callers are committed in the order
   * the store receives them and may share one durability point (group commit).
   */
  Future<Void> commit(Batch batch);

  /** The value at {@code key}, or null. */
  Future<JsonObject> get(Space space, String key);

  /** The values of those {@code keys} that exist, keyed by key, in the order of {@code keys}. */
  Future<Map<String, JsonObject>> getAll(Space space, Collection<String> keys);

  /**
   * At most {@code limit} records with {@code from <= key < to} (either bound null: unbounded), in key order, or
   * newest (largest key) first when {@code reverse}. Cost depends on {@code limit}, not on the size of the space.
   */
  Future<List<KeyValue>> scan(Space space, String from, String to, int limit, boolean reverse);

  /** Records whose key starts with {@code prefix}, as {@link #scan}. */
  default Future<List<KeyValue>> scanPrefix(Space space, String prefix, int limit, boolean reverse) {
    return scan(space, prefix, Keys.end(prefix), limit, reverse);
  }

  /**
   * Writes a consistent snapshot of the whole store (every commit before the call, none after it) into the new
   * directory {@code target}, while writes go on.
   */
  Future<Void> backup(Path target);

  /** A live check for {@code /health}. */
  Future<Void> ping();

  /** {@code embedded} or {@code external}. */
  String mode();

  /** Finishes the commits already accepted, then releases the engine; later calls fail. */
  Future<Void> close();
}
