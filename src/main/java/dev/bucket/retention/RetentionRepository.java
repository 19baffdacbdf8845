package dev.bucket.retention;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import dev.bucket.artifact.Artifact;
import dev.bucket.storage.DurabilityBarrier;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Retention events in MongoDB ({@value RetentionEvent#COLLECTION}). Insert-only: an event is never updated or
 * deleted, and artifact version documents are not touched at all.
 *
 * <p><b>Concurrency.</b> A change reads the version's state, decides the next event with {@link RetentionRules} and
 * inserts it under {@code _id = <key>#<lastSeq + 1>}. Event numbers are dense (event n + 1 is only decided by someone
 * who has read event n), so an insert that succeeds proves the decision saw the whole history. Two concurrent changes
 * collide on the unique {@code _id}; the loser re-reads from the store and decides again (its change may now be
 * refused, e.g. an extension that is no longer later), up to {@link #MAX_ATTEMPTS} times, then fails with
 * {@link RetentionConflictException} having written nothing.
 *
 * <p><b>Reads.</b> A version's events are fetched by id only, {@code {_id: {$in: [key#1 … key#16]}}}, and while a page
 * comes back full the next, twice as large, is fetched (#17–#48, #49–#112, …): every query is served by the
 * {@code _id} index, also on the embedded server, which scans for anything else (decision 0003).
 *
 * <p><b>Durability.</b> A change completes only after the {@link DurabilityBarrier} following its insert: an
 * acknowledged change survives a crash. A change whose barrier fails is reported failed although its event may be
 * visible, as with artifact writes.
 *
 * <p><b>Cache.</b> Each version's events are cached for {@link #CACHE_TTL} (other nodes may append meanwhile). A
 * local write replaces the entry with the history it decided on plus its own event, which the successful insert
 * proves complete; a write that lost the race drops the entry. The state is folded from the events on each call,
 * which is cheap and keeps one entry valid for any policy. Histories only grow, so a slow read never replaces a
 * longer cached one, and a stale entry can only miss events, never invent them: the worst it does on the write path
 * is lose the insert race and re-read. Time, including the cache's, comes from the clock.
 */
public final class RetentionRepository {

  public static final String COLLECTION = RetentionEvent.COLLECTION;
  /** How long another node's change may take to show here. */
  public static final Duration CACHE_TTL = Duration.ofSeconds(1);
  /** Attempts at a change before giving up on concurrent writers. */
  public static final int MAX_ATTEMPTS = 8;
  /** Ids in the first read of a version's events; each following page is twice the previous. */
  static final int FIRST_PAGE = 16;

  private final MongoClient mongo;
  private final DurabilityBarrier barrier;
  private final Clock clock;
  private final Cache<String, List<RetentionEvent>> cache;

  public RetentionRepository(MongoClient mongo, DurabilityBarrier barrier, Clock clock, long maxCachedVersions) {
    this.mongo = mongo;
    this.barrier = barrier;
    this.clock = clock;
    Ticker ticker = () -> {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
    this.cache = Caffeine.newBuilder().maximumSize(maxCachedVersions).expireAfterWrite(CACHE_TTL).ticker(ticker)
        .build();
  }

  /** The clock this repository stamps events with and judges retention by. */
  public Clock clock() {
    return clock;
  }

  /** A version's state, from cache when fresh. */
  public Future<RetentionState> stateOf(String artifactKey, Instant createdAt, RetentionPolicy policy) {
    return cachedEvents(artifactKey).map(events -> RetentionState.fold(artifactKey, createdAt, policy, events));
  }

  public Future<RetentionState> stateOf(Artifact artifact, RetentionPolicy policy) {
    return stateOf(artifact.key(), createdAt(artifact), policy);
  }

  /**
   * Whether a version is tombstoned, from cache when fresh. Events are never removed, so a cached "yes" is final and
   * a stale "no" errs on the side of keeping bytes.
   */
  public Future<Boolean> tombstoned(String artifactKey) {
    return cachedEvents(artifactKey)
        .map(events -> events.stream().anyMatch(e -> e.type() == RetentionEvent.Type.TOMBSTONED));
  }

  /** A version's events in order, read from the store (not the cache) by id. */
  public Future<List<RetentionEvent>> events(String artifactKey) {
    return readPage(artifactKey, 1, FIRST_PAGE, new ArrayList<>()).onSuccess(events -> remember(artifactKey, events));
  }

  /** Extends retain-until to {@code newUntil}; refused unless it is later than the current one. */
  public Future<RetentionEvent> extend(String artifactKey, Instant createdAt, RetentionPolicy policy, Instant newUntil,
                                       String actor, String reason) {
    return change(artifactKey, createdAt, policy,
        (state, now) -> RetentionRules.extend(state, newUntil, now, actor, reason));
  }

  public Future<RetentionEvent> setHold(String artifactKey, Instant createdAt, RetentionPolicy policy, String actor,
                                        String reason) {
    return change(artifactKey, createdAt, policy, (state, now) -> RetentionRules.setHold(state, now, actor, reason));
  }

  public Future<RetentionEvent> releaseHold(String artifactKey, Instant createdAt, RetentionPolicy policy,
                                            String actor, String reason) {
    return change(artifactKey, createdAt, policy,
        (state, now) -> RetentionRules.releaseHold(state, now, actor, reason));
  }

  /**
   * Writes the tombstone event, durably. The bytes are not touched here: {@link Tombstoner} purges them afterwards,
   * so a crash in between leaves a tombstoned version whose bytes remain, never bytes gone without a record.
   */
  public Future<RetentionEvent> tombstone(String artifactKey, Instant createdAt, RetentionPolicy policy, String actor,
                                          String reason) {
    return change(artifactKey, createdAt, policy,
        (state, now) -> RetentionRules.tombstone(state, now, actor, reason));
  }

  static Instant createdAt(Artifact artifact) {
    return Instant.parse(artifact.createdAt());
  }

  private Future<RetentionEvent> change(String key, Instant createdAt, RetentionPolicy policy,
                                        BiFunction<RetentionState, Instant, Decision<RetentionEvent>> rule) {
    return attempt(key, createdAt, policy, rule, 1);
  }

  private Future<RetentionEvent> attempt(String key, Instant createdAt, RetentionPolicy policy,
                                         BiFunction<RetentionState, Instant, Decision<RetentionEvent>> rule,
                                         int attempt) {
    // The first attempt may decide on cached events: if they are stale the insert collides and we re-read.
    Future<List<RetentionEvent>> history = attempt == 1 ? cachedEvents(key) : events(key);
    return history.compose(events -> {
      RetentionState state = RetentionState.fold(key, createdAt, policy, events);
      RetentionEvent event = rule.apply(state, clock.instant()).orElseThrow();
      return mongo.insert(COLLECTION, event.toDocument())
          .transform(inserted -> {
            if (inserted.succeeded()) {
              List<RetentionEvent> now = new ArrayList<>(events);
              now.add(event);
              remember(key, List.copyOf(now));
              return barrier.sync().map(event);
            }
            cache.invalidate(key);
            if (!isDuplicateKey(inserted.cause())) {
              return Future.failedFuture(inserted.cause());
            }
            if (attempt >= MAX_ATTEMPTS) {
              return Future.failedFuture(new RetentionConflictException(key, attempt));
            }
            return attempt(key, createdAt, policy, rule, attempt + 1);
          });
    });
  }

  private Future<List<RetentionEvent>> cachedEvents(String key) {
    List<RetentionEvent> cached = cache.getIfPresent(key);
    return cached != null ? Future.succeededFuture(cached) : events(key);
  }

  /** Caches a history unless a longer one (a newer read or a local write) is cached already. */
  private void remember(String key, List<RetentionEvent> events) {
    cache.asMap().merge(key, events, (cached, fresh) -> fresh.size() >= cached.size() ? fresh : cached);
  }

  /** Events {@code first .. first + count - 1} by id; a full page means there may be more. */
  private Future<List<RetentionEvent>> readPage(String key, int first, int count, List<RetentionEvent> found) {
    JsonArray ids = new JsonArray();
    for (int seq = first; seq < first + count; seq++) {
      ids.add(RetentionEvent.id(key, seq));
    }
    return mongo.find(COLLECTION, new JsonObject().put("_id", new JsonObject().put("$in", ids))).compose(docs -> {
      for (JsonObject doc : docs) {
        found.add(RetentionEvent.fromDocument(doc));
      }
      if (docs.size() == count) {
        return readPage(key, first + count, count * 2, found);
      }
      found.sort(Comparator.comparingInt(RetentionEvent::seq));
      return Future.succeededFuture(List.copyOf(found));
    });
  }

  private static boolean isDuplicateKey(Throwable e) {
    return e instanceof MongoException me && ErrorCategory.fromErrorCode(me.getCode()) == ErrorCategory.DUPLICATE_KEY;
  }
}
