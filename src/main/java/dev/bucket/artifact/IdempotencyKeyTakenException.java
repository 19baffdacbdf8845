package dev.bucket.artifact;

/**
 * The Idempotency-Key of the version being inserted was used by another write of the product that got there first;
 * nothing was inserted. The caller answers as for a retry of that write.
 */
public final class IdempotencyKeyTakenException extends RuntimeException {
  public IdempotencyKeyTakenException() {
    super("idempotency key already used", null, false, false);
  }
}
