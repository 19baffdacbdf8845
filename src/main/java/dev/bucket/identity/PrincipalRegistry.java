package dev.bucket.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import dev.bucket.storage.DurabilityBarrier;
import dev.bucket.time.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every key and the principal it speaks for, in the {@code principals} collection: {@code _id} is the key's SHA-256
 * (see {@link ApiKeys}), {@code principal_id} is unique, so a principal has exactly one live key. Lookups are cached
 * for {@link #CACHE_TTL}: a suspension, release or revocation made on another node takes effect within that time; on
 * this node it takes effect at once (the entry is invalidated).
 */
public final class PrincipalRegistry {

  public static final String COLLECTION = "principals";
  static final Duration CACHE_TTL = Duration.ofSeconds(1);
  public static final String OWNER_ID = "owner";

  private final MongoClient mongo;
  private final DurabilityBarrier barrier;
  private final Clock clock;
  /** Negative answers are cached too, so a flood of made-up keys costs no store round trip per request. */
  private final Cache<String, Optional<Identity>> byKeyHash = Caffeine.newBuilder()
      .maximumSize(100_000).expireAfterWrite(CACHE_TTL).build();

  public PrincipalRegistry(MongoClient mongo, DurabilityBarrier barrier, Clock clock) {
    this.mongo = mongo;
    this.barrier = barrier;
    this.clock = clock;
  }

  public Future<Void> init() {
    return mongo.createIndexWithOptions(COLLECTION, new JsonObject().put("principal_id", 1),
        new IndexOptions().unique(true));
  }

  /**
   * On a store without an owner, registers {@code configuredKey} (BUCKET_OWNER_KEY) or, when empty, a new key.
   * Returns the generated key so the caller can show it once; empty when an owner exists or the key was configured.
   */
  public Future<Optional<String>> bootstrapOwner(String configuredKey) {
    return mongo.findOne(COLLECTION, new JsonObject().put("principal_id", OWNER_ID), new JsonObject().put("_id", 1))
        .compose(existing -> {
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
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", ApiKeys.hash(key)), new JsonObject())
        .map(doc -> doc != null && OWNER_ID.equals(doc.getString("principal_id")));
  }

  /** Registers a new principal and returns its key: the only moment the key exists outside the caller's hands. */
  public Future<String> create(Principal principal, String name, String createdBy) {
    String key = ApiKeys.generate();
    return insert(key, principal, name, createdBy).map(key);
  }

  private Future<Void> insert(String key, Principal principal, String name, String createdBy) {
    JsonObject doc = new JsonObject()
        .put("_id", ApiKeys.hash(key))
        .put("principal_id", principal.id())
        .put("role", principal.role().name())
        .put("product", principal.product())
        .put("name", name)
        .put("created_at", Timestamps.format(clock.instant()))
        .put("created_by", createdBy);
    return mongo.insert(COLLECTION, doc).compose(id -> barrier.sync());
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
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", hash), new JsonObject()).map(doc -> {
      Optional<Identity> identity = Optional.ofNullable(doc).map(PrincipalRegistry::identity);
      byKeyHash.put(hash, identity);
      return identity;
    });
  }

  public Future<Optional<Identity>> find(String principalId) {
    return mongo.findOne(COLLECTION, new JsonObject().put("principal_id", principalId), new JsonObject())
        .map(doc -> Optional.ofNullable(doc).map(PrincipalRegistry::identity));
  }

  /** Every principal, without key hashes (owner and auditor views). Small by nature: one row per key holder. */
  public Future<List<JsonObject>> list() {
    return mongo.find(COLLECTION, new JsonObject()).map(docs -> docs.stream().map(PrincipalRegistry::view).toList());
  }

  /** Governance lock: the principal keeps authenticating, but every write it attempts is answered 423. */
  public Future<Boolean> suspend(String principalId, String reason, String by) {
    return setSuspension(principalId, new JsonObject().put("$set", new JsonObject().put("suspension",
        new JsonObject().put("reason", reason).put("at", Timestamps.format(clock.instant())).put("by", by))));
  }

  public Future<Boolean> release(String principalId) {
    return setSuspension(principalId, new JsonObject().put("$unset", new JsonObject().put("suspension", "")));
  }

  private Future<Boolean> setSuspension(String principalId, JsonObject update) {
    return mongo.updateCollection(COLLECTION, new JsonObject().put("principal_id", principalId), update)
        .compose(result -> barrier.sync().map(result.getDocMatched() > 0))
        .onSuccess(v -> byKeyHash.invalidateAll());
  }

  /** Removes a key: the principal can no longer authenticate. Audit entries keep naming it. */
  public Future<Boolean> revoke(String principalId) {
    if (OWNER_ID.equals(principalId)) {
      return Future.failedFuture(new IllegalArgumentException("the owner key cannot be revoked"));
    }
    return mongo.removeDocument(COLLECTION, new JsonObject().put("principal_id", principalId))
        .compose(result -> barrier.sync().map(result.getRemovedCount() > 0))
        .onSuccess(v -> byKeyHash.invalidateAll());
  }

  public Future<Long> count(Role role, boolean suspendedOnly) {
    JsonObject query = new JsonObject().put("role", role.name());
    if (suspendedOnly) {
      query.put("suspension", new JsonObject().put("$exists", true));
    }
    return mongo.count(COLLECTION, query);
  }

  private static Identity identity(JsonObject doc) {
    Role role = Role.valueOf(doc.getString("role"));
    JsonObject s = doc.getJsonObject("suspension");
    return new Identity(new Principal(doc.getString("principal_id"), role, doc.getString("product")),
        doc.getString("name"), s == null ? null
            : new Identity.Suspension(s.getString("reason"), s.getString("at"), s.getString("by")));
  }

  private static JsonObject view(JsonObject doc) {
    JsonObject view = new JsonObject()
        .put("principal_id", doc.getString("principal_id"))
        .put("role", doc.getString("role").toLowerCase(java.util.Locale.ROOT))
        .put("name", doc.getString("name"))
        .put("created_at", doc.getString("created_at"))
        .put("created_by", doc.getString("created_by"))
        .put("suspended", doc.containsKey("suspension"));
    if (doc.getString("product") != null) {
      view.put("product", doc.getString("product"));
    }
    if (doc.containsKey("suspension")) {
      view.put("suspension", doc.getJsonObject("suspension").copy());
    }
    return view;
  }
}
