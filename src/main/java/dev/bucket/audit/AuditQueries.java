package dev.bucket.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Read side of the audit log. Every listing is newest first and pages backwards: pass the smallest index of the
 * previous page as {@code beforeIndex} (null for the newest page). Entries are returned as stored, unverified; use
 * {@link ChainVerifier} to check them.
 *
 * <p>The log runs by default on the embedded mongo-java-server, which uses an index only for a query on exactly the
 * index's keys by equality or {@code $in} (never for a range or a sort) and does not implement non-unique indexes at
 * all. The queries a running node repeats are therefore lookups that both it and MongoDB serve from a unique index:
 * {@link #recent}, {@link #get} and {@link #lastCommitTimestamp} fetch dense indexes by {@code _id};
 * {@link #commitEntry} looks up the unique sparse {@code commit_key} index that {@link AuditLog#start()} creates.
 */
public final class AuditQueries {

  private static final Logger LOG = LoggerFactory.getLogger(AuditQueries.class);

  /** Most entries one call returns. */
  public static final int MAX_LIMIT = 1000;

  /** Indexes fetched per round trip by the walks back from the head. */
  static final int PAGE = 1000;

  /** Most entries {@link #lastCommitTimestamp} reads looking for a commit. */
  static final long COMMIT_SCAN_WINDOW = 100_000;

  private final MongoClient mongo;

  public AuditQueries(MongoClient mongo) {
    this.mongo = mongo;
  }

  /**
   * Entries concerning an artifact, optionally only within {@code product} (null for any): those naming it, and read
   * receipts that list it among other targets. Served by the {@code {artifact_id: 1, _id: 1}} index on MongoDB for
   * the first kind; the embedded server scans the whole log for it.
   */
  public Future<List<AuditEntry>> byArtifact(String artifactId, String product, Long beforeIndex, int limit) {
    JsonObject query = new JsonObject().put("$or", new JsonArray()
        .add(new JsonObject().put("artifact_id", artifactId))
        .add(new JsonObject().put("details." + ReceiptWindow.RECEIPT + "." + ReceiptWindow.ITEMS + ".artifact_id",
            artifactId)));
    if (product != null) {
      query.put("product", product);
    }
    return list(query, beforeIndex, limit);
  }

  /**
   * Entries recorded for {@code actor}. Served by the {@code {actor: 1, _id: 1}} index on MongoDB; the embedded
   * server scans the whole log for it.
   */
  public Future<List<AuditEntry>> byActor(String actor, Long beforeIndex, int limit) {
    return list(new JsonObject().put("actor", actor), beforeIndex, limit);
  }

  /**
   * The newest entries of a log of {@code headSize} entries (e.g. {@link AuditClient#head()}'s size): the indexes just
   * below {@code beforeIndex}, or below {@code headSize} when it is null or larger, fetched by {@code _id}. An index
   * with no entry (a gap, which only tampering makes) is skipped, so a page may then hold fewer than {@code limit}.
   */
  public Future<List<AuditEntry>> recent(long headSize, Long beforeIndex, int limit) {
    if (limit < 1) {
      return Future.failedFuture(new IllegalArgumentException("limit must be positive, was " + limit));
    }
    long upper = beforeIndex == null ? headSize : Math.min(beforeIndex, headSize);
    long lower = Math.max(0, upper - Math.min(limit, MAX_LIMIT));
    return byIndex(mongo, lower, upper).map(entries -> {
      List<AuditEntry> newestFirst = new ArrayList<>(entries.size());
      for (long i = upper - 1; i >= lower; i--) {
        JsonObject doc = entries.get(i);
        if (doc != null) {
          newestFirst.add(AuditEntry.fromDocument(doc));
        }
      }
      return newestFirst;
    });
  }

  /**
   * Refused and failed operations. Served by the {@code {outcome: 1, _id: 1}} index on MongoDB; the embedded server
   * scans the whole log for it.
   */
  public Future<List<AuditEntry>> failed(Long beforeIndex, int limit) {
    return list(new JsonObject().put("outcome", new JsonObject().put("$ne", AuditRecord.Outcome.SUCCESS.wire())),
        beforeIndex, limit);
  }

  /**
   * The entry that recorded the commit of {@code artifactId} version {@code version} in {@code product}, or null if
   * there is none (the artifact's audit entry was lost, e.g. in a crash between the two writes). Looked up by its
   * {@link AuditEntry#commitKey() commit_key}, whose unique index also guarantees that there is at most one: the log
   * refuses to write a second commit entry for the same artifact version.
   */
  /** The index of the entry with this leaf hash (hex), or null. */
  public Future<Long> indexOfLeaf(String leafHashHex) {
    return mongo.findOne(AuditEntry.COLLECTION, new JsonObject().put(AuditEntry.LEAF_HASH, leafHashHex),
        new JsonObject().put("_id", 1)).map(doc -> doc == null ? null : doc.getLong("_id"));
  }

  public Future<AuditEntry> commitEntry(String product, String artifactId, int version) {
    String key = AuditEntry.commitKey(product, artifactId, version);
    if (key == null) {
      return Future.succeededFuture(null);
    }
    return mongo.findOne(AuditEntry.COLLECTION, new JsonObject().put(AuditEntry.COMMIT_KEY, key), null)
        .map(doc -> doc == null ? null : AuditEntry.fromDocument(doc));
  }

  /** The index of {@link #commitEntry}, or null. */
  public Future<Long> commitIndex(String product, String artifactId, int version) {
    return commitEntry(product, artifactId, version).map(entry -> entry == null ? null : entry.index());
  }

  /**
   * Timestamp of the newest commit entry among the last {@value #COMMIT_SCAN_WINDOW} of a log of {@code headSize}
   * entries; failing that, the oldest timestamp among them; null if the whole log holds no commit (or the window no
   * readable entry).
   *
   * <p>Crash recovery ({@code IngestRecovery}) uses it, minus a clock-skew margin, to bound its scan to the
   * artifacts created since. An artifact whose commit entry was lost had its commit pending when the node crashed,
   * so it was created shortly (well within the margin) before the crash; recovery runs at start-up, before the node
   * takes requests, so every entry in the log was written before the crash, and any entry's timestamp minus the
   * margin bounds such an artifact. The newest commit's is the customary choice; an earlier bound is always safe,
   * only slower, and null makes recovery scan every artifact.
   *
   * <p>Walks back from the head in {@code _id} pages of {@value #PAGE} (index-backed, unlike a sort). A log usually
   * records a commit every few entries, but it can end in a long run of reads, so the walk stops after the window and
   * answers the oldest timestamp in it: later than the newest commit's (which is further back), but a bound by the
   * reasoning above. Entries that are not documents the log writes are skipped: walking past a tampered commit only
   * makes the bound earlier.
   */
  public Future<String> lastCommitTimestamp(long headSize) {
    return lastCommitTimestamp(headSize, COMMIT_SCAN_WINDOW);
  }

  /** {@link #lastCommitTimestamp(long)} reading at most {@code window} entries. */
  Future<String> lastCommitTimestamp(long headSize, long window) {
    long stop = Math.max(0, headSize - window);
    return walkBack(headSize, stop, null);
  }

  /** Reads the page below {@code upper} unless it is {@code stop}; {@code oldest} is the oldest ts seen so far. */
  private Future<String> walkBack(long upper, long stop, String oldest) {
    if (upper <= stop) {
      return Future.succeededFuture(stop == 0 ? null : oldest);
    }
    long lower = Math.max(stop, upper - PAGE);
    return byIndex(mongo, lower, upper).compose(docs -> {
      String seen = oldest;
      for (long i = upper - 1; i >= lower; i--) {
        JsonObject doc = docs.get(i);
        if (doc == null) {
          continue;
        }
        AuditEntry entry;
        try {
          entry = AuditEntry.fromDocument(doc);
        } catch (IllegalArgumentException e) {
          LOG.warn("audit entry {} is not a document the log writes, skipped: {}", i, e.getMessage());
          continue;
        }
        if (entry.isCommit()) {
          return Future.succeededFuture(entry.ts());
        }
        if (seen == null || entry.ts().compareTo(seen) < 0) {
          seen = entry.ts();
        }
      }
      return walkBack(lower, stop, seen);
    });
  }

  /** The entry at {@code index}, or null if there is none. */
  public Future<AuditEntry> get(long index) {
    return mongo.findOne(AuditEntry.COLLECTION, new JsonObject().put("_id", index), null)
        .map(doc -> doc == null ? null : AuditEntry.fromDocument(doc));
  }

  /**
   * The stored documents with indexes {@code lower} (inclusive) to {@code upper}, by index; absent ones missing. One
   * {@code _id $in} query: keep the range within a page.
   */
  static Future<Map<Long, JsonObject>> byIndex(MongoClient mongo, long lower, long upper) {
    if (lower >= upper) {
      return Future.succeededFuture(Map.of());
    }
    JsonArray ids = new JsonArray();
    for (long i = lower; i < upper; i++) {
      ids.add(i);
    }
    return mongo.find(AuditEntry.COLLECTION, new JsonObject().put("_id", new JsonObject().put("$in", ids)))
        .map(docs -> {
          Map<Long, JsonObject> byIndex = new HashMap<>();
          for (JsonObject doc : docs) {
            // $in matches numerically, so a non-integral _id (which the log never writes) may come back too.
            if (doc.getValue("_id") instanceof Number id) {
              byIndex.put(id.longValue(), doc);
            }
          }
          return byIndex;
        });
  }

  private Future<List<AuditEntry>> list(JsonObject query, Long beforeIndex, int limit) {
    if (limit < 1) {
      return Future.failedFuture(new IllegalArgumentException("limit must be positive, was " + limit));
    }
    if (beforeIndex != null) {
      query.put("_id", new JsonObject().put("$lt", beforeIndex));
    }
    FindOptions newestFirst = new FindOptions().setSort(new JsonObject().put("_id", -1))
        .setLimit(Math.min(limit, MAX_LIMIT));
    return mongo.findWithOptions(AuditEntry.COLLECTION, query, newestFirst)
        .map(docs -> docs.stream().map(AuditEntry::fromDocument).toList());
  }
}
