package dev.bucket.governance;

import java.util.Objects;

/**
 * An operation to decide on. {@code artifactClass} is null for a listing (a READ across classes). {@code dataSize} is
 * the number of bytes to be written when known up front, 0 otherwise (a streamed upload enforces the limit itself
 * as bytes arrive).
 */
public record OperationRequest(String product, String artifactClass, OpType op, long dataSize) {

  public OperationRequest {
    Objects.requireNonNull(product, "product");
    Objects.requireNonNull(op, "op");
  }
}
