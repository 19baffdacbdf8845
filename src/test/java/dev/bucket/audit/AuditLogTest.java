package dev.bucket.audit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Timeouts are generous: on a loaded two-core machine a cold JVM is several times slower than usual. */
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class AuditLogTest extends MongoTestBase {

  private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

  private AuditLog log(CountingBarrier barrier, int capacity, int maxBatch) {
    return new AuditLog(mongo, barrier, CLOCK, capacity, maxBatch);
  }

  @Test
  void canonicalBytesSurviveAMongoRoundTripExactly(VertxTestContext test) {
    JsonObject details = new JsonObject().put("big", (1L << 53) - 1).put("small", 3).put("flag", false)
        .put("none", (String) null)
        .put("nested", new JsonObject().put("list", new JsonArray().add("é✓😀").add(-7L)));
    AuditEntry written = HashChain.next(HashChain.EMPTY, new AuditRecord("alice", "prod-a", "audit.manual", null, 0,
        null, AuditRecord.Outcome.SUCCESS, 200, null, details), T0);

    insert(List.of(written))
        .compose(v -> mongo.findOne(AuditEntry.COLLECTION, new JsonObject().put("_id", 0L), null))
        .onComplete(test.succeeding(doc -> test.verify(() -> {
          AuditEntry read = HashChain.verifiedEntry(doc);
          assertThat(read.canonicalBytes()).isEqualTo(written.canonicalBytes());
          assertThat(read.entryHash()).isEqualTo(written.entryHash());
          test.completeNow();
        })));
  }

  @Test
  void concurrentAppendsAreGroupCommittedIntoOneDenseChain(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    AuditLog log = log(new CountingBarrier(), 20_000, 1000);
    int count = 5000;

    on(context, () -> log.start().compose(v -> {
      List<Future<AuditReceipt>> receipts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        receipts.add(log.append(record("user-" + i % 7, "art-" + i % 13, i), true));
      }
      return Future.all(receipts).map(all -> all.<AuditReceipt>list());
    })).compose(receipts -> on(context, () -> Future.succeededFuture(log.head())).compose(head -> {
      test.verify(() -> {
        assertThat(receipts.stream().mapToLong(AuditReceipt::index))
            .containsExactlyElementsOf(LongStream.range(0, count).boxed().toList());
        assertThat(head).isEqualTo(new AuditHead(count, receipts.get(count - 1).entryHash()));
      });
      return new ChainVerifier(mongo).verify(0, count, head.hash());
    })).compose(report -> on(context, () -> Future.succeededFuture(log.batchesWritten())).map(batches -> {
      assertThat(report.ok()).as(report.detail()).isTrue();
      assertThat(report.checked()).isEqualTo(count);
      // The first append is written alone; the rest wait and go in batches of up to 1000.
      assertThat(batches).isLessThan(count / 100);
      return batches;
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void aFullQueueRefusesWithBackpressure(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    CountingBarrier barrier = new CountingBarrier().hold();
    AuditLog log = log(barrier, 3, 1000);

    on(context, () -> log.start().compose(v -> {
      // The first is in flight (its sync held), two more are queued: three accepted, the queue is full.
      log.append(record("a", "x", 1), true);
      log.append(record("a", "x", 2), false);
      log.append(record("a", "x", 3), true);
      return log.append(record("a", "x", 4), false);
    })).onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).isInstanceOf(AuditBackpressureException.class).hasMessageContaining("3");
      barrier.release();
      test.completeNow();
    })));
  }

  @Test
  void durableAppendsCompleteOnlyAfterTheBarrierSynced(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    CountingBarrier barrier = new CountingBarrier().hold();
    AuditLog log = log(barrier, 100, 1000);
    List<Future<AuditReceipt>> appends = new ArrayList<>();
    AtomicInteger syncsWhenAnswered = new AtomicInteger();

    on(context, () -> log.start().map(v -> {
      // Runs as the receipt is delivered, before the next batch (the accepted entry) can sync again.
      appends.add(log.append(record("a", "x", 1), true)
          .onSuccess(receipt -> syncsWhenAnswered.set(barrier.syncs.get())));
      appends.add(log.append(record("a", "x", 2), false));
      return null;
    })).compose(v -> barrier.firstSync.future()).compose(v -> on(context, () -> {
      test.verify(() -> {
        assertThat(appends.get(0).isComplete()).as("durable append before sync").isFalse();
        assertThat(appends.get(1).result().index()).as("accepted append is answered at once").isEqualTo(1);
        assertThat(log.head()).isEqualTo(HashChain.EMPTY);
      });
      barrier.release();
      return appends.get(0);
    })).onComplete(test.succeeding(receipt -> test.verify(() -> {
      assertThat(receipt.index()).isZero();
      assertThat(syncsWhenAnswered.get()).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void aRestartedLogContinuesTheChain(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    AuditLog first = log(new CountingBarrier(), 100, 1000);
    AuditLog second = log(new CountingBarrier(), 100, 1000);

    on(context, () -> first.start().compose(v -> {
      for (int i = 0; i < 9; i++) {
        first.append(record("a", "x", i), false);
      }
      return first.append(record("a", "x", 9), true);
    }).compose(v -> first.close()))
        .compose(v -> on(context, () -> second.start().compose(started -> {
          test.verify(() -> assertThat(second.head().size()).isEqualTo(10));
          return second.append(record("b", "y", 10), true);
        })))
        .compose(receipt -> {
          test.verify(() -> assertThat(receipt.index()).isEqualTo(10));
          return new ChainVerifier(mongo).verify(0, 11, receipt.entryHash());
        })
        .onComplete(test.succeeding(report -> test.verify(() -> {
          assertThat(report.ok()).as(report.detail()).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void startRefusesALogWhoseLastEntryWasTamperedWith(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();

    insert(chain(HashChain.EMPTY, 10))
        .compose(v -> mongo.updateCollection(AuditEntry.COLLECTION, new JsonObject().put("_id", 9L),
            new JsonObject().put("$set", new JsonObject().put("actor", "mallory"))))
        .compose(v -> on(context, () -> log(new CountingBarrier(), 100, 1000).start()))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertThat(e).isInstanceOfSatisfying(AuditTamperedException.class, tampered -> {
            assertThat(tampered.index()).isEqualTo(9);
            assertThat(tampered.problem()).isEqualTo("entry_hash_mismatch");
          });
          assertThat(e).hasMessageContaining("audit entry 9");
          test.completeNow();
        })));
  }

  @Test
  void aDemotedCommitIsRefusedAtStartAsMalformed(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();

    insert(chain(HashChain.EMPTY, 10))
        .compose(v -> mongo.updateCollection(AuditEntry.COLLECTION, new JsonObject().put("_id", 9L),
            new JsonObject().put("$set", new JsonObject().put("status", 200))))
        .compose(v -> on(context, () -> log(new CountingBarrier(), 100, 1000).start()))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertThat(e).isInstanceOfSatisfying(AuditTamperedException.class, tampered -> {
            assertThat(tampered.index()).isEqualTo(9);
            assertThat(tampered.problem()).isEqualTo("malformed");
          });
          assertThat(e).hasMessageContaining("commit_key");
          test.completeNow();
        })));
  }

  @Test
  void theLogWritesAtMostOneCommitEntryPerArtifactVersion(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    AuditLog log = log(new CountingBarrier(), 100, 1000);
    AuditRecord commit = record("a", "x", 1);
    AuditRecord replay = new AuditRecord("b", commit.product(), commit.operation(), commit.artifactId(),
        commit.version(), commit.contentHash(), commit.outcome(), 200, null, null);

    on(context, () -> log.start()
        .compose(v -> log.append(commit, true))
        .compose(v -> log.append(replay, true))
        .compose(v -> log.append(replay, true))
        .compose(v -> log.append(commit, true).map(receipt -> (Throwable) null).otherwise(e -> e))
        .compose(duplicate -> {
          test.verify(() -> assertThat(duplicate).as("second commit of prod-a/x/1").isNotNull()
              .hasMessageContaining("commit_key"));
          // The log recovers behind the refused entry and goes on.
          return log.append(record("a", "x", 2), true);
        }))
        .compose(receipt -> {
          test.verify(() -> assertThat(receipt.index()).isEqualTo(3));
          return Future.all(new AuditQueries(mongo).commitIndex("prod-a", "x", 1),
              new AuditQueries(mongo).commitIndex("prod-a", "x", 2),
              new ChainVerifier(mongo).verify(0, 4, receipt.entryHash()));
        })
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<Long>resultAt(0)).isZero();
          assertThat(all.<Long>resultAt(1)).isEqualTo(3L);
          assertThat(all.<ChainReport>resultAt(2).ok()).as(all.<ChainReport>resultAt(2).detail()).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void aFailedBatchFailsItsWaitersAndTheQueueIsResealedBehindTheRealHead(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    // Held until all three are queued: the first batch's write may complete synchronously, which would otherwise
    // split entries 1 and 2 into separate batches.
    CountingBarrier barrier = new CountingBarrier().hold();
    AuditLog log = log(barrier, 100, 1000);
    // Another writer's entry where the log's third entry will go: the second batch (entries 1, 2) lands its first
    // entry, then fails on a duplicate key.
    AuditEntry foreign = HashChain.next(new AuditHead(2, "f".repeat(64)), record("intruder", "z", 0), T0);
    List<Future<AuditReceipt>> appends = new ArrayList<>();

    on(context, () -> log.start().compose(v -> insert(List.of(foreign))).map(v -> {
      appends.add(log.append(record("a", "x", 0), true));
      appends.add(log.append(record("a", "x", 1), true));
      appends.add(log.append(record("a", "x", 2), true));
      // Appended while the log recovers: sealed behind entry 2 as this log saw it, then re-sealed.
      appends.get(2).onFailure(e -> appends.add(log.append(record("a", "x", 3), true)));
      barrier.release();
      return null;
    })).compose(v -> Future.join(appends.subList(0, 3)).otherwiseEmpty())
        .compose(v -> appends.get(3))
        .compose(after -> {
          test.verify(() -> {
            assertThat(appends.get(0).result().index()).isZero();
            assertThat(appends.get(1).failed()).isTrue();
            assertThat(appends.get(2).failed()).isTrue();
            assertThat(after.index()).isEqualTo(3);
          });
          return mongo.findOne(AuditEntry.COLLECTION, new JsonObject().put("_id", 3L), null);
        })
        .compose(doc -> {
          test.verify(() -> assertThat(doc.getString("prev_hash")).isEqualTo(foreign.entryHash()));
          return new ChainVerifier(mongo).verify(0, 4, null);
        })
        .onComplete(test.succeeding(report -> test.verify(() -> {
          // Entry 1 landed although its waiter was told otherwise; the intruder's entry 2 is exposed by the chain.
          assertThat(report.firstBadIndex()).isEqualTo(2);
          assertThat(report.problem()).isEqualTo("prev_hash_mismatch");
          test.completeNow();
        })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void throughputOfDurableAppendsAgainstTheMemoryBackend(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    AuditLog log = log(new CountingBarrier(), 20_000, 1000);
    int count = 20_000;
    long[] started = new long[1];

    on(context, () -> log.start().compose(v -> {
      started[0] = System.nanoTime();
      List<Future<AuditReceipt>> receipts = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        receipts.add(log.append(record("user-" + i % 7, "art-" + i % 13, i), true));
      }
      return Future.all(receipts).map(all -> log.batchesWritten());
    })).onComplete(test.succeeding(batches -> test.verify(() -> {
      double seconds = (System.nanoTime() - started[0]) / 1e9;
      System.out.printf("audit throughput: %d durable appends in %.2f s = %.0f entries/s (%d batches)%n",
          count, seconds, count / seconds, batches);
      assertThat(batches).isLessThan(count);
      test.completeNow();
    })));
  }
}
