package dev.bucket.payload;

/**
 * The store holds no bytes at all for a ref: they were purged (the version was tombstoned) or lost. Distinct from a
 * damaged payload (some chunk missing or altered), which is reported by {@link PayloadStore#verify}. Extends
 * {@link IllegalStateException} so callers that treat any unreadable payload as a server-side fault keep doing so.
 */
public final class PayloadMissingException extends IllegalStateException {

  private final String ref;

  public PayloadMissingException(String ref) {
    super(ref + " is missing");
    this.ref = ref;
  }

  public String ref() {
    return ref;
  }
}
