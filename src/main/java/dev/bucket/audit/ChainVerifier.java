package dev.bucket.audit;

import dev.bucket.storage.KeyValue;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Re-verifies a range of the stored log against its hash chain, page by page in index order, and reports the first
 * problem: a missing entry, an entry that is not what the log writes, an edited entry, a broken link (entries
 * inserted, dropped or reordered), or a final hash other than the one expected (the tail was rewritten
 * consistently, which only an independently kept head hash can reveal).
 *
 * <p>Each page is one bounded scan of the entry keys of the next {@value #PAGE} indexes, so a walk holds one page at a
 * time however long the range.
 */
public final class ChainVerifier {

  /** How many of the newest entries {@link #verifyNewest} re-hashes. */
  public static final int RECENT_WINDOW = 1000;

  /** Indexes fetched per round trip. */
  static final int PAGE = 1000;

  private final Store store;

  public ChainVerifier(Store store) {
    this.store = store;
  }

  /**
   * The live tamper check (threat T8, the gate's status, certification): the newest {@link #RECENT_WINDOW} entries
   * re-hashed up to {@code head}, which the last one must match.
   */
  public Future<ChainReport> verifyNewest(AuditHead head) {
    return verify(Math.max(0, head.size() - RECENT_WINDOW), head.size(), head.hash());
  }

  /**
   * Verifies entries {@code fromIndex} (inclusive) to {@code toIndexExclusive}.
   *
   * <p>A range starting after 0 links to entry {@code fromIndex - 1}'s stored hash, which is trusted as it is: only a
   * range starting at 0 (or at an independently checkpointed entry) proves everything before its end. That entry is
   * fetched with the first page.
   *
   * @param expectedHashAtEnd entry hash that entry {@code toIndexExclusive - 1} must have (e.g. a head published
   *                          earlier), or null not to check it
   */
  public Future<ChainReport> verify(long fromIndex, long toIndexExclusive, String expectedHashAtEnd) {
    return verify(fromIndex, toIndexExclusive, expectedHashAtEnd, (entry, stored) -> {
    });
  }

  /**
   * {@link #verify(long, long, String)}, handing each entry that passed to {@code verified} with the document it was
   * read from, in index order, so one pass can check more than the chain (the offline store check computes the Merkle
   * tree from it).
   */
  public Future<ChainReport> verify(long fromIndex, long toIndexExclusive, String expectedHashAtEnd,
                                    BiConsumer<HashChain.Verified, JsonObject> verified) {
    if (fromIndex < 0 || toIndexExclusive < fromIndex) {
      return Future.failedFuture(new IllegalArgumentException(
          "bad range [" + fromIndex + ", " + toIndexExclusive + ")"));
    }
    Walk walk = new Walk(toIndexExclusive, expectedHashAtEnd, fromIndex, verified);
    if (fromIndex == 0) {
      walk.prevHash = HashChain.GENESIS_HASH;
    }
    return walk.page();
  }

  /** The state of one verification as it pages through the range. */
  private final class Walk {
    final long end;
    final String expectedHashAtEnd;
    final BiConsumer<HashChain.Verified, JsonObject> verified;
    long next;
    /** Hash the next entry must link to; null until the anchor (entry {@code next - 1}) has been read. */
    String prevHash;
    long checked;

    Walk(long end, String expectedHashAtEnd, long next, BiConsumer<HashChain.Verified, JsonObject> verified) {
      this.end = end;
      this.expectedHashAtEnd = expectedHashAtEnd;
      this.verified = verified;
      this.next = next;
    }

    Future<ChainReport> page() {
      long first = prevHash == null ? next - 1 : next;
      if (first == end) {
        return Future.succeededFuture(finish());
      }
      long stop = Math.min(end, first + PAGE);
      return store.scan(Space.AUDIT, AuditEntry.key(first), AuditEntry.key(stop), (int) (stop - first), false)
          .compose(page -> check(byIndex(page), stop));
    }

    /** Checks the entries of one page up to {@code stop}, then goes on with the next page unless one is bad. */
    Future<ChainReport> check(Map<Long, JsonObject> byIndex, long stop) {
      if (prevHash == null) {
        ChainReport problem = anchor(byIndex.get(next - 1));
        if (problem != null) {
          return Future.succeededFuture(problem);
        }
      }
      while (next < stop) {
        ChainReport problem = check(byIndex.get(next));
        if (problem != null) {
          return Future.succeededFuture(problem);
        }
      }
      return page();
    }

    /** Takes the hash the range links to from the entry before it; returns the problem, or null. */
    ChainReport anchor(JsonObject doc) {
      if (doc == null || !(doc.getValue("entry_hash") instanceof String hash)) {
        return ChainReport.bad(0, next - 1, "gap", "audit entry " + (next - 1)
            + ", which the range links to, is missing or has no entry_hash");
      }
      prevHash = hash;
      return null;
    }

    /** Checks the document stored at {@code next} (null: none is); returns the problem, or null and advances. */
    ChainReport check(JsonObject doc) {
      if (doc == null) {
        return ChainReport.bad(checked, next, "gap", "audit entry " + next + " is missing");
      }
      HashChain.Verified verifiedEntry;
      try {
        verifiedEntry = HashChain.verified(next, doc);
      } catch (AuditTamperedException e) {
        return ChainReport.bad(checked, next, e.problem(), e.getMessage());
      }
      AuditEntry entry = verifiedEntry.entry();
      if (!entry.prevHash().equals(prevHash)) {
        return ChainReport.bad(checked, next, "prev_hash_mismatch", "audit entry " + next
            + " does not link to the entry before it: entries were inserted, dropped or reordered");
      }
      verified.accept(verifiedEntry, doc);
      prevHash = entry.entryHash();
      next++;
      checked++;
      return null;
    }

    /** The page's entries by the index their key names; a key that names none is no entry. */
    static Map<Long, JsonObject> byIndex(List<KeyValue> page) {
      Map<Long, JsonObject> byIndex = new HashMap<>();
      for (KeyValue stored : page) {
        Long index = AuditEntry.indexOf(stored.key());
        if (index != null) {
          byIndex.put(index, stored.value());
        }
      }
      return byIndex;
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
