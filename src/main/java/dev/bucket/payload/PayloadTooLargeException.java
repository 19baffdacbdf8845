package dev.bucket.payload;

/** The payload crossed the configured per-artifact ceiling while streaming. */
public final class PayloadTooLargeException extends RuntimeException {
  private final long limit;

  public PayloadTooLargeException(long limit) {
    super("payload exceeds the limit of " + limit + " bytes", null, false, false);
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }
}
