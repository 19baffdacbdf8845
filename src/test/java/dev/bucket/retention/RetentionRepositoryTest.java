package dev.bucket.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class RetentionRepositoryTest extends RetentionStoreTestBase {

  static final String KEY = "prod-a/report/3";
  static final RetentionPolicy POLICY = new RetentionPolicy(RetentionPolicy.DEFAULT_RETENTION_DAYS, 365);
  static final Instant DEFAULT_UNTIL = POLICY.defaultRetainUntil(T0);

  private RetentionRepository repository() {
    return new RetentionRepository(store, clock, 1000);
  }

  private static Instant days(long n) {
    return DEFAULT_UNTIL.plus(Duration.ofDays(n));
  }

  private Future<RetentionEvent> extend(RetentionRepository repo, Instant until) {
    return repo.extend(KEY, T0, POLICY, until, "owner", null);
  }

  @Test
  void changesAreStoredAsNumberedEventsAndFoldBackIntoTheState(VertxTestContext test) {
    RetentionRepository repo = repository();
    extend(repo, days(30))
        .compose(e -> repo.setHold(KEY, T0, POLICY, "owner", "subpoena"))
        .compose(e -> extend(repo, days(10)).transform(refused -> {
          assertThat(refused.cause()).isInstanceOf(RetentionRefusedException.class);
          assertThat(((RetentionRefusedException) refused.cause()).refusal().slug())
              .isEqualTo(RetentionRefusal.RETENTION_SHORTENING);
          return repo.releaseHold(KEY, T0, POLICY, "owner", "closed");
        }))
        .compose(e -> storedEvents())
        .compose(rows -> {
          assertThat(rows).extracting(KeyValue::key)
              .containsExactly(Keys.of(KEY, Keys.num(1)), Keys.of(KEY, Keys.num(2)), Keys.of(KEY, Keys.num(3)));
          assertThat(rows).extracting(row -> RetentionEvent.fromDocument(row.value()).seq()).containsExactly(1, 2, 3);
          // A second node with an empty cache folds the same state from the store.
          return repository().stateOf(KEY, T0, POLICY);
        })
        .onComplete(test.succeeding(state -> test.verify(() -> {
          assertThat(state.retainUntil()).isEqualTo(days(30));
          assertThat(state.legalHold()).isFalse();
          assertThat(state.tombstone()).isNull();
          assertThat(state.lastSeq()).isEqualTo(3);
          test.completeNow();
        })));
  }

  @Test
  void aVersionWithoutEventsHasThePolicyDefault(VertxTestContext test) {
    repository().stateOf(KEY, T0, new RetentionPolicy(30, 7)).onComplete(test.succeeding(state -> test.verify(() -> {
      assertThat(state.retainUntil()).isEqualTo(T0.plus(Duration.ofDays(30)));
      assertThat(state.lastSeq()).isZero();
      test.completeNow();
    })));
  }

  @Test
  void aVersionsEventsAreReadByPrefixScansOfGrowingPages(VertxTestContext test) {
    RetentionRepository writer = repository();
    Future<RetentionEvent> written = Future.succeededFuture();
    for (int i = 1; i <= 20; i++) {
      boolean set = i % 2 == 1;
      written = written.compose(e -> set ? writer.setHold(KEY, T0, POLICY, "owner", null)
          : writer.releaseHold(KEY, T0, POLICY, "owner", null));
    }
    written.compose(e -> writer.setHold("prod-a/report/30", T0, POLICY, "owner", "a neighbour's event"))
        .compose(e -> {
          scans.clear();
          return repository().events(KEY);
        }).onComplete(test.succeeding(events -> test.verify(() -> {
          assertThat(events).extracting(RetentionEvent::seq).containsExactlyElementsOf(range(1, 20));
          String prefix = Keys.prefix(KEY);
          assertThat(scans).containsExactly(new Scan(prefix, Keys.end(prefix), 16),
              new Scan(Keys.of(KEY, Keys.num(16)) + Keys.SEP, Keys.end(prefix), 32));
          test.completeNow();
        })));
  }

  @Test
  void anEmptyHistoryIsOneScanOfSixteenKeys(VertxTestContext test) {
    repository().events(KEY).onComplete(test.succeeding(events -> test.verify(() -> {
      assertThat(events).isEmpty();
      assertThat(scans).containsExactly(new Scan(Keys.prefix(KEY), Keys.end(Keys.prefix(KEY)), 16));
      test.completeNow();
    })));
  }

  @Test
  void concurrentExtensionsOfOneVersionCollideOnTheEventKeyAndTheLoserDecidesAgain(VertxTestContext test) {
    // Hold the first two commits until both are attempted: both writers have then decided on the empty history.
    List<Promise<Object>> held = new ArrayList<>();
    List<Runnable> releases = new ArrayList<>();
    AtomicInteger duplicates = new AtomicInteger();
    interceptor = (method, args, target) -> {
      if (!isEventCommit(method, args)) {
        return null;
      }
      if (held.size() < 2) {
        Promise<Object> result = Promise.promise();
        held.add(result);
        releases.add(() -> ((Future<?>) invoke(method, target, args)).map(o -> (Object) o)
            .onFailure(err -> duplicates.incrementAndGet()).onComplete(result));
        if (releases.size() == 2) {
          releases.forEach(Runnable::run);
        }
        return result.future();
      }
      return null;
    };
    RetentionRepository nodeA = repository();
    RetentionRepository nodeB = repository();
    Future<RetentionEvent> shorter = extend(nodeA, days(100));
    Future<RetentionEvent> longer = extend(nodeB, days(200));
    Future.join(shorter, longer)
        .transform(both -> storedEventIds())
        .compose(ids -> repository().stateOf(KEY, T0, POLICY).map(state -> {
          assertThat(duplicates).as("the two inserts collided").hasValue(1);
          assertThat(longer.succeeded()).isTrue();
          if (shorter.succeeded()) {
            // The shorter one won #1; the longer one re-read and extended again as #2.
            assertThat(shorter.result().seq()).isEqualTo(1);
            assertThat(longer.result().seq()).isEqualTo(2);
            assertThat(ids).containsExactly(KEY + "#1", KEY + "#2");
          } else {
            // The longer one won #1; the shorter one re-read and is now a shortening.
            assertThat(((RetentionRefusedException) shorter.cause()).refusal().slug())
                .isEqualTo(RetentionRefusal.RETENTION_SHORTENING);
            assertThat(longer.result().seq()).isEqualTo(1);
            assertThat(ids).containsExactly(KEY + "#1");
          }
          assertThat(state.retainUntil()).isEqualTo(days(200));
          assertThat(state.lastSeq()).isEqualTo(ids.size());
          return null;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void manyConcurrentChangesEachGetTheirOwnNumber(VertxTestContext test) {
    List<Future<RetentionEvent>> extensions = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      extensions.add(extend(repository(), days(i)));
    }
    Future.join(extensions)
        .transform(all -> storedEventIds())
        .compose(ids -> repository().events(KEY).map(events -> {
          List<Integer> seqs = extensions.stream().filter(Future::succeeded).map(f -> f.result().seq()).sorted()
              .toList();
          assertThat(seqs).containsExactlyElementsOf(range(1, ids.size()));
          assertThat(events).extracting(RetentionEvent::retainUntil).isSorted();
          assertThat(events.get(events.size() - 1).retainUntil()).isEqualTo(days(5));
          extensions.stream().filter(Future::failed).forEach(f -> assertThat(f.cause())
              .isInstanceOf(RetentionRefusedException.class));
          return null;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void aChangeThatKeepsLosingTheRaceGivesUpAfterBoundedAttemptsWritingNothing(VertxTestContext test) {
    // Event #1 exists, but every read of this node misses it: each attempt decides #1 again and collides.
    RetentionEvent existing = new RetentionEvent(RetentionEvent.Type.HOLD_SET, KEY, 1, T0, "owner", null, null);
    AtomicInteger inserts = new AtomicInteger();
    interceptor = (method, args, target) -> {
      if (method.getName().equals("scan")) {
        return Future.succeededFuture(List.of());
      }
      if (isEventCommit(method, args)) {
        inserts.incrementAndGet();
      }
      return null;
    };
    direct.commit(new Batch().insert(Space.RETENTION, RetentionRepository.eventKey(existing), existing.toDocument()))
        .compose(v -> extend(repository(), days(1)))
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(err).isInstanceOf(RetentionConflictException.class).hasMessageContaining("8 times");
          assertThat(inserts).hasValue(RetentionRepository.MAX_ATTEMPTS);
          storedEventIds().onComplete(test.succeeding(ids -> test.verify(() -> {
            assertThat(ids).containsExactly(KEY + "#1");
            test.completeNow();
          })));
        })));
  }

  @Test
  void aChangeCompletesOnlyWhenItsCommitHas(VertxTestContext test) {
    Promise<Void> commitCalled = Promise.promise();
    Promise<Void> durable = Promise.promise();
    interceptor = (method, args, target) -> {
      if (!isEventCommit(method, args)) {
        return null;
      }
      commitCalled.tryComplete();
      return durable.future().compose(v -> target.commit((Batch) args[0]));
    };
    Future<RetentionEvent> change = extend(repository(), days(1));
    commitCalled.future()
        .compose(v -> storedEventIds())
        .compose(ids -> {
          assertThat(ids).as("nothing stored before the commit").isEmpty();
          assertThat(change.isComplete()).as("not acknowledged before the commit").isFalse();
          durable.complete();
          return change;
        })
        .compose(event -> storedEventIds().map(ids -> {
          assertThat(ids).containsExactly(KEY + "#1");
          return event;
        }))
        .onComplete(test.succeeding(event -> test.verify(() -> {
          assertThat(event.seq()).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void aLocalWriteIsVisibleAtOnceWithoutAnotherRead(VertxTestContext test) {
    RetentionRepository repo = repository();
    repo.stateOf(KEY, T0, POLICY)
        .compose(before -> {
          assertThat(before.retainUntil()).isEqualTo(DEFAULT_UNTIL);
          return extend(repo, days(5));
        })
        .compose(e -> {
          scans.clear();
          return repo.stateOf(KEY, T0, POLICY);
        })
        .onComplete(test.succeeding(after -> test.verify(() -> {
          assertThat(after.retainUntil()).isEqualTo(days(5));
          assertThat(scans).as("served from the refreshed cache").isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void anotherNodesWriteShowsOnceTheCacheEntryExpires(VertxTestContext test) {
    RetentionRepository here = repository();
    RetentionRepository elsewhere = repository();
    here.stateOf(KEY, T0, POLICY)
        .compose(cached -> extend(elsewhere, days(7)))
        .compose(e -> here.stateOf(KEY, T0, POLICY))
        .compose(stale -> {
          assertThat(stale.retainUntil()).as("within the cache's second").isEqualTo(DEFAULT_UNTIL);
          clock.advance(RetentionRepository.CACHE_TTL.plusMillis(1));
          return here.stateOf(KEY, T0, POLICY);
        })
        .onComplete(test.succeeding(fresh -> test.verify(() -> {
          assertThat(fresh.retainUntil()).isEqualTo(days(7));
          test.completeNow();
        })));
  }

  @Test
  void aWriteDecidedOnAStaleCacheCollidesAndIsDecidedAgainOnTheStoredHistory(VertxTestContext test) {
    RetentionRepository here = repository();
    RetentionRepository elsewhere = repository();
    clock.set(DEFAULT_UNTIL.plusSeconds(1));
    here.stateOf(KEY, T0, POLICY)
        .compose(cached -> elsewhere.setHold(KEY, T0, POLICY, "owner", "late subpoena"))
        // Still cached as "no hold" here, but the tombstone must see the hold.
        .compose(e -> here.tombstone(KEY, T0, POLICY, "owner", null))
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(((RetentionRefusedException) err).refusal().slug()).isEqualTo(RetentionRefusal.LEGAL_HOLD);
          test.completeNow();
        })));
  }

  private static List<Integer> range(int first, int last) {
    List<Integer> values = new ArrayList<>();
    for (int i = first; i <= last; i++) {
      values.add(i);
    }
    return values;
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) {
    try {
      return method.invoke(target, args);
    } catch (ReflectiveOperationException e) {
      return Future.failedFuture(e.getCause() == null ? e : e.getCause());
    }
  }
}
