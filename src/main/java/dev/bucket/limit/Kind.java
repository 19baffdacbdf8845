package dev.bucket.limit;

/** What a request costs against: the writes ceiling or the reads ceiling. */
public enum Kind {
  WRITE("writes"),
  READ("reads");

  private final String policy;

  Kind(String policy) {
    this.policy = policy;
  }

  /** The policy name used in {@code RateLimit-Policy} / {@code RateLimit} and as part of the Redis key. */
  public String policy() {
    return policy;
  }
}
