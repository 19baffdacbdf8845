package dev.bucket.artifact;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bucket.audit.AuditQueries;
import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Artifact versions in the {@link Store}. Insert-only: there is no update or delete here or anywhere else.
 *
 * <p><b>Layout.</b> {@link Space#ARTIFACTS}: {@code product␟artifact␟version} (version as {@link Keys#num}) → the
 * version's document, so an artifact's versions are adjacent and in order. {@link Space#ARTIFACT_INDEX}, written in
 * the batch that inserts the version they describe:
 * <ul>
 *   <li>{@code idem␟product␟idempotency-key} → {@code {artifact_id, version}}, inserted: a key is used once;</li>
 *   <li>{@code first␟product␟artifact} and {@code class␟product␟class␟artifact} (version 1): the listings;</li>
 *   <li>{@code holder␟artifact␟product} (version 1): the products that hold an artifact id;</li>
 *   <li>{@code payload␟ref␟<version key>}: the versions referencing a payload, for purges.</li>
 * </ul>
 * The same batch writes the audit log's marker of a version without its commit entry
 * ({@link AuditQueries#markUncommitted}), which crash recovery reads.
 * {@link Space#COUNTERS} {@code usage␟product} → {@code {bytes, versions}} is incremented in the same batch, so
 * start-up reads usage per product without reading artifacts.
 *
 * <p>Versions are immutable, so they are cached without expiry. The "latest version" pointer is the one thing that
 * moves; it is cached for {@link #LATEST_TTL} and refreshed on every local commit, so another node's new version
 * shows up here within that time. Writes never trust the cache: a new version is an insert of a unique key.
 */
public final class ArtifactRepository {

  static final Duration LATEST_TTL = Duration.ofSeconds(1);
  /** Keys per scan when a query returns everything under a prefix (an artifact's versions, a payload's users). */
  static final int SCAN_PAGE = 1000;

  private static final String IDEMPOTENCY = "idem";
  private static final String FIRST = "first";
  private static final String CLASS = "class";
  private static final String HOLDER = "holder";
  private static final String PAYLOAD = "payload";
  private static final String USAGE = "usage";
  private static final JsonObject MARKER = new JsonObject();

  private final Store store;
  private final Cache<String, Artifact> versions;
  private final Cache<String, Integer> latest;
  private final Cache<String, Buffer> views;

  public ArtifactRepository(Store store, long maxCachedVersions) {
    this.store = store;
    this.versions = Caffeine.newBuilder().maximumSize(maxCachedVersions).build();
    this.latest = Caffeine.newBuilder().maximumSize(maxCachedVersions).expireAfterWrite(LATEST_TTL).build();
    this.views = Caffeine.newBuilder().maximumSize(maxCachedVersions).build();
  }

  /**
   * Inserts a new version with its index keys and usage, atomically and durably, marked as lacking its commit entry
   * until crash recovery writes it: the state a crash between a version and its entry left in stores written before
   * versions were committed with their entries. Fails with {@link DuplicateArtifactException} if that version
   * exists, or {@link IdempotencyKeyTakenException} if its Idempotency-Key was used by another version; either way
   * nothing is written.
   */
  public Future<Void> insert(Artifact artifact) {
    Batch batch = writes(artifact);
    AuditQueries.markUncommitted(batch, artifact.productId(), artifact.artifactId(), artifact.version());
    return store.commit(batch)
        .recover(e -> Future.failedFuture(e instanceof KeyConflictException conflict ? taken(conflict) : e))
        .onSuccess(v -> stored(artifact));
  }

  /**
   * The writes that store a new version: its record and Idempotency-Key (both inserted, so a second writer of either
   * fails with {@link KeyConflictException}), its index keys and its product's usage. The caller commits them,
   * normally with the version's commit entry, then calls {@link #stored}.
   */
  public Batch writes(Artifact artifact) {
    String product = artifact.productId();
    String id = artifact.artifactId();
    String key = versionKey(product, id, artifact.version());
    Batch batch = new Batch().insert(Space.ARTIFACTS, key, artifact.toDocument());
    if (artifact.idempotencyKey() != null) {
      batch.insert(Space.ARTIFACT_INDEX, Keys.of(IDEMPOTENCY, product, artifact.idempotencyKey()),
          new JsonObject().put("artifact_id", id).put("version", artifact.version()));
    }
    if (artifact.version() == 1) {
      batch.put(Space.ARTIFACT_INDEX, Keys.of(FIRST, product, id), MARKER)
          .put(Space.ARTIFACT_INDEX, Keys.of(CLASS, product, artifact.artifactClass(), id), MARKER)
          .put(Space.ARTIFACT_INDEX, Keys.of(HOLDER, id, product), MARKER);
    }
    return batch.put(Space.ARTIFACT_INDEX, Keys.prefix(PAYLOAD, artifact.payloadRef()) + key, MARKER)
        .increment(Space.COUNTERS, Keys.of(USAGE, product),
            new JsonObject().put("bytes", artifact.size()).put("versions", 1));
  }

  /**
   * The version's public representation ({@link Artifact#toView()}) as encoded JSON. A version never changes, so it
   * is encoded once and the same bytes are served to every reader.
   */
  public Buffer view(Artifact artifact) {
    return views.get(artifact.key(), key -> artifact.toView().toBuffer());
  }

  /** Caches a version whose {@link #writes} were committed: reads of it and of its artifact's latest need no I/O. */
  public void stored(Artifact artifact) {
    versions.put(artifact.key(), artifact);
    latest.asMap().merge(latestKey(artifact.productId(), artifact.artifactId()), artifact.version(), Math::max);
  }

  /**
   * The exception of a lost insert of {@link #writes}: {@link DuplicateArtifactException} for the version's own key,
   * {@link IdempotencyKeyTakenException} for its Idempotency-Key, or null for a key that is neither.
   */
  public static RuntimeException lostInsert(KeyConflictException conflict) {
    if (conflict.space() == Space.ARTIFACTS) {
      return new DuplicateArtifactException();
    }
    return conflict.space() == Space.ARTIFACT_INDEX && conflict.key().startsWith(Keys.prefix(IDEMPOTENCY))
        ? new IdempotencyKeyTakenException() : null;
  }

  private static RuntimeException taken(KeyConflictException conflict) {
    RuntimeException lost = lostInsert(conflict);
    return lost != null ? lost : conflict;
  }

  /** Bytes and versions stored per product, for the in-memory usage meter: a read of the counters, at start. */
  public Future<Map<String, long[]>> usageByProduct() {
    return scanAll(Space.COUNTERS, Keys.prefix(USAGE)).map(rows -> {
      Map<String, long[]> usage = new HashMap<>();
      rows.forEach(row -> usage.put(Keys.last(row.key()),
          new long[] {row.value().getLong("bytes", 0L), row.value().getLong("versions", 0L)}));
      return usage;
    });
  }

  /** A version, or null when it does not exist. */
  public Future<Artifact> findVersion(String product, String artifactId, int version) {
    Artifact cached = versions.getIfPresent(Artifact.key(product, artifactId, version));
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return store.get(Space.ARTIFACTS, versionKey(product, artifactId, version)).map(this::cache);
  }

  /** The newest version, or null when the artifact does not exist. */
  public Future<Artifact> findLatest(String product, String artifactId) {
    Integer version = latest.getIfPresent(latestKey(product, artifactId));
    if (version != null) {
      return findVersion(product, artifactId, version);
    }
    return findLatestUncached(product, artifactId);
  }

  /** The newest version read from the store itself (the last key of the artifact), for the write path's checks. */
  public Future<Artifact> findLatestUncached(String product, String artifactId) {
    return store.scanPrefix(Space.ARTIFACTS, Keys.prefix(product, artifactId), 1, true).map(newest -> {
      if (newest.isEmpty()) {
        return null;
      }
      Artifact artifact = cache(newest.get(0).value());
      latest.put(latestKey(product, artifactId), artifact.version());
      return artifact;
    });
  }

  /** The version an Idempotency-Key of the product created, or null. */
  public Future<Artifact> findByIdempotencyKey(String product, String idempotencyKey) {
    return store.get(Space.ARTIFACT_INDEX, Keys.of(IDEMPOTENCY, product, idempotencyKey)).compose(target ->
        target == null ? Future.succeededFuture()
            : findVersion(product, target.getString("artifact_id"), target.getInteger("version")));
  }

  /**
   * Every version of an artifact, oldest first (for integrity checks), read in scans of {@link #SCAN_PAGE}: the cost
   * is that artifact's history, whatever else is stored.
   */
  public Future<List<Artifact>> versions(String product, String artifactId) {
    return scanAll(Space.ARTIFACTS, Keys.prefix(product, artifactId))
        .map(rows -> rows.stream().map(row -> cache(row.value())).toList());
  }

  /** Versions {@code from..to} (inclusive) that exist, oldest first, in one bounded scan. */
  public Future<List<Artifact>> versions(String product, String artifactId, int from, int to) {
    if (from > to) {
      return Future.succeededFuture(List.of());
    }
    return store.scan(Space.ARTIFACTS, versionKey(product, artifactId, from),
            after(versionKey(product, artifactId, to)), to - from + 1, false)
        .map(rows -> rows.stream().map(row -> cache(row.value())).toList());
  }

  /** Products that hold an artifact with this id (ids are unique per product, not across products). */
  public Future<List<String>> productsHolding(String artifactId) {
    return scanAll(Space.ARTIFACT_INDEX, Keys.prefix(HOLDER, artifactId))
        .map(rows -> rows.stream().map(row -> Keys.last(row.key())).toList());
  }

  /**
   * First versions of a product's artifacts (of one class, unless null) in artifact id order after
   * {@code afterArtifactId} (null: from the start), at most {@code limit}: one index scan and one batched read.
   */
  public Future<List<Artifact>> list(String product, String artifactClass, String afterArtifactId, int limit) {
    String prefix = artifactClass == null ? Keys.prefix(FIRST, product) : Keys.prefix(CLASS, product, artifactClass);
    String from = afterArtifactId == null ? prefix : after(prefix + afterArtifactId);
    return store.scan(Space.ARTIFACT_INDEX, from, Keys.end(prefix), limit, false).compose(rows -> {
      List<String> keys = rows.stream().map(row -> versionKey(product, Keys.last(row.key()), 1)).toList();
      return read(keys);
    });
  }



  /**
   * The names ({@link Artifact#key()}) of the versions whose document references payload {@code ref}, in key order:
   * scans of the payload index, so the cost is the number of such versions.
   */
  public Future<List<String>> referencing(String ref) {
    return scanAll(Space.ARTIFACT_INDEX, Keys.prefix(PAYLOAD, ref)).map(rows -> rows.stream().map(row -> {
      String[] parts = versionKeyIn(row.key()).split(String.valueOf(Keys.SEP));
      return Artifact.key(parts[0], parts[1], (int) Keys.parseNum(parts[2]));
    }).toList());
  }

  /** The documents at {@code keys} that exist, in that order, in one read. */
  private Future<List<Artifact>> read(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return store.getAll(Space.ARTIFACTS, keys).map(found -> keys.stream().map(found::get)
        .filter(Objects::nonNull).map(this::cache).toList());
  }

  /** Every record under {@code prefix}, in scans of {@link #SCAN_PAGE} keys. */
  private Future<List<KeyValue>> scanAll(Space space, String prefix) {
    return scanFrom(space, prefix, Keys.end(prefix), new ArrayList<>());
  }

  private Future<List<KeyValue>> scanFrom(Space space, String from, String to, List<KeyValue> found) {
    return store.scan(space, from, to, SCAN_PAGE, false).compose(page -> {
      found.addAll(page);
      return page.size() < SCAN_PAGE ? Future.succeededFuture(found)
          : scanFrom(space, after(page.get(page.size() - 1).key()), to, found);
    });
  }

  /** The store key of a version: its version padded so an artifact's versions sort in order. */
  private static String versionKey(String product, String artifactId, int version) {
    return Keys.of(product, artifactId, Keys.num(version));
  }

  /** The version key an index key ends with (its last three parts). */
  private static String versionKeyIn(String indexKey) {
    int cut = indexKey.length();
    for (int part = 0; part < 3; part++) {
      cut = indexKey.lastIndexOf(Keys.SEP, cut - 1);
    }
    return indexKey.substring(cut + 1);
  }

  /**
   * The first scan bound past {@code key} and everything it prefixes. No stored key extends a complete key of ours
   * with a separator, and ids hold no characters below it, so nothing lies between.
   */
  private static String after(String key) {
    return key + Keys.SEP;
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
