package dev.bucket.transparency;

import dev.bucket.audit.AuditEntry;
import dev.bucket.storage.Batch;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Merkle tree's hashes in the store, laid out like C2SP tlog-tiles with tiles of height 8: leaf hashes come from
 * the log entries themselves (each is SHA-256(0x00 || canonical entry)), and only complete subtrees at levels 8, 16,
 * 24, ... are stored in {@link Space#TREE}, one small value {@code {hash}} each, keyed {@code level␟index} (index as
 * {@link Keys#num}). Any other complete subtree is combined from at most 128 hashes of the stored level below it, so
 * a proof costs a few multi-key reads and the tree adds one key per 256 entries. Stored nodes are a cache of values
 * derivable from the entries, hence put rather than inserted: a missing one (say a crash before it was saved) is
 * recomputed from the level below and saved again.
 */
public final class TreeStore {

  static final int TILE_HEIGHT = 8;
  private static final HexFormat HEX = HexFormat.of();

  private final Store store;

  public TreeStore(Store store) {
    this.store = store;
  }

  /** Saves the tile-level nodes among {@code nodes}; idempotent, since a node's hash never changes. */
  public Future<Void> save(Collection<Node> nodes) {
    Batch writes = new Batch();
    for (Node node : nodes) {
      if (node.level() > 0 && node.level() % TILE_HEIGHT == 0) {
        writes.put(Space.TREE, key(node.level(), node.index()),
            new JsonObject().put("hash", HEX.formatHex(node.hash())));
      }
    }
    return writes.isEmpty() ? Future.succeededFuture() : store.commit(writes);
  }

  /** A source that answers for every id in {@code ids} (all of them complete subtrees of the durable log). */
  public Future<NodeSource> resolve(Collection<Node.Id> ids) {
    Map<Integer, Set<Long>> baseByLevel = new HashMap<>();
    for (Node.Id id : ids) {
      int base = baseLevel(id.level());
      long span = 1L << (id.level() - base);
      Set<Long> indexes = baseByLevel.computeIfAbsent(base, b -> new LinkedHashSet<>());
      for (long i = id.index() * span; i < (id.index() + 1) * span; i++) {
        indexes.add(i);
      }
    }
    List<Future<Map<Long, byte[]>>> fetches = new ArrayList<>();
    List<Integer> levels = new ArrayList<>(baseByLevel.keySet());
    for (int level : levels) {
      fetches.add(base(level, baseByLevel.get(level)));
    }
    return Future.all(fetches).map(done -> {
      Map<Integer, Map<Long, byte[]>> bases = new HashMap<>();
      for (int i = 0; i < levels.size(); i++) {
        bases.put(levels.get(i), fetches.get(i).result());
      }
      Map<Node.Id, byte[]> resolved = new HashMap<>();
      for (Node.Id id : ids) {
        int base = baseLevel(id.level());
        resolved.put(id, combine(id.level(), id.index(), base, bases.get(base)));
      }
      return (level, index) -> resolved.get(new Node.Id(level, index));
    });
  }

  /** The tile level a node is combined from: itself when it is on a tile level. */
  private static int baseLevel(int level) {
    return level - level % TILE_HEIGHT;
  }

  /** Hashes at tile level {@code level} for {@code indexes}: leaves from entries, stored nodes, or recomputed. */
  private Future<Map<Long, byte[]>> base(int level, Set<Long> indexes) {
    if (level == 0) {
      return leaves(indexes);
    }
    List<String> keys = indexes.stream().map(i -> key(level, i)).toList();
    return store.getAll(Space.TREE, keys).compose(docs -> {
      Map<Long, byte[]> found = new HashMap<>();
      for (long i : indexes) {
        JsonObject doc = docs.get(key(level, i));
        if (doc != null) {
          found.put(i, HEX.parseHex(doc.getString("hash")));
        }
      }
      List<Node.Id> missing = indexes.stream().filter(i -> !found.containsKey(i))
          .map(i -> new Node.Id(level, i)).toList();
      if (missing.isEmpty()) {
        return Future.succeededFuture(found);
      }
      return recompute(level, missing).map(recomputed -> {
        recomputed.forEach(node -> found.put(node.index(), node.hash()));
        return found;
      });
    });
  }

  /** Rebuilds stored nodes that are missing from the tile level below them, and saves them again. */
  private Future<List<Node>> recompute(int level, List<Node.Id> missing) {
    int below = level - TILE_HEIGHT;
    long span = 1L << TILE_HEIGHT;
    Set<Long> children = new LinkedHashSet<>();
    missing.forEach(id -> {
      for (long i = id.index() * span; i < (id.index() + 1) * span; i++) {
        children.add(i);
      }
    });
    return base(below, children).compose(hashes -> {
      List<Node> nodes = missing.stream()
          .map(id -> new Node(level, id.index(), combine(level, id.index(), below, hashes))).toList();
      return save(nodes).map(nodes);
    });
  }

  /**
   * Leaf hashes of durable entries, read by index: the hash stored with each entry, so a proof does not
   * re-canonicalise up to 255 entries. A tampered stored hash cannot forge anything: the signed roots were computed
   * from the entries as they were appended, so a proof built from a wrong leaf hash fails verification.
   */
  private Future<Map<Long, byte[]>> leaves(Set<Long> indexes) {
    return store.getAll(Space.AUDIT, indexes.stream().map(AuditEntry::key).toList()).map(docs -> {
      Map<Long, byte[]> leaves = new HashMap<>();
      docs.forEach((key, doc) -> {
        String stored = doc.getString(AuditEntry.LEAF_HASH);
        leaves.put(Keys.parseNum(key), stored != null ? HEX.parseHex(stored)
            : MerkleHash.leafHash(AuditEntry.fromDocument(doc).canonicalBytes()));
      });
      if (leaves.size() != indexes.size()) {
        throw new IllegalStateException("log entries missing among " + indexes.size() + " requested");
      }
      return leaves;
    });
  }

  /** The hash of subtree {@code (level, index)} from the hashes at {@code base} level below it. */
  private static byte[] combine(int level, long index, int base, Map<Long, byte[]> hashes) {
    if (level == base) {
      byte[] hash = hashes.get(index);
      if (hash == null) {
        throw new IllegalStateException("no hash for node " + level + "/" + index);
      }
      return hash;
    }
    return MerkleHash.nodeHash(combine(level - 1, 2 * index, base, hashes),
        combine(level - 1, 2 * index + 1, base, hashes));
  }

  private static String key(int level, long index) {
    return Keys.of(level, Keys.num(index));
  }
}
