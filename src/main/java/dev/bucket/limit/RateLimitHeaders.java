package dev.bucket.limit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Header values of draft-ietf-httpapi-ratelimit-headers (revision 11), which are Structured Field Lists (RFC 9651):
 *
 * <pre>
 * RateLimit-Policy: "writes";q=1000;w=1
 * RateLimit: "writes";r=0;t=1
 * Retry-After: 1
 * </pre>
 *
 * <p>{@code q} is the quota per window {@code w} (seconds), {@code r} the quota available now, {@code t} the seconds
 * within which no more than {@code r} may be used; the optional {@code pk} is the partition key as a Byte Sequence.
 * For a GCRA, {@code r} is what would be admitted at once and {@code t} the time until the bucket is full again; on
 * a rejection {@code r=0} and {@code t} equals {@code Retry-After}, as the draft asks that Retry-After not point
 * before the end of the effective window.
 */
public final class RateLimitHeaders {

  public static final String POLICY = "RateLimit-Policy";
  public static final String RATE_LIMIT = "RateLimit";
  public static final String RETRY_AFTER = "Retry-After";

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /**
   * The three values for one decision.
   *
   * @param retryAfter null unless the request was rejected
   */
  public record Values(String policy, String rateLimit, String retryAfter) {
  }

  private RateLimitHeaders() {
  }

  /** The headers for {@code decision} of {@code limiter}, as of {@code nowNanos}. */
  public static Values of(FairLimiter limiter, FairLimiter.Decision decision, long nowNanos) {
    String name = limiter.kind().policy();
    String policy = policy(name, limiter.ratePerSecond(), 1);
    if (decision.admitted()) {
      return new Values(policy, limit(name, limiter.remaining(nowNanos), ceilSeconds(limiter.resetAfter(nowNanos))),
          null);
    }
    long retry = retryAfterSeconds(decision.retryAfterNanos());
    return new Values(policy, limit(name, 0, retry), Long.toString(retry));
  }

  /** A quota policy item: {@code "name";q=quota;w=window}. */
  public static String policy(String name, long quota, long windowSeconds) {
    return policy(name, quota, windowSeconds, null);
  }

  /** A quota policy item with a partition key: {@code "name";q=quota;w=window;pk=:base64:}. */
  public static String policy(String name, long quota, long windowSeconds, String partitionKey) {
    if (windowSeconds < 1) {
      throw new IllegalArgumentException("the window must be ≥ 1 second");
    }
    StringBuilder out = new StringBuilder(48);
    string(out, name).append(";q=").append(integer(quota)).append(";w=").append(integer(windowSeconds));
    return partitionKey(out, partitionKey).toString();
  }

  /** A service limit item: {@code "name";r=remaining;t=resetSeconds}. */
  public static String limit(String name, long remaining, long resetSeconds) {
    return limit(name, remaining, resetSeconds, null);
  }

  /** A service limit item with a partition key. */
  public static String limit(String name, long remaining, long resetSeconds, String partitionKey) {
    StringBuilder out = new StringBuilder(48);
    string(out, name).append(";r=").append(integer(remaining)).append(";t=").append(integer(resetSeconds));
    return partitionKey(out, partitionKey).toString();
  }

  /** {@code Retry-After} delay-seconds: rounded up, at least 1. */
  public static long retryAfterSeconds(long nanos) {
    return Math.max(1, ceilSeconds(nanos));
  }

  /** Whole seconds rounded up, 0 for nothing. */
  public static long ceilSeconds(long nanos) {
    if (nanos <= 0) {
      return 0;
    }
    return (nanos - 1) / NANOS_PER_SECOND + 1;
  }

  private static long integer(long value) {
    // RFC 9651 Integers have at most 15 digits; values here are never negative.
    if (value < 0) {
      return 0;
    }
    return Math.min(value, 999_999_999_999_999L);
  }

  private static StringBuilder string(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("a structured-field string is printable ASCII: " + value);
      }
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.append('"');
  }

  private static StringBuilder partitionKey(StringBuilder out, String partitionKey) {
    if (partitionKey == null) {
      return out;
    }
    return out.append(";pk=:")
        .append(Base64.getEncoder().encodeToString(partitionKey.getBytes(StandardCharsets.UTF_8)))
        .append(':');
  }
}
