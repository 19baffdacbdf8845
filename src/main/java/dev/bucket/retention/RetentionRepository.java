package dev.bucket.retention;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.bucket.artifact.Artifact;
import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Retention events in the {@link Store} ({@link Space#RETENTION}, key {@code <artifact key>␟<seq>} with the sequence
 * number as {@link Keys#num}). Insert-only: an event is never updated or deleted, and artifact versions are not
 * touched at all.
 *
 * <p><b>Concurrency.</b> A change reads the version's state, decides the next event with {@link RetentionRules} and
 * inserts it under sequence number {@code lastSeq + 1}. Event numbers are dense (event n + 1 is only decided by
 * someone who has read event n), so an insert that succeeds proves the decision saw the whole history. Two concurrent
 * changes collide on the insert-only key; the loser re-reads from the store and decides again (its change may now be
 * refused, e.g. an extension that is no longer later), up to {@link #MAX_ATTEMPTS} times, then fails with
 * {@link RetentionConflictException} having written nothing.
 *
 * <p><b>Reads.</b> A version's events are adjacent keys: one prefix scan of {@link #FIRST_PAGE} keys, and while a
 * page comes back full the next, twice as large, continues after it. The cost is that version's history.
 *
 * <p><b>Durability.</b> A change completes when its commit has: an acknowledged change survives a crash.
 *
 * <p><b>Cache.</b> Each version's events are cached for {@link #CACHE_TTL} (other nodes may append meanwhile). A
 * local write replaces the entry with the history it decided on plus its own event, which the successful insert
 * proves complete; a write that lost the race drops the entry. The state is folded from the events on each call,
 * which is cheap and keeps one entry valid for any policy. Histories only grow, so a slow read never replaces a
 * longer cached one, and a stale entry can only miss events, never invent them: the worst it does on the write path
 * is lose the insert race and re-read. Time, including the cache's, comes from the clock.
 */
public final class RetentionRepository {

  /** How long another node's change may take to show here. */
  public static final Duration CACHE_TTL = Duration.ofSeconds(1);
  /** Attempts at a change before giving up on concurrent writers. */
  public static final int MAX_ATTEMPTS = 8;
  /** Keys in the first scan of a version's events; each following scan is twice the previous. */
  static final int FIRST_PAGE = 16;

  private final Store store;
  private final Clock clock;
  private final Cache<String, List<RetentionEvent>> cache;

  public RetentionRepository(Store store, Clock clock, long maxCachedVersions) {
    this.store = store;
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

  /** A version's events in order, read from the store (not the cache). */
  public Future<List<RetentionEvent>> events(String artifactKey) {
    String prefix = Keys.prefix(artifactKey);
    return readPage(prefix, prefix, FIRST_PAGE, new ArrayList<>()).onSuccess(events -> remember(artifactKey, events));
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
      return store.commit(new Batch().insert(Space.RETENTION, eventKey(event), event.toDocument()))
          .transform(inserted -> {
            if (inserted.succeeded()) {
              List<RetentionEvent> now = new ArrayList<>(events);
              now.add(event);
              remember(key, List.copyOf(now));
              return Future.succeededFuture(event);
            }
            cache.invalidate(key);
            if (!(inserted.cause() instanceof KeyConflictException)) {
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

  /**
   * Events from key {@code from} on, {@code count} at a time; a full page means there may be more. A page continues
   * after the last key of the previous one (the key followed by a separator: no event key extends another).
   */
  private Future<List<RetentionEvent>> readPage(String prefix, String from, int count, List<RetentionEvent> found) {
    return store.scan(Space.RETENTION, from, Keys.end(prefix), count, false).compose(rows -> {
      rows.forEach(row -> found.add(RetentionEvent.fromDocument(row.value())));
      if (rows.size() == count) {
        return readPage(prefix, rows.get(rows.size() - 1).key() + Keys.SEP, count * 2, found);
      }
      return Future.succeededFuture(List.copyOf(found));
    });
  }

  /** The store key of an event: its version's key and its number, so a version's events are adjacent, in order. */
  static String eventKey(RetentionEvent event) {
    return Keys.of(event.artifactKey(), Keys.num(event.seq()));
  }
}
