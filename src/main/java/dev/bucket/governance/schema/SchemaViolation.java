package dev.bucket.governance.schema;

import java.util.Objects;

/**
 * One reason a document does not conform: {@code path} is a JSON Pointer (RFC 6901) into the checked document, down
 * to the offending property where there is one ({@code /metadata/colour} for an unknown field), {@code ""} for the
 * root.
 */
public record SchemaViolation(String path, String message) {

  public SchemaViolation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return (path.isEmpty() ? "(root)" : path) + ": " + message;
  }
}
