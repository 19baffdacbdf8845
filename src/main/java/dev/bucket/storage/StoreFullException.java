package dev.bucket.storage;

/** The store's disk is full: nothing of the commit was written. The gateway answers 507 until space is freed. */
public final class StoreFullException extends RuntimeException {

  public StoreFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
