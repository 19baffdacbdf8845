package dev.bucket.governance.schema;

import io.vertx.core.json.JsonObject;

/**
 * A checked candidate for the next version of a class's schema, not yet active. It is plain data so that it can be
 * kept while it awaits approval; {@link SchemaCatalog#activate} checks it again, including that {@code sha256} still
 * matches {@code schema}.
 */
public record SchemaProposal(String artifactClass, int version, JsonObject schema, String sha256) {

  public SchemaProposal {
    schema = schema.copy();
  }

  @Override
  public JsonObject schema() {
    return schema.copy();
  }
}
