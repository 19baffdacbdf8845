package dev.bucket.storage;

/**
 * The store cannot take the request now: its bounded queues are full, it did not answer in time, it is closed, or
 * (MongoDB) it cannot be reached. Retrying later may succeed, so the gateway answers 503 with Retry-After.
 */
public final class StoreUnavailableException extends RuntimeException {

  public StoreUnavailableException(String message) {
    super(message, null, false, false);
  }

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
