package dev.bucket.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;

import java.util.List;

/**
 * Read side of the audit log. Every listing is newest first and pages backwards: pass the smallest index of the
 * previous page as {@code beforeIndex} (null for the newest page). Each is served by one of the indexes
 * {@link AuditLog#start()} creates ({@code {field: 1, _id: 1}}). Entries are returned as stored, unverified; use
 * {@link ChainVerifier} to check them.
 */
public final class AuditQueries {

  /** Most entries one call returns. */
  public static final int MAX_LIMIT = 1000;

  static final String CREATE = "artifact.create";
  static final String VERSION = "artifact.version";
  static final int COMMIT_STATUS = 201;

  private final MongoClient mongo;

  public AuditQueries(MongoClient mongo) {
    this.mongo = mongo;
  }

  /** Entries concerning an artifact, optionally only within {@code product} (null for any). */
  public Future<List<AuditEntry>> byArtifact(String artifactId, String product, Long beforeIndex, int limit) {
    JsonObject query = new JsonObject().put("artifact_id", artifactId);
    if (product != null) {
      query.put("product", product);
    }
    return list(query, beforeIndex, limit);
  }

  public Future<List<AuditEntry>> byActor(String actor, Long beforeIndex, int limit) {
    return list(new JsonObject().put("actor", actor), beforeIndex, limit);
  }

  public Future<List<AuditEntry>> recent(Long beforeIndex, int limit) {
    return list(new JsonObject(), beforeIndex, limit);
  }

  /** Refused and failed operations. */
  public Future<List<AuditEntry>> failed(Long beforeIndex, int limit) {
    return list(new JsonObject().put("outcome", new JsonObject().put("$ne", AuditRecord.Outcome.SUCCESS.wire())),
        beforeIndex, limit);
  }

  /**
   * The entry that recorded the commit of {@code artifactId} version {@code version} in {@code product}, or null if
   * there is none (the artifact's audit entry was lost, e.g. in a crash between the two writes).
   */
  public Future<AuditEntry> commitEntry(String product, String artifactId, int version) {
    JsonObject query = commits().put("artifact_id", artifactId).put("product", product).put("version", version);
    return first(query, 1).map(doc -> doc == null ? null : AuditEntry.fromDocument(doc));
  }

  /** The index of {@link #commitEntry}, or null. */
  public Future<Long> commitIndex(String product, String artifactId, int version) {
    return commitEntry(product, artifactId, version).map(entry -> entry == null ? null : entry.index());
  }

  /** Timestamp of the newest commit entry, or null if the log records none. */
  public Future<String> lastCommitTimestamp() {
    return first(commits(), -1).map(doc -> doc == null ? null : doc.getString("ts"));
  }

  /** The entry at {@code index}, or null if there is none. */
  public Future<AuditEntry> get(long index) {
    return mongo.findOne(AuditEntry.COLLECTION, new JsonObject().put("_id", index), null)
        .map(doc -> doc == null ? null : AuditEntry.fromDocument(doc));
  }

  /**
   * Commit entries: a created artifact or version, as the ingest verticle records it once durable. Replays of a
   * commit use the same operation but answer 200, so the status tells them apart.
   */
  private static JsonObject commits() {
    return new JsonObject()
        .put("op", new JsonObject().put("$in", new JsonArray().add(CREATE).add(VERSION)))
        .put("outcome", AuditRecord.Outcome.SUCCESS.wire())
        .put("status", COMMIT_STATUS);
  }

  /** The first matching document in {@code _id} order ({@code 1}) or reverse order ({@code -1}), or null. */
  private Future<JsonObject> first(JsonObject query, int direction) {
    FindOptions one = new FindOptions().setSort(new JsonObject().put("_id", direction)).setLimit(1);
    return mongo.findWithOptions(AuditEntry.COLLECTION, query, one).map(docs -> docs.isEmpty() ? null : docs.get(0));
  }

  private Future<List<AuditEntry>> list(JsonObject query, Long beforeIndex, int limit) {
    if (limit < 1) {
      return Future.failedFuture(new IllegalArgumentException("limit must be positive, was " + limit));
    }
    if (beforeIndex != null) {
      query.put("_id", new JsonObject().put("$lt", beforeIndex));
    }
    FindOptions newestFirst = new FindOptions().setSort(new JsonObject().put("_id", -1))
        .setLimit(Math.min(limit, MAX_LIMIT));
    return mongo.findWithOptions(AuditEntry.COLLECTION, query, newestFirst)
        .map(docs -> docs.stream().map(AuditEntry::fromDocument).toList());
  }
}
