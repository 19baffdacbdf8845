package dev.bucket.artifact;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.time.Duration;
import java.util.List;

/**
 * Artifact documents in MongoDB. Insert-only: there is no update or delete here or anywhere else.
 *
 * <p>Versions are immutable, so they are cached without expiry. The "latest version" pointer is the one thing that
 * moves; it is cached for {@link #LATEST_TTL} and refreshed on every local commit, so another node's new version
 * shows up here within that time. Writes never trust the cache: a new version is an insert of a unique key.
 */
public final class ArtifactRepository {

  public static final String COLLECTION = "artifacts";
  static final Duration LATEST_TTL = Duration.ofSeconds(1);

  private final MongoClient mongo;
  private final Cache<String, Artifact> versions;
  private final Cache<String, Integer> latest;

  public ArtifactRepository(MongoClient mongo, long maxCachedVersions) {
    this.mongo = mongo;
    this.versions = Caffeine.newBuilder().maximumSize(maxCachedVersions).build();
    this.latest = Caffeine.newBuilder().maximumSize(maxCachedVersions).expireAfterWrite(LATEST_TTL).build();
  }

  public Future<Void> init() {
    return Future.all(
        mongo.createIndex(COLLECTION, new JsonObject().put("product_id", 1).put("artifact_id", 1).put("version", -1)),
        mongo.createIndex(COLLECTION, new JsonObject().put("product_id", 1).put("version", 1).put("_id", 1)),
        mongo.createIndex(COLLECTION, new JsonObject().put("created_at", 1)),
        mongo.createIndexWithOptions(COLLECTION, new JsonObject().put("idempotency_scope", 1),
            new IndexOptions().unique(true).sparse(true))).mapEmpty();
  }

  /** Inserts a new version; fails with {@link DuplicateArtifactException} if that version already exists. */
  public Future<Void> insert(Artifact artifact) {
    return mongo.insert(COLLECTION, artifact.toDocument())
        .recover(e -> Future.failedFuture(isDuplicateKey(e) ? new DuplicateArtifactException() : e))
        .onSuccess(id -> {
          versions.put(artifact.key(), artifact);
          latest.asMap().merge(latestKey(artifact.productId(), artifact.artifactId()), artifact.version(), Math::max);
        })
        .mapEmpty();
  }

  /** A version, or null when it does not exist. */
  public Future<Artifact> findVersion(String product, String artifactId, int version) {
    String key = Artifact.key(product, artifactId, version);
    Artifact cached = versions.getIfPresent(key);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", key), null).map(doc -> cache(doc));
  }

  /** The newest version, or null when the artifact does not exist. */
  public Future<Artifact> findLatest(String product, String artifactId) {
    Integer version = latest.getIfPresent(latestKey(product, artifactId));
    if (version != null) {
      return findVersion(product, artifactId, version);
    }
    return findLatestUncached(product, artifactId);
  }

  /** The newest version read from the store itself, for the write path's precondition checks. */
  public Future<Artifact> findLatestUncached(String product, String artifactId) {
    FindOptions options = new FindOptions().setSort(new JsonObject().put("version", -1)).setLimit(1);
    return mongo.findWithOptions(COLLECTION, new JsonObject().put("product_id", product).put("artifact_id", artifactId),
        options).map(docs -> {
          if (docs.isEmpty()) {
            return null;
          }
          Artifact artifact = cache(docs.get(0));
          latest.put(latestKey(product, artifactId), artifact.version());
          return artifact;
        });
  }

  public Future<Artifact> findByIdempotencyKey(String product, String idempotencyKey) {
    return mongo.findOne(COLLECTION, new JsonObject()
        .put("idempotency_scope", Artifact.idempotencyScope(product, idempotencyKey)), null).map(this::cache);
  }

  /** Every version of an artifact, oldest first. */
  public Future<List<Artifact>> versions(String product, String artifactId) {
    return mongo.findWithOptions(COLLECTION, new JsonObject().put("product_id", product).put("artifact_id", artifactId),
        new FindOptions().setSort(new JsonObject().put("version", 1))).map(docs -> docs.stream().map(this::cache).toList());
  }

  /** Products that hold an artifact with this id (ids are unique per product, not across products). */
  public Future<List<String>> productsHolding(String artifactId) {
    return mongo.distinctWithQuery(COLLECTION, "product_id", String.class.getName(),
        new JsonObject().put("artifact_id", artifactId).put("version", 1))
        .map(array -> array.stream().map(Object::toString).toList());
  }

  /** First versions of a product's artifacts in key order after {@code cursor}, at most {@code limit}. */
  public Future<List<Artifact>> list(String product, String artifactClass, String cursor, int limit) {
    JsonObject query = new JsonObject().put("product_id", product).put("version", 1);
    if (artifactClass != null) {
      query.put("artifact_class", artifactClass);
    }
    if (cursor != null) {
      query.put("_id", new JsonObject().put("$gt", cursor));
    }
    FindOptions options = new FindOptions().setSort(new JsonObject().put("_id", 1)).setLimit(limit);
    return mongo.findWithOptions(COLLECTION, query, options).map(docs -> docs.stream().map(this::cache).toList());
  }

  /** Versions created at or after {@code createdAt} (ISO-8601), for crash recovery. */
  public Future<List<Artifact>> createdSince(String createdAt) {
    return mongo.find(COLLECTION, new JsonObject().put("created_at", new JsonObject().put("$gte", createdAt)))
        .map(docs -> docs.stream().map(Artifact::fromDocument).toList());
  }

  private Artifact cache(JsonObject doc) {
    if (doc == null) {
      return null;
    }
    Artifact artifact = Artifact.fromDocument(doc);
    versions.put(artifact.key(), artifact);
    return artifact;
  }

  private static String latestKey(String product, String artifactId) {
    return product + "/" + artifactId;
  }

  private static boolean isDuplicateKey(Throwable e) {
    return e instanceof MongoException me && ErrorCategory.fromErrorCode(me.getCode()) == ErrorCategory.DUPLICATE_KEY;
  }
}
