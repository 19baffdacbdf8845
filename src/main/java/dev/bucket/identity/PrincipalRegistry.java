package dev.bucket.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import dev.bucket.time.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Every key and the principal it speaks for, in {@link Space#PRINCIPALS}: {@code key␟<sha256>} holds the principal
 * under its key's SHA-256 (see {@link ApiKeys}; the key itself is never stored), {@code id␟<principal_id>} points to
 * that hash and is inserted with it, so a principal has exactly one live key. Lookups are cached for
 * {@link #CACHE_TTL}: a suspension, release or revocation made on another node takes effect within that time; on this
 * node it takes effect at once (the cache is invalidated).
 *
 * <p>A principal record changes only by compare-and-set: each change inserts {@code revision␟<sha256>␟<n>} with the
 * record's revision n, so of two concurrent changes (a suspension racing a revocation, say) one is refused and
 * retried on the new state, and a revoked key is never written back. The markers stay after a revocation for that
 * reason (a few bytes per change of a principal).
 *
 * <p>{@link Space#COUNTERS} holds, per role, how many keys there are and how many are suspended
 * ({@code principals␟<ROLE>}), changed in the same batches, so that {@code /health} counts with one point read.
 */
public final class PrincipalRegistry {

  static final Duration CACHE_TTL = Duration.ofSeconds(1);
  public static final String OWNER_ID = "owner";
  /** Most principals one listing returns; the next page starts after the last one listed. */
  public static final int LIST_PAGE = 500;
  /** Changes of one principal that lost a race are retried this many times before the caller sees the conflict. */
  private static final int CHANGE_ATTEMPTS = 5;
  private static final int MAX_ID_LENGTH = 256;

  private static final String KEY = "key";
  private static final String ID = "id";
  private static final String REVISION = "revision";

  /** One page of {@link #list}: {@code next} is the principal id to continue after, or null on the last page. */
  public record Page(List<JsonObject> principals, String next) {
  }

  private final Store store;
  private final Clock clock;
  /** Negative answers are cached too, so a flood of made-up keys costs no store round trip per request. */
  private final Cache<String, Optional<Identity>> byKeyHash = Caffeine.newBuilder()
      .maximumSize(100_000).expireAfterWrite(CACHE_TTL).build();

  public PrincipalRegistry(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  private static String keyRecord(String keyHash) {
    return Keys.of(KEY, keyHash);
  }

  /**
   * On a store without an owner, registers {@code configuredKey} (BUCKET_OWNER_KEY) or, when empty, a new key.
   * Returns the generated key so the caller can show it once; empty when an owner exists or the key was configured.
   */
  public Future<Optional<String>> bootstrapOwner(String configuredKey) {
    return store.get(Space.PRINCIPALS, Keys.of(ID, OWNER_ID)).compose(existing -> {
      if (existing != null) {
        return Future.succeededFuture(Optional.empty());
      }
      boolean generated = configuredKey.isEmpty();
      String key = generated ? ApiKeys.generate() : configuredKey;
      return insert(key, new Principal(OWNER_ID, Role.OWNER, null), "owner", "bootstrap")
          .map(v -> generated ? Optional.of(key) : Optional.<String>empty());
    });
  }

  /** True when the store's owner key is this one (used to warn when BUCKET_OWNER_KEY no longer applies). */
  public Future<Boolean> isOwnerKey(String key) {
    return store.get(Space.PRINCIPALS, keyRecord(ApiKeys.hash(key)))
        .map(record -> record != null && OWNER_ID.equals(record.getString("principal_id")));
  }

  /**
   * Registers a new principal and returns its key: the only moment the key exists outside the caller's hands. Fails
   * with {@link KeyConflictException} when the principal already has a key.
   */
  public Future<String> create(Principal principal, String name, String createdBy) {
    String key = ApiKeys.generate();
    return insert(key, principal, name, createdBy).map(key);
  }

  private Future<Void> insert(String key, Principal principal, String name, String createdBy) {
    String hash = ApiKeys.hash(key);
    JsonObject record = new JsonObject()
        .put("principal_id", principal.id())
        .put("role", principal.role().name())
        .put("product", principal.product())
        .put("name", name)
        .put("created_at", Timestamps.format(clock.instant()))
        .put("created_by", createdBy)
        .put("revision", 0);
    return store.commit(new Batch()
        .insert(Space.PRINCIPALS, keyRecord(hash), record)
        .insert(Space.PRINCIPALS, Keys.of(ID, principal.id()), new JsonObject().put("key_hash", hash))
        .increment(Space.COUNTERS, counter(principal.role()), new JsonObject().put("keys", 1)));
  }

  /** The identity a presented key speaks for, or empty for an unknown or revoked key. */
  public Future<Optional<Identity>> authenticate(String key) {
    if (!ApiKeys.plausible(key)) {
      return Future.succeededFuture(Optional.empty());
    }
    String hash = ApiKeys.hash(key);
    Optional<Identity> cached = byKeyHash.getIfPresent(hash);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return store.get(Space.PRINCIPALS, keyRecord(hash)).map(record -> {
      Optional<Identity> identity = Optional.ofNullable(record).map(PrincipalRegistry::identity);
      byKeyHash.put(hash, identity);
      return identity;
    });
  }

  public Future<Optional<Identity>> find(String principalId) {
    return record(principalId).map(found -> found.map(r -> identity(r.value())));
  }

  /** The principal's record with its key, if it has a key. */
  private Future<Optional<KeyValue>> record(String principalId) {
    if (principalId.length() > MAX_ID_LENGTH || principalId.indexOf(Keys.SEP) >= 0) {
      return Future.succeededFuture(Optional.empty()); // no such id was ever stored
    }
    return store.get(Space.PRINCIPALS, Keys.of(ID, principalId)).compose(pointer -> {
      if (pointer == null) {
        return Future.succeededFuture(Optional.empty());
      }
      String key = keyRecord(pointer.getString("key_hash"));
      return store.get(Space.PRINCIPALS, key).map(r -> Optional.ofNullable(r).map(value -> new KeyValue(key, value)));
    });
  }

  /**
   * Principals whose id starts with {@code idPrefix}, in id order, without key hashes (owner and auditor views): at
   * most {@link #LIST_PAGE} of them, after the principal id {@code after} (null: from the first).
   */
  public Future<Page> list(String idPrefix, String after) {
    String prefix = Keys.prefix(ID) + idPrefix;
    String from = after == null || Keys.of(ID, after).compareTo(prefix) < 0 ? prefix : Keys.of(ID, after);
    // One more than a page, plus the cursor's own record, tells whether another page follows.
    return store.scan(Space.PRINCIPALS, from, Keys.end(prefix), LIST_PAGE + 2, false).compose(pointers -> {
      List<KeyValue> page = pointers.stream().filter(p -> !p.key().equals(from)).limit(LIST_PAGE + 1L).toList();
      boolean more = page.size() > LIST_PAGE;
      List<KeyValue> listed = more ? page.subList(0, LIST_PAGE) : page;
      String next = more ? Keys.last(listed.get(listed.size() - 1).key()) : null;
      return store.getAll(Space.PRINCIPALS, listed.stream().map(p -> keyRecord(p.value().getString("key_hash")))
          .toList()).map(records -> new Page(records.values().stream().map(PrincipalRegistry::view).toList(), next));
    });
  }

  /** Governance lock: the principal keeps authenticating, but every write it attempts is answered 423. */
  public Future<Boolean> suspend(String principalId, String reason, String by) {
    JsonObject suspension = new JsonObject().put("reason", reason).put("at", Timestamps.format(clock.instant()))
        .put("by", by);
    return change(principalId, record -> record.copy().put("suspension", suspension), CHANGE_ATTEMPTS);
  }

  public Future<Boolean> release(String principalId) {
    return change(principalId, record -> {
      JsonObject released = record.copy();
      released.remove("suspension");
      return released;
    }, CHANGE_ATTEMPTS);
  }

  /** Removes a key: the principal can no longer authenticate. Audit entries keep naming it. */
  public Future<Boolean> revoke(String principalId) {
    if (OWNER_ID.equals(principalId)) {
      return Future.failedFuture(new IllegalArgumentException("the owner key cannot be revoked"));
    }
    return change(principalId, record -> null, CHANGE_ATTEMPTS);
  }

  /**
   * Replaces the principal's record by {@code how}'s answer (null: revokes the key) if no other change came first,
   * else retries on the new state. False when the principal has no key.
   */
  private Future<Boolean> change(String principalId, UnaryOperator<JsonObject> how, int attempts) {
    return record(principalId).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(false);
      }
      String key = found.get().key();
      JsonObject before = found.get().value();
      JsonObject after = how.apply(before);
      if (before.equals(after)) {
        return Future.succeededFuture(true);
      }
      long revision = before.getLong("revision", 0L) + 1;
      String marker = Keys.of(REVISION, Keys.last(key), Keys.num(revision));
      Batch batch = new Batch().insert(Space.PRINCIPALS, marker, new JsonObject());
      int suspended = (after != null && after.containsKey("suspension") ? 1 : 0)
          - (before.containsKey("suspension") ? 1 : 0);
      if (after == null) {
        batch.delete(Space.PRINCIPALS, key).delete(Space.PRINCIPALS, Keys.of(ID, principalId));
      } else {
        batch.put(Space.PRINCIPALS, key, after.put("revision", revision));
      }
      batch.increment(Space.COUNTERS, counter(Role.valueOf(before.getString("role"))),
          new JsonObject().put("keys", after == null ? -1 : 0).put("suspended", suspended));
      return store.commit(batch)
          .<Boolean>map(true)
          .recover(e -> e instanceof KeyConflictException conflict && conflict.key().equals(marker) && attempts > 1
              ? change(principalId, how, attempts - 1) : Future.failedFuture(e))
          .onSuccess(v -> byKeyHash.invalidateAll());
    });
  }

  /** How many keys of {@code role} exist, or only how many of them are suspended: one point read. */
  public Future<Long> count(Role role, boolean suspendedOnly) {
    return store.get(Space.COUNTERS, counter(role))
        .map(counts -> counts == null ? 0L : counts.getLong(suspendedOnly ? "suspended" : "keys", 0L));
  }

  private static String counter(Role role) {
    return Keys.of("principals", role.name());
  }

  private static Identity identity(JsonObject record) {
    Role role = Role.valueOf(record.getString("role"));
    JsonObject s = record.getJsonObject("suspension");
    return new Identity(new Principal(record.getString("principal_id"), role, record.getString("product")),
        record.getString("name"), s == null ? null
            : new Identity.Suspension(s.getString("reason"), s.getString("at"), s.getString("by")));
  }

  private static JsonObject view(JsonObject record) {
    JsonObject view = new JsonObject()
        .put("principal_id", record.getString("principal_id"))
        .put("role", record.getString("role").toLowerCase(java.util.Locale.ROOT))
        .put("name", record.getString("name"))
        .put("created_at", record.getString("created_at"))
        .put("created_by", record.getString("created_by"))
        .put("suspended", record.containsKey("suspension"));
    if (record.getString("product") != null) {
      view.put("product", record.getString("product"));
    }
    if (record.containsKey("suspension")) {
      view.put("suspension", record.getJsonObject("suspension").copy());
    }
    return view;
  }
}
