package dev.bucket.ingest;

import dev.bucket.payload.StoredPayload;
import dev.bucket.storage.Batch;
import io.vertx.core.json.JsonObject;

/**
 * Commit a payload as a new artifact ({@code ifMatch == null}) or as the next version of an existing one. The payload
 * is durable already, or becomes durable with {@code payloadWrites}, which ingest commits with the version and its
 * audit entry.
 *
 * @param artifactId     the artifact's id, or null for a new artifact whose id ingest generates
 * @param artifactClass  class for a new artifact; ignored for versions (a version keeps its artifact's class)
 * @param ifMatch        for versions: the content hash the client believes is current
 * @param idempotencyKey optional client key that makes a retry return the original result
 * @param rulesVersion   the governance rules version the write was checked under
 * @param schemaVersion  the version of the class's frozen schema the write was validated against
 * @param payloadWrites  what stores the payload's bytes, if they are not stored yet (an inline payload)
 */
public record IngestCommand(String product, String artifactId, String artifactClass, String ifMatch, String actor,
                            JsonObject metadata, StoredPayload payload, String contentType, String idempotencyKey,
                            int rulesVersion, int schemaVersion, Batch payloadWrites) {

  public IngestCommand {
    metadata = metadata.copy();
  }

  /** A command whose payload is durable already (a streamed upload). */
  public IngestCommand(String product, String artifactId, String artifactClass, String ifMatch, String actor,
                       JsonObject metadata, StoredPayload payload, String contentType, String idempotencyKey,
                       int rulesVersion, int schemaVersion) {
    this(product, artifactId, artifactClass, ifMatch, actor, metadata, payload, contentType, idempotencyKey,
        rulesVersion, schemaVersion, new Batch());
  }

  public boolean isVersion() {
    return ifMatch != null;
  }
}
