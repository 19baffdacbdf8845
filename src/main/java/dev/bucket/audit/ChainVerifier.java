package dev.bucket.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;

/**
 * Re-verifies a range of the stored log against its hash chain, page by page in index order, and reports the first
 * problem: a missing entry, an entry that is not what the log writes, an edited entry, a broken link (entries
 * inserted, dropped or reordered), or a final hash other than the one expected (the tail was rewritten
 * consistently, which only an independently kept head hash can reveal).
 */
public final class ChainVerifier {

  /** Entries fetched per round trip. */
  static final int PAGE = 1000;

  private final MongoClient mongo;

  public ChainVerifier(MongoClient mongo) {
    this.mongo = mongo;
  }

  /**
   * Verifies entries {@code fromIndex} (inclusive) to {@code toIndexExclusive}.
   *
   * <p>A range starting after 0 links to entry {@code fromIndex - 1}'s stored hash, which is trusted as it is: only a
   * range starting at 0 (or at an independently checkpointed entry) proves everything before its end.
   *
   * @param expectedHashAtEnd entry hash that entry {@code toIndexExclusive - 1} must have (e.g. a head published
   *                          earlier), or null not to check it
   */
  public Future<ChainReport> verify(long fromIndex, long toIndexExclusive, String expectedHashAtEnd) {
    if (fromIndex < 0 || toIndexExclusive < fromIndex) {
      return Future.failedFuture(new IllegalArgumentException(
          "bad range [" + fromIndex + ", " + toIndexExclusive + ")"));
    }
    Future<JsonObject> anchor = fromIndex == 0
        ? Future.succeededFuture(new JsonObject().put("entry_hash", HashChain.GENESIS_HASH))
        : mongo.findOne(AuditEntry.COLLECTION, new JsonObject().put("_id", fromIndex - 1), null);
    return anchor.compose(doc -> {
      if (doc == null || !(doc.getValue("entry_hash") instanceof String prev)) {
        return Future.succeededFuture(ChainReport.bad(0, fromIndex - 1, "gap", "audit entry " + (fromIndex - 1)
            + ", which the range links to, is missing or has no entry_hash"));
      }
      return new Walk(toIndexExclusive, expectedHashAtEnd, fromIndex, prev).page();
    });
  }

  /** The state of one verification as it pages through the range. */
  private final class Walk {
    final long end;
    final String expectedHashAtEnd;
    long next;
    String prevHash;
    long checked;

    Walk(long end, String expectedHashAtEnd, long next, String prevHash) {
      this.end = end;
      this.expectedHashAtEnd = expectedHashAtEnd;
      this.next = next;
      this.prevHash = prevHash;
    }

    Future<ChainReport> page() {
      if (next == end) {
        return Future.succeededFuture(finish());
      }
      JsonObject range = new JsonObject().put("_id", new JsonObject().put("$gte", next).put("$lt", end));
      FindOptions ascending = new FindOptions().setSort(new JsonObject().put("_id", 1))
          .setLimit((int) Math.min(PAGE, end - next));
      return mongo.findWithOptions(AuditEntry.COLLECTION, range, ascending).compose(docs -> {
        if (docs.isEmpty()) {
          return Future.succeededFuture(ChainReport.bad(checked, next, "gap",
              "audit entry " + next + " is missing: no entry from it up to " + end + " exists"));
        }
        for (JsonObject doc : docs) {
          ChainReport problem = check(doc);
          if (problem != null) {
            return Future.succeededFuture(problem);
          }
        }
        return page();
      });
    }

    /** Checks the next document; returns the problem, or null and advances. */
    ChainReport check(JsonObject doc) {
      if (!(doc.getValue("_id") instanceof Number id) || id.longValue() != next) {
        return ChainReport.bad(checked, next, "gap",
            "audit entry " + next + " is missing: the next stored entry is " + doc.getValue("_id"));
      }
      AuditEntry entry;
      try {
        entry = HashChain.verifiedEntry(doc);
      } catch (AuditTamperedException e) {
        return ChainReport.bad(checked, next, e.problem(), e.getMessage());
      }
      if (!entry.prevHash().equals(prevHash)) {
        return ChainReport.bad(checked, next, "prev_hash_mismatch", "audit entry " + next
            + " does not link to the entry before it: entries were inserted, dropped or reordered");
      }
      prevHash = entry.entryHash();
      next++;
      checked++;
      return null;
    }

    ChainReport finish() {
      if (expectedHashAtEnd != null && !expectedHashAtEnd.equals(prevHash)) {
        return ChainReport.bad(checked, end - 1, "head_mismatch", "audit entry " + (end - 1) + " hashes to "
            + prevHash + ", not the expected " + expectedHashAtEnd + ": the log up to it was rewritten consistently");
      }
      return ChainReport.ok(checked);
    }
  }
}
