package dev.bucket.audit;

import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.Batch;
import dev.bucket.storage.Space;
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
class AuditLogTest extends StoreTestBase {

  private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

  private AuditLog log(int capacity, int maxBatch) {
    return new AuditLog(store, CLOCK, capacity, maxBatch);
  }

  @Test
  void canonicalBytesSurviveAStoreRoundTripExactly(VertxTestContext test) {
    JsonObject details = new JsonObject().put("big", (1L << 53) - 1).put("small", 3).put("flag", false)
        .put("none", (String) null)
        .put("nested", new JsonObject().put("list", new JsonArray().add("é✓😀").add(-7L)));
    AuditEntry written = HashChain.next(HashChain.EMPTY, new AuditRecord("alice", "prod-a", "audit.manual", null, 0,
        null, AuditRecord.Outcome.SUCCESS, 200, null, details), T0);

    insert(List.of(written))
        .compose(v -> stored(0))
        .onComplete(test.succeeding(doc -> test.verify(() -> {
          AuditEntry read = HashChain.verifiedEntry(0, doc);
          assertThat(read.canonicalBytes()).isEqualTo(written.canonicalBytes());
          assertThat(read.entryHash()).isEqualTo(written.entryHash());
          test.completeNow();
        })));
  }

  @Test
  void concurrentAppendsAreGroupCommittedIntoOneDenseChain(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    AuditLog log = log(20_000, 1000);
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
      return new ChainVerifier(store).verify(0, count, head.hash());
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
    store.hold();
    AuditLog log = log(3, 1000);

    on(context, () -> log.start().compose(v -> {
      // The first is in flight (its commit held), two more are queued: three accepted, the queue is full.
      log.append(record("a", "x", 1), true);
      log.append(record("a", "x", 2), false);
      log.append(record("a", "x", 3), true);
      return log.append(record("a", "x", 4), false);
    })).onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).isInstanceOf(AuditBackpressureException.class).hasMessageContaining("3");
      store.release();
      test.completeNow();
    })));
  }

  @Test
  void durableAppendsCompleteOnlyAfterTheirCommit(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    store.hold();
    AuditLog log = log(100, 1000);
    List<Future<AuditReceipt>> appends = new ArrayList<>();
    AtomicInteger commitsWhenAnswered = new AtomicInteger();

    on(context, () -> log.start().map(v -> {
      // Runs as the receipt is delivered, before the next batch (the accepted entry) is committed.
      appends.add(log.append(record("a", "x", 1), true)
          .onSuccess(receipt -> commitsWhenAnswered.set(store.commits.get())));
      appends.add(log.append(record("a", "x", 2), false));
      return null;
    })).compose(v -> store.firstCommit.future()).compose(v -> on(context, () -> {
      test.verify(() -> {
        assertThat(appends.get(0).isComplete()).as("durable append before its commit").isFalse();
        assertThat(appends.get(1).result().index()).as("accepted append is answered at once").isEqualTo(1);
        assertThat(log.head()).isEqualTo(HashChain.EMPTY);
      });
      store.release();
      return appends.get(0);
    })).onComplete(test.succeeding(receipt -> test.verify(() -> {
      assertThat(receipt.index()).isZero();
      assertThat(commitsWhenAnswered.get()).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void aRestartedLogContinuesTheChain(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    AuditLog first = log(100, 1000);
    AuditLog second = log(100, 1000);

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
          return new ChainVerifier(store).verify(0, 11, receipt.entryHash());
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
        .compose(v -> tamper(9, doc -> doc.put("actor", "mallory")))
        .compose(v -> on(context, () -> log(100, 1000).start()))
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
        .compose(v -> tamper(9, doc -> doc.put("status", 200)))
        .compose(v -> on(context, () -> log(100, 1000).start()))
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
    AuditLog log = log(100, 1000);
    AuditRecord commit = record("a", "x", 1);
    AuditRecord replay = new AuditRecord("b", commit.product(), commit.operation(), commit.artifactId(),
        commit.version(), commit.contentHash(), commit.outcome(), 200, null, null);

    on(context, () -> log.start()
        .compose(v -> log.append(commit, true))
        .compose(v -> log.append(replay, true))
        .compose(v -> log.append(replay, true))
        .compose(v -> log.append(commit, true).map(receipt -> (Throwable) null).otherwise(e -> e))
        .compose(duplicate -> {
          test.verify(() -> assertThat(duplicate).as("second commit of prod-a/x/1")
              .isInstanceOfSatisfying(KeyConflictException.class, conflict -> {
                assertThat(conflict.space()).isEqualTo(Space.AUDIT_INDEX);
                assertThat(conflict.key()).isEqualTo(AuditIndex.commit("prod-a/x/1"));
              }));
          // The log recovers behind the refused entry and goes on.
          return log.append(record("a", "x", 2), true);
        }))
        .compose(receipt -> {
          test.verify(() -> assertThat(receipt.index()).isEqualTo(3));
          return Future.all(new AuditQueries(store).commitIndex("prod-a", "x", 1),
              new AuditQueries(store).commitIndex("prod-a", "x", 2),
              new ChainVerifier(store).verify(0, 4, receipt.entryHash()));
        })
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<Long>resultAt(0)).isZero();
          assertThat(all.<Long>resultAt(1)).isEqualTo(3L);
          assertThat(all.<ChainReport>resultAt(2).ok()).as(all.<ChainReport>resultAt(2).detail()).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void aDuplicateCommitInABatchFailsAloneAndTheRestIsWrittenBehindIt(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    // Held until the rest is queued, so that everything after the first entry goes in one batch.
    store.hold();
    AuditLog log = log(100, 1000);
    List<Future<AuditReceipt>> appends = new ArrayList<>();

    on(context, () -> log.start().map(v -> {
      appends.add(log.append(record("a", "w", 1), true));
      appends.add(log.append(record("a", "x", 1), true));
      appends.add(log.append(record("b", "x", 1), true));
      appends.add(log.append(record("a", "y", 1), true));
      store.release();
      return null;
    })).compose(v -> Future.join(appends).otherwiseEmpty())
        .compose(v -> {
          test.verify(() -> {
            assertThat(appends.get(0).result().index()).isZero();
            assertThat(appends.get(1).result().index()).isEqualTo(1);
            assertThat(appends.get(2).cause()).isInstanceOf(KeyConflictException.class);
            assertThat(appends.get(3).result().index()).as("re-sealed behind the refused entry").isEqualTo(2);
            assertThat(store.commits.get()).as("the refused batch, then the rest of it").isEqualTo(3);
          });
          return new ChainVerifier(store).verify(0, 3, appends.get(3).result().entryHash());
        })
        .onComplete(test.succeeding(report -> test.verify(() -> {
          assertThat(report.ok()).as(report.detail()).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void writesThatGoWithAnEntryAreCommittedWithItAndATakenInsertRefusesItsEntryAlone(Vertx vertx,
                                                                                   VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    // Held until the rest is queued, so that everything after the first entry goes in one batch.
    store.hold();
    AuditLog log = log(100, 1000);
    List<Future<AuditReceipt>> appends = new ArrayList<>();

    on(context, () -> log.start().map(v -> {
      appends.add(log.append(record("a", "w", 1), true, version("w", "first")));
      appends.add(log.append(record("a", "x", 1), true, version("x", "winner")));
      // The same version as the entry before it, in the same batch: its insert is taken.
      appends.add(log.append(record("b", "x", 1), true, version("x", "loser")));
      appends.add(log.append(record("a", "y", 1), true, version("y", "after")));
      store.release();
      return null;
    })).compose(v -> Future.join(appends).otherwiseEmpty())
        .compose(v -> {
          test.verify(() -> {
            assertThat(appends.get(1).result().index()).isEqualTo(1);
            assertThat(appends.get(2).cause()).isInstanceOfSatisfying(KeyConflictException.class,
                conflict -> assertThat(conflict.space()).isEqualTo(Space.ARTIFACTS));
            assertThat(appends.get(3).result().index()).as("re-sealed behind the refused entry").isEqualTo(2);
          });
          return Future.all(rocks.get(Space.ARTIFACTS, "x"), rocks.get(Space.ARTIFACTS, "y"), stored(3));
        })
        .onComplete(test.succeeding(found -> test.verify(() -> {
          assertThat(found.<JsonObject>resultAt(0).getString("by")).isEqualTo("winner");
          assertThat(found.<JsonObject>resultAt(1).getString("by")).isEqualTo("after");
          assertThat(found.<JsonObject>resultAt(2)).as("no entry for the refused write").isNull();
          test.completeNow();
        })));
  }

  @Test
  void aBatchTheStoreRefusesWritesNeitherItsEntriesNorTheWritesThatGoWithThem(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    store.hold();
    AuditLog log = log(100, 1000);
    // Another writer's entry where the log's second entry will go: the batch of entries 1 and 2 fails as a whole.
    AuditEntry foreign = HashChain.next(new AuditHead(1, "f".repeat(64)), record("intruder", "z", 0), T0);
    List<Future<AuditReceipt>> appends = new ArrayList<>();

    on(context, () -> log.start().compose(v -> insert(List.of(foreign))).map(v -> {
      appends.add(log.append(record("a", "w", 1), true, version("w", "first")));
      appends.add(log.append(record("a", "x", 1), true, version("x", "refused")));
      appends.add(log.append(record("a", "y", 1), true, version("y", "refused")));
      store.release();
      return null;
    })).compose(v -> Future.join(appends).otherwiseEmpty())
        .compose(v -> {
          test.verify(() -> {
            assertThat(appends.get(0).succeeded()).isTrue();
            assertThat(appends.get(1).failed()).as("acknowledged none of the failed batch").isTrue();
            assertThat(appends.get(2).failed()).isTrue();
          });
          return Future.all(rocks.get(Space.ARTIFACTS, "w"), rocks.get(Space.ARTIFACTS, "x"),
              rocks.get(Space.ARTIFACTS, "y"));
        })
        .onComplete(test.succeeding(found -> test.verify(() -> {
          assertThat(found.<JsonObject>resultAt(0)).isNotNull();
          assertThat(found.<JsonObject>resultAt(1)).isNull();
          assertThat(found.<JsonObject>resultAt(2)).isNull();
          test.completeNow();
        })));
  }

  /** A version record inserted with its commit entry, as ingest writes it. */
  private static Batch version(String key, String by) {
    return new Batch().insert(Space.ARTIFACTS, key, new JsonObject().put("by", by));
  }

  @Test
  void aFailedBatchWritesNothingFailsItsWaitersAndTheQueueIsResealedBehindTheRealHead(Vertx vertx,
                                                                                      VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    // Held until all three are queued, so that entries 1 and 2 go in one batch.
    store.hold();
    AuditLog log = log(100, 1000);
    // Another writer's entry where the log's second entry will go: the second batch (entries 1, 2) fails on it as a
    // whole.
    AuditEntry foreign = HashChain.next(new AuditHead(1, "f".repeat(64)), record("intruder", "z", 0), T0);
    List<Future<AuditReceipt>> appends = new ArrayList<>();

    on(context, () -> log.start().compose(v -> insert(List.of(foreign))).map(v -> {
      appends.add(log.append(record("a", "x", 0), true));
      appends.add(log.append(record("a", "x", 1), true));
      appends.add(log.append(record("a", "x", 2), true));
      // Appended while the log recovers: sealed behind entry 2 as this log saw it, then re-sealed.
      appends.get(2).onFailure(e -> appends.add(log.append(record("a", "x", 3), true)));
      store.release();
      return null;
    })).compose(v -> Future.join(appends.subList(0, 3)).otherwiseEmpty())
        .compose(v -> appends.get(3))
        .compose(after -> {
          test.verify(() -> {
            assertThat(appends.get(0).result().index()).isZero();
            assertThat(appends.get(1).cause()).isInstanceOfSatisfying(KeyConflictException.class,
                conflict -> assertThat(conflict.key()).isEqualTo(AuditEntry.key(1)));
            assertThat(appends.get(2).failed()).isTrue();
            assertThat(after.index()).isEqualTo(2);
          });
          return Future.all(stored(1), stored(2));
        })
        .compose(docs -> {
          test.verify(() -> {
            assertThat(docs.<JsonObject>resultAt(0).getString("actor")).isEqualTo("intruder");
            assertThat(docs.<JsonObject>resultAt(1).getString("prev_hash")).isEqualTo(foreign.entryHash());
          });
          return new ChainVerifier(store).verify(0, 3, null);
        })
        .onComplete(test.succeeding(report -> test.verify(() -> {
          // The intruder's entry 1 is exposed by the chain.
          assertThat(report.firstBadIndex()).isEqualTo(1);
          assertThat(report.problem()).isEqualTo("prev_hash_mismatch");
          test.completeNow();
        })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void throughputOfDurableAppendsAgainstTheEmbeddedStore(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    AuditLog log = log(20_000, 1000);
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
