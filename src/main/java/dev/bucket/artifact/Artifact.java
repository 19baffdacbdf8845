package dev.bucket.artifact;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One immutable artifact version. Every field is provenance fixed at creation: the document is inserted once and no
 * code path updates or deletes it. {@code metadata} is copied on construction and must not be mutated.
 * {@code rulesVersion} and {@code schemaVersion} name the governance rules and the class's frozen schema the write was
 * checked under (0 for versions written before the gate recorded them).
 */
public record Artifact(String productId, String artifactId, String artifactClass, int version, String createdAt,
                       String createdBy, String contentHash, long size, String contentType,
                       String previousVersionHash, JsonObject metadata, String payloadRef, List<String> chunkHashes,
                       String idempotencyKey, int rulesVersion, int schemaVersion) {

  public Artifact {
    metadata = metadata.copy();
    chunkHashes = List.copyOf(chunkHashes);
  }

  /**
   * The version's name, {@code product/artifact/version}: shown in reports and cursors, and the key its retention
   * events hang off. Not its store key, which pads the version so versions sort ({@link ArtifactRepository}).
   */
  public static String key(String productId, String artifactId, int version) {
    return productId + "/" + artifactId + "/" + version;
  }

  public String key() {
    return key(productId, artifactId, version);
  }

  /** Strong ETag: the content hash, quoted as RFC 9110 requires. */
  public String etag() {
    return "\"" + contentHash + "\"";
  }

  /** Path of this version's metadata in the public API. */
  public String location() {
    return "/v1/products/" + productId + "/artifacts/" + artifactId + "/versions/" + version;
  }

  /** True when a retry carries the same request: same class, metadata and bytes. */
  public boolean sameContent(Artifact other) {
    return artifactClass.equals(other.artifactClass) && contentHash.equals(other.contentHash)
        && metadata.equals(other.metadata) && contentType.equals(other.contentType);
  }

  public JsonObject toDocument() {
    JsonObject doc = new JsonObject()
        .put("product_id", productId)
        .put("artifact_id", artifactId)
        .put("artifact_class", artifactClass)
        .put("version", version)
        .put("created_at", createdAt)
        .put("created_by", createdBy)
        .put("content_hash", contentHash)
        .put("size", size)
        .put("content_type", contentType)
        .put("previous_version_hash", previousVersionHash)
        .put("metadata", metadata.copy())
        .put("payload_ref", payloadRef)
        .put("chunk_hashes", new JsonArray(List.copyOf(chunkHashes)))
        .put("rules_version", rulesVersion)
        .put("schema_version", schemaVersion);
    if (idempotencyKey != null) {
      doc.put("idempotency_key", idempotencyKey);
    }
    return doc;
  }

  public static Artifact fromDocument(JsonObject doc) {
    return new Artifact(doc.getString("product_id"), doc.getString("artifact_id"), doc.getString("artifact_class"),
        doc.getInteger("version"), doc.getString("created_at"), doc.getString("created_by"),
        doc.getString("content_hash"), doc.getLong("size"), doc.getString("content_type"),
        doc.getString("previous_version_hash"), doc.getJsonObject("metadata", new JsonObject()),
        doc.getString("payload_ref"), doc.getJsonArray("chunk_hashes", new JsonArray()).stream()
            .map(Object::toString).toList(), doc.getString("idempotency_key"), doc.getInteger("rules_version", 0),
        doc.getInteger("schema_version", 0));
  }

  /** The public representation: provenance and metadata, never storage internals. */
  public JsonObject toView() {
    return new JsonObject()
        .put("artifact_id", artifactId)
        .put("product_id", productId)
        .put("artifact_class", artifactClass)
        .put("version", version)
        .put("content_hash", contentHash)
        .put("size", size)
        .put("content_type", contentType)
        .put("created_at", createdAt)
        .put("created_by", createdBy)
        .put("previous_version_hash", previousVersionHash)
        .put("rules_version", rulesVersion)
        .put("schema_version", schemaVersion)
        .put("metadata", metadata.copy());
  }
}
