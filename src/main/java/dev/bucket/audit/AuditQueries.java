package dev.bucket.audit;

import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Objects;
import java.util.Map;

/**
 * Read side of the audit log. Every listing is newest first and pages backwards: pass the smallest index of the
 * previous page as {@code beforeIndex} (null for the newest page). Entries are returned as stored, unverified; use
 * {@link ChainVerifier} to check them.
 *
 * <p>Every call is a point read or a bounded reverse scan of the secondary keys {@link AuditIndex} writes with each
 * entry, followed by one read of the entries it names, so its cost depends on the page asked for, not on the size of
 * the log.
 */
public final class AuditQueries {

  private static final Logger LOG = LoggerFactory.getLogger(AuditQueries.class);

  /** Most entries one call returns. */
  public static final int MAX_LIMIT = 1000;


  private final Store store;

  public AuditQueries(Store store) {
    this.store = store;
  }

  /**
   * Entries concerning an artifact, optionally only within {@code product} (null for any): those naming it, and read
   * receipts that list it among other targets.
   */
  public Future<List<AuditEntry>> byArtifact(String artifactId, String product, Long beforeIndex, int limit) {
    return listed(AuditIndex.artifact(artifactId, product), beforeIndex, limit);
  }

  /** Entries recorded for {@code actor}. */
  public Future<List<AuditEntry>> byActor(String actor, Long beforeIndex, int limit) {
    return listed(AuditIndex.actor(actor), beforeIndex, limit);
  }

  /** Refused and failed operations. */
  public Future<List<AuditEntry>> failed(Long beforeIndex, int limit) {
    return listed(AuditIndex.failed(), beforeIndex, limit);
  }

  /**
   * The newest entries of a log of {@code headSize} entries (e.g. {@link AuditClient#head()}'s size): the indexes just
   * below {@code beforeIndex}, or below {@code headSize} when it is null or larger. An index with no entry (a gap,
   * which only tampering makes) is skipped, so a page may then hold fewer than {@code limit}.
   */
  public Future<List<AuditEntry>> recent(long headSize, Long beforeIndex, int limit) {
    if (limit < 1) {
      return Future.failedFuture(new IllegalArgumentException("limit must be positive, was " + limit));
    }
    long upper = beforeIndex == null ? headSize : Math.min(beforeIndex, headSize);
    long lower = Math.max(0, upper - Math.min(limit, MAX_LIMIT));
    if (lower >= upper) {
      return Future.succeededFuture(List.of());
    }
    return store.scan(Space.AUDIT, AuditEntry.key(lower), AuditEntry.key(upper), (int) (upper - lower), true)
        .map(stored -> stored.stream().map(found -> AuditEntry.fromDocument(found.value())).toList());
  }

  /** The index of the entry with this leaf hash (hex), or null. */
  public Future<Long> indexOfLeaf(String leafHashHex) {
    return store.get(Space.AUDIT_INDEX, AuditIndex.leaf(leafHashHex)).map(AuditQueries::index);
  }

  /**
   * The entry that recorded the commit of {@code artifactId} version {@code version} in {@code product}, or null if
   * there is none (the artifact's audit entry was lost, e.g. in a crash between the two writes) or the entry the
   * commit key points to does not record that commit (it was edited). The log inserts the commit key with the entry,
   * so there is at most one.
   */
  public Future<AuditEntry> commitEntry(String product, String artifactId, int version) {
    String commitKey = AuditEntry.commitKey(product, artifactId, version);
    return commitIndex(product, artifactId, version)
        .compose(index -> index == null ? Future.succeededFuture(null) : get(index))
        .map(entry -> entry != null && commitKey.equals(entry.commitKey()) ? entry : null);
  }

  /**
   * {@link #commitEntry} for many versions at once, by their {@link AuditEntry#commitKey}s: two multi-key reads
   * however many. Versions without a commit entry are absent from the map.
   */
  public Future<Map<String, AuditEntry>> commitEntries(List<String> commitKeys) {
    List<String> indexKeys = commitKeys.stream().map(AuditIndex::commit).toList();
    return store.getAll(Space.AUDIT_INDEX, indexKeys)
        .compose(pointers -> store.getAll(Space.AUDIT, pointers.values().stream()
            .map(pointer -> AuditEntry.key(index(pointer))).toList()))
        .map(docs -> {
          Map<String, AuditEntry> byCommitKey = new HashMap<>();
          docs.values().forEach(doc -> {
            AuditEntry entry = AuditEntry.fromDocument(doc);
            if (entry.commitKey() != null) {
              byCommitKey.put(entry.commitKey(), entry);
            }
          });
          return byCommitKey;
        });
  }

  /**
   * The index the log recorded for the commit of that artifact version, or null if none: from the commit key alone,
   * the same key that refuses a second commit entry.
   */
  public Future<Long> commitIndex(String product, String artifactId, int version) {
    String commitKey = AuditEntry.commitKey(product, artifactId, version);
    if (commitKey == null) {
      return Future.succeededFuture(null);
    }
    return store.get(Space.AUDIT_INDEX, AuditIndex.commit(commitKey)).map(AuditQueries::index);
  }

  /**
   * Adds to an artifact version's own batch the marker that the batch of its commit entry removes: crash recovery
   * finds the versions stored without their entry by reading the markers left, never by scanning artifacts.
   */
  public static Batch markUncommitted(Batch batch, String product, String artifactId, int version) {
    return batch.put(Space.AUDIT_INDEX, AuditIndex.uncommitted(AuditEntry.commitKey(product, artifactId, version)),
        new JsonObject().put("product", product).put("artifact_id", artifactId).put("version", version));
  }

  /** Whether that version carries the marker of a version stored without its commit entry. */
  public Future<Boolean> markedUncommitted(String product, String artifactId, int version) {
    return store.get(Space.AUDIT_INDEX, AuditIndex.uncommitted(AuditEntry.commitKey(product, artifactId, version)))
        .map(Objects::nonNull);
  }

  /** A version stored without its commit entry, as its marker names it. */
  public record Uncommitted(String marker, String product, String artifactId, int version) {
  }

  /** At most {@code limit} versions whose commit entry is missing, in marker order after {@code cursor} (or null). */
  public Future<List<Uncommitted>> uncommitted(String cursor, int limit) {
    String prefix = AuditIndex.uncommittedPrefix();
    String from = cursor == null ? prefix : cursor + '\u0000'; // the first key after the cursor
    return store.scan(Space.AUDIT_INDEX, from, Keys.end(prefix), limit, false).map(rows -> rows.stream()
        .map(row -> new Uncommitted(row.key(), row.value().getString("product"),
            row.value().getString("artifact_id"), row.value().getInteger("version")))
        .toList());
  }


  /** The entry at {@code index}, or null if there is none. */
  public Future<AuditEntry> get(long index) {
    return store.get(Space.AUDIT, AuditEntry.key(index))
        .map(doc -> doc == null ? null : AuditEntry.fromDocument(doc));
  }

  /** The entries named by the newest keys under {@code prefix} below {@code beforeIndex}; see {@link AuditIndex}. */
  private Future<List<AuditEntry>> listed(String prefix, Long beforeIndex, int limit) {
    if (limit < 1) {
      return Future.failedFuture(new IllegalArgumentException("limit must be positive, was " + limit));
    }
    if (beforeIndex != null && beforeIndex <= 0) {
      return Future.succeededFuture(List.of());
    }
    String to = beforeIndex == null ? Keys.end(prefix) : prefix + AuditEntry.key(beforeIndex);
    return store.scan(Space.AUDIT_INDEX, prefix, to, Math.min(limit, MAX_LIMIT), true)
        .compose(keys -> store.getAll(Space.AUDIT, entryKeys(keys)))
        .map(docs -> {
          List<AuditEntry> entries = new ArrayList<>(docs.size());
          docs.values().forEach(doc -> entries.add(AuditEntry.fromDocument(doc)));
          return entries;
        });
  }

  private static Long index(JsonObject pointer) {
    return pointer == null ? null : pointer.getLong("index");
  }

  /** The entry keys that secondary keys end with. */
  private static List<String> entryKeys(List<KeyValue> secondary) {
    return secondary.stream().map(found -> Keys.last(found.key())).toList();
  }
}
