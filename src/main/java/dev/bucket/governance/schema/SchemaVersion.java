package dev.bucket.governance.schema;

import io.vertx.core.json.JsonObject;

/**
 * One frozen version of a class's schema. {@code sha256} is the hex SHA-256 of the schema's canonical JSON
 * (RFC 8785), so it does not depend on how the file is formatted: record it with an artifact to prove later which
 * schema the artifact was validated against.
 */
public record SchemaVersion(String artifactClass, int version, JsonObject schema, String sha256) {

  public SchemaVersion {
    schema = schema.copy();
  }

  /** A copy: the frozen schema itself cannot be edited through this record. */
  @Override
  public JsonObject schema() {
    return schema.copy();
  }
}
