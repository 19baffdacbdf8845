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
class AuditQueriesTest extends MongoTestBase {

  private static AuditRecord entry(String actor, String product, String op, String artifactId, int version,
                                   AuditRecord.Outcome outcome, int status) {
    return new AuditRecord(actor, product, op, artifactId, version, null, outcome, status,
        outcome == AuditRecord.Outcome.SUCCESS ? null : "denied", new JsonObject());
  }

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
    return insert(entries).map(v -> new AuditQueries(mongo));
  }

  private static List<Long> indexes(List<AuditEntry> entries) {
    return entries.stream().map(AuditEntry::index).toList();
  }

  @Test
  void listingsAreNewestFirstAndFilterAsNamed(VertxTestContext test) {
    seeded().compose(q -> Future.all(List.of(q.byArtifact("a1", "p1", null, 100), q.byArtifact("a1", null, null, 100),
            q.byActor("alice", null, 100), q.recent(null, 100), q.failed(null, 100))))
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
    seeded().compose(q -> Future.all(q.recent(null, 2), q.recent(5L, 2), q.byActor("alice", 3L, 10),
            q.recent(null, 1_000_000), q.recent(null, 0).otherwise(List.of())))
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
  void commitIndexFindsTheCommitNotItsReplayAndTheLastCommitTimestampIsTheNewest(VertxTestContext test) {
    seeded().compose(q -> Future.all(List.of(q.commitIndex("p1", "a1", 2), q.commitIndex("p2", "a1", 1),
            q.commitIndex("p1", "a1", 3), q.lastCommitTimestamp(), q.commitEntry("p1", "a1", 1))))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<Long>resultAt(0)).isEqualTo(3L);
          assertThat(all.<Long>resultAt(1)).isEqualTo(5L);
          assertThat(all.<Long>resultAt(2)).isNull();
          assertThat(all.<String>resultAt(3)).isEqualTo("2026-11-22T18:00:05.123Z");
          assertThat(all.<AuditEntry>resultAt(4).operation()).isEqualTo("artifact.create");
          test.completeNow();
        })));
  }

  @Test
  void anEmptyLogHasNoLastCommit(VertxTestContext test) {
    new AuditQueries(mongo).lastCommitTimestamp().onComplete(test.succeeding(ts -> test.verify(() -> {
      assertThat(ts).isNull();
      test.completeNow();
    })));
  }
}
