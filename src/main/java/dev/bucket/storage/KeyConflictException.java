package dev.bucket.storage;

/**
 * A batch inserted a key that already exists (in the store, or earlier in the same batch); nothing of the batch was
 * written. The key says which insert lost, so the caller can tell a taken version from a taken idempotency key.
 */
public final class KeyConflictException extends RuntimeException {

  private final Space space;
  private final String key;

  public KeyConflictException(Space space, String key) {
    super("key exists: " + space.storeName() + "/" + key, null, false, false);
    this.space = space;
    this.key = key;
  }

  public Space space() {
    return space;
  }

  public String key() {
    return key;
  }
}
