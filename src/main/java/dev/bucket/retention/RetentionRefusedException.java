package dev.bucket.retention;

/** A retention change was refused by the rules (not by a fault): map to 403 with the refusal's slug and message. */
public final class RetentionRefusedException extends RuntimeException {

  private final RetentionRefusal refusal;

  public RetentionRefusedException(RetentionRefusal refusal) {
    super(refusal.slug() + ": " + refusal.message(), null, false, false);
    this.refusal = refusal;
  }

  public RetentionRefusal refusal() {
    return refusal;
  }
}
