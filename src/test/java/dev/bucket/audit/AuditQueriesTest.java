package dev.bucket.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class AuditQueriesTest extends StoreTestBase {

  private static AuditRecord entry(String actor, String product, String op, String artifactId, int version,
                                   AuditRecord.Outcome outcome, int status) {
    return new AuditRecord(actor, product, op, artifactId, version, null, outcome, status,
        outcome == AuditRecord.Outcome.SUCCESS ? null : "denied", new JsonObject());
  }

  private static final long SEEDED = 7;

  /** 0 create, 1 read, 2 refused read, 3 version, 4 replay of 3, 5 other product, 6 failed version. */
  private Future<AuditQueries> seeded() {
    List<AuditRecord> records = List.of(
        entry("alice", "p1", "artifact.create", "a1", 1, AuditRecord.Outcome.SUCCESS, 201),
        entry("bob", "p1", "artifact.read", "a1", 1, AuditRecord.Outcome.SUCCESS, 200),
        entry("eve", "p1", "artifact.read", "a1", 1, AuditRecord.Outcome.REFUSED, 403),
        entry("alice", "p1", "artifact.version", "a1", 2, AuditRecord.Outcome.SUCCESS, 201),
        entry("alice", "p1", "artifact.version", "a1", 2, AuditRecord.Outcome.SUCCESS, 200),
        entry("bob", "p2", "artifact.create", "a1", 1, AuditRecord.Outcome.SUCCESS, 201),
        entry("alice", "p1", "artifact.version", "a1", 3, AuditRecord.Outcome.FAILED, 500));
    List<AuditEntry> entries = new ArrayList<>();
    AuditHead head = HashChain.EMPTY;
    for (int i = 0; i < records.size(); i++) {
      AuditEntry sealed = HashChain.next(head, records.get(i), T0.plusSeconds(i));
      entries.add(sealed);
      head = HashChain.headAfter(sealed);
    }
    return insert(entries).map(v -> new AuditQueries(store));
  }

  @Test
  void anArtifactsTrailIncludesReadReceiptsThatListItAmongOthers(VertxTestContext test) {
    ReceiptWindow window = new ReceiptWindow(T0);
    window.add(new ReadReceipts.Read("bob", "p1", "artifact.read", "a1", 1, null));
    window.add(new ReadReceipts.Read("bob", "p1", "artifact.read", "a2", 1, null));
    AuditRecord receipt = window.close(T0.plusMillis(100), 100).get(0).record();
    AuditEntry listed = HashChain.next(HashChain.EMPTY, receipt, T0);
    AuditEntry other = HashChain.next(HashChain.headAfter(listed),
        entry("bob", "p1", "artifact.read", "a3", 1, AuditRecord.Outcome.SUCCESS, 200), T0);
    insert(List.of(listed, other)).map(v -> new AuditQueries(store))
        .compose(q -> Future.all(q.byArtifact("a2", "p1", null, 100), q.byArtifact("a3", null, null, 100),
            q.byArtifact("a2", "p2", null, 100)))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(indexes(all.resultAt(0))).containsExactly(0L);
          assertThat(indexes(all.resultAt(1))).containsExactly(1L);
          assertThat(indexes(all.resultAt(2))).isEmpty();
          test.completeNow();
        })));
  }

  private static List<Long> indexes(List<AuditEntry> entries) {
    return entries.stream().map(AuditEntry::index).toList();
  }

  @Test
  void listingsAreNewestFirstAndFilterAsNamed(VertxTestContext test) {
    seeded().compose(q -> Future.all(List.of(q.byArtifact("a1", "p1", null, 100), q.byArtifact("a1", null, null, 100),
            q.byActor("alice", null, 100), q.recent(SEEDED, null, 100), q.failed(null, 100))))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(indexes(all.resultAt(0))).containsExactly(6L, 4L, 3L, 2L, 1L, 0L);
          assertThat(indexes(all.resultAt(1))).containsExactly(6L, 5L, 4L, 3L, 2L, 1L, 0L);
          assertThat(indexes(all.resultAt(2))).containsExactly(6L, 4L, 3L, 0L);
          assertThat(indexes(all.resultAt(3))).containsExactly(6L, 5L, 4L, 3L, 2L, 1L, 0L);
          assertThat(indexes(all.resultAt(4))).containsExactly(6L, 2L);
          test.completeNow();
        })));
  }

  @Test
  void pagesContinueBeforeTheGivenIndexAndLimitsAreCapped(VertxTestContext test) {
    seeded().compose(q -> Future.all(q.recent(SEEDED, null, 2), q.recent(SEEDED, 5L, 2), q.byActor("alice", 3L, 10),
            q.recent(SEEDED, null, 1_000_000), q.recent(SEEDED, null, 0).otherwise(List.of())))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(indexes(all.resultAt(0))).containsExactly(6L, 5L);
          assertThat(indexes(all.resultAt(1))).containsExactly(4L, 3L);
          assertThat(indexes(all.resultAt(2))).containsExactly(0L);
          assertThat(indexes(all.resultAt(3))).hasSize(7);
          assertThat(all.<List<AuditEntry>>resultAt(4)).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void recentFetchesTheIndexesBelowTheHeadOrBeforeNewestFirst(VertxTestContext test) {
    seeded().compose(q -> remove(2).map(q))
        .compose(q -> Future.all(List.of(q.recent(5, null, 10), q.recent(5, 100L, 2), q.recent(SEEDED, 4L, 3),
            q.recent(0, null, 10), q.recent(SEEDED, 0L, 10), q.recent(SEEDED, 1L, 10))))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          // Entries 5 and 6 are stored but beyond the given head; the missing entry 2 is skipped.
          assertThat(indexes(all.resultAt(0))).containsExactly(4L, 3L, 1L, 0L);
          assertThat(indexes(all.resultAt(1))).containsExactly(4L, 3L);
          assertThat(indexes(all.resultAt(2))).containsExactly(3L, 1L);
          assertThat(all.<List<AuditEntry>>resultAt(3)).isEmpty();
          assertThat(all.<List<AuditEntry>>resultAt(4)).isEmpty();
          assertThat(indexes(all.resultAt(5))).containsExactly(0L);
          test.completeNow();
        })));
  }

  @Test
  void getReturnsTheEntryOrNull(VertxTestContext test) {
    seeded().compose(q -> Future.all(q.get(2), q.get(99)))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          AuditEntry refused = all.resultAt(0);
          assertThat(refused.actor()).isEqualTo("eve");
          assertThat(refused.outcome()).isEqualTo("refused");
          assertThat(refused.reason()).isEqualTo("denied");
          assertThat((Object) all.resultAt(1)).isNull();
          test.completeNow();
        })));
  }

  @Test
  void commitIndexFindsTheCommitNotItsReplay(VertxTestContext test) {
    seeded().compose(q -> Future.all(List.of(q.commitIndex("p1", "a1", 2), q.commitIndex("p2", "a1", 1),
            q.commitIndex("p1", "a1", 3), q.commitEntry("p1", "a1", 1))))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<Long>resultAt(0)).isEqualTo(3L);
          assertThat(all.<Long>resultAt(1)).isEqualTo(5L);
          assertThat(all.<Long>resultAt(2)).isNull();
          assertThat(all.<AuditEntry>resultAt(3).operation()).isEqualTo("artifact.create");
          test.completeNow();
        })));
  }

  @Test
  void commitsAreFoundByTheirCommitKeyAndAnEditedCommitEntryIsNotTheCommit(VertxTestContext test) {
    // Entry 3 now claims to commit p1/a1/9: the key of p1/a1/2 still names it, but it no longer records that commit.
    seeded().compose(q -> tamper(3, doc -> doc.put("version", 9).put("commit_key", "p1/a1/9"))
            .compose(v -> Future.all(List.of(q.commitIndex("p1", "a1", 2), q.commitEntry("p1", "a1", 2),
                q.commitIndex("p1/x", "a1", 1), q.commitIndex(null, "a1", 1), q.commitEntry("p1", "a1", 1)))))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<Long>resultAt(0)).as("the index the log recorded").isEqualTo(3L);
          assertThat((Object) all.resultAt(1)).isNull();
          assertThat(all.<Long>resultAt(2)).isNull();
          assertThat(all.<Long>resultAt(3)).isNull();
          assertThat(all.<AuditEntry>resultAt(4).index()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void longValuesAndValuesHoldingTheKeySeparatorAreListedByTheSameValue(VertxTestContext test) {
    String longActor = "a".repeat(3000);
    String oddActor = "x\u001fy";
    String hashedLooking = "#" + "0".repeat(64);
    List<AuditEntry> entries = new ArrayList<>();
    AuditHead head = HashChain.EMPTY;
    for (String actor : List.of(longActor, oddActor, hashedLooking, longActor)) {
      AuditEntry sealed = HashChain.next(head,
          entry(actor, "p1", "artifact.read", actor, 1, AuditRecord.Outcome.REFUSED, 400), T0);
      entries.add(sealed);
      head = HashChain.headAfter(sealed);
    }
    insert(entries).map(v -> new AuditQueries(store))
        .compose(q -> Future.all(List.of(q.byActor(longActor, null, 10), q.byActor(oddActor, null, 10),
            q.byActor(hashedLooking, null, 10), q.byArtifact(longActor, "p1", null, 10), q.failed(3L, 10))))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(indexes(all.resultAt(0))).containsExactly(3L, 0L);
          assertThat(indexes(all.resultAt(1))).containsExactly(1L);
          assertThat(indexes(all.resultAt(2))).containsExactly(2L);
          assertThat(indexes(all.resultAt(3))).containsExactly(3L, 0L);
          assertThat(indexes(all.resultAt(4))).containsExactly(2L, 1L, 0L);
          test.completeNow();
        })));
  }

  @Test
  void aLeafHashFindsItsEntry(VertxTestContext test) {
    seeded().compose(q -> q.get(4).compose(entry -> Future.all(
            q.indexOfLeaf(entry.toDocument().getString(AuditEntry.LEAF_HASH)), q.indexOfLeaf("0".repeat(64)))))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<Long>resultAt(0)).isEqualTo(4L);
          assertThat(all.<Long>resultAt(1)).isNull();
          test.completeNow();
        })));
  }
}
