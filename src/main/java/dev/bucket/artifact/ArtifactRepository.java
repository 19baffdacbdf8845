package dev.bucket.artifact;

import dev.bucket.storage.MongoErrors;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.time.Duration;
import java.util.Comparator;
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
        .recover(e -> Future.failedFuture(MongoErrors.isDuplicateKey(e) ? new DuplicateArtifactException() : e))
        .onSuccess(id -> {
          versions.put(artifact.key(), artifact);
          latest.asMap().merge(latestKey(artifact.productId(), artifact.artifactId()), artifact.version(), Math::max);
        })
        .mapEmpty();
  }

  /** A version, or null when it does not exist. */
  /**
   * Bytes and versions stored per product, for the in-memory usage meter; one pass over the collection at start
   * (an aggregation on MongoDB, a scan on the embedded server), never on a request path.
   */
  public Future<java.util.Map<String, long[]>> usageByProduct() {
    JsonArray pipeline = new JsonArray().add(new JsonObject().put("$group", new JsonObject()
        .put("_id", "$product_id")
        .put("bytes", new JsonObject().put("$sum", "$size"))
        .put("versions", new JsonObject().put("$sum", 1))));
    io.vertx.core.Promise<java.util.Map<String, long[]>> result = io.vertx.core.Promise.promise();
    java.util.Map<String, long[]> usage = new java.util.HashMap<>();
    mongo.aggregate(COLLECTION, pipeline)
        .exceptionHandler(result::tryFail)
        .endHandler(v -> result.tryComplete(usage))
        .handler(row -> usage.put(row.getString("_id"), new long[] {row.getLong("bytes", 0L),
            row.getLong("versions", 0L)}));
    return result.future();
  }

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

  /**
   * The newest version read from the store itself, for the write path's precondition checks. Versions are dense
   * (n+1 is only ever inserted after n), so the newest is found by probing document keys: galloping up from the
   * cached hint, then bisecting. Every probe is an _id lookup, which any MongoDB-wire server serves from its primary
   * index (the embedded server ignores non-unique indexes, so a query on product and artifact would scan).
   */
  public Future<Artifact> findLatestUncached(String product, String artifactId) {
    Integer hint = latest.getIfPresent(latestKey(product, artifactId));
    int start = hint == null ? 1 : hint;
    return findVersion(product, artifactId, start).compose(found -> {
      if (found == null) {
        return start == 1 ? Future.succeededFuture(null) : gallop(product, artifactId, 0, 1, 1);
      }
      return gallop(product, artifactId, start, start + 1, 1);
    }).map(newest -> {
      if (newest != null) {
        latest.put(latestKey(product, artifactId), newest.version());
      }
      return newest;
    });
  }

  /** {@code known} exists (0 = none known); probes {@code known + step}, doubling the step until a version is missing. */
  private Future<Artifact> gallop(String product, String artifactId, int known, int probe, int step) {
    return findVersion(product, artifactId, probe).compose(found -> found != null
        ? gallop(product, artifactId, probe, probe + step * 2, step * 2)
        : bisect(product, artifactId, known, probe));
  }

  /** Version {@code present} exists (or is 0), {@code absent} does not: narrow down to the last existing one. */
  private Future<Artifact> bisect(String product, String artifactId, int present, int absent) {
    if (absent - present <= 1) {
      return present == 0 ? Future.succeededFuture(null) : findVersion(product, artifactId, present);
    }
    int middle = present + (absent - present) / 2;
    return findVersion(product, artifactId, middle).compose(found -> found != null
        ? bisect(product, artifactId, middle, absent) : bisect(product, artifactId, present, middle));
  }

  public Future<Artifact> findByIdempotencyKey(String product, String idempotencyKey) {
    return mongo.findOne(COLLECTION, new JsonObject()
        .put("idempotency_scope", Artifact.idempotencyScope(product, idempotencyKey)), null).map(this::cache);
  }

  /** Every version of an artifact, oldest first. */
  public Future<List<Artifact>> versions(String product, String artifactId) {
    return findLatestUncached(product, artifactId).compose(newest -> newest == null
        ? Future.succeededFuture(List.of()) : versions(product, artifactId, 1, newest.version()));
  }

  /** Versions {@code from..to} (inclusive) that exist, oldest first, fetched by key in one round trip. */
  public Future<List<Artifact>> versions(String product, String artifactId, int from, int to) {
    JsonArray keys = new JsonArray();
    for (int v = from; v <= to; v++) {
      keys.add(Artifact.key(product, artifactId, v));
    }
    return mongo.find(COLLECTION, new JsonObject().put("_id", new JsonObject().put("$in", keys)))
        .map(docs -> docs.stream().map(this::cache).sorted(Comparator.comparingInt(Artifact::version)).toList());
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
}
