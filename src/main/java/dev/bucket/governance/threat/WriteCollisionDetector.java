package dev.bucket.governance.threat;

import java.time.Duration;
import java.util.Optional;

/**
 * T4: writers racing on one artifact. Each stale If-Match (412) on a version write is reported here; more than
 * {@code limit} within the window on the same artifact is a MEDIUM finding. The 412 already keeps every version
 * intact, so this only tells a person that some writer is retrying blindly.
 */
public final class WriteCollisionDetector {

  public static final int DEFAULT_LIMIT = 5;
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  /** Artifacts tracked at once; under a wider storm the least recently conflicted are forgotten first. */
  static final long MAX_ARTIFACTS = 10_000;

  private final int limit;
  private final Duration window;
  private final WindowCounter conflicts;

  public WriteCollisionDetector() {
    this(DEFAULT_LIMIT, DEFAULT_WINDOW);
  }

  public WriteCollisionDetector(int limit, Duration window) {
    this.limit = limit;
    this.window = window;
    this.conflicts = new WindowCounter(limit + 1, window, MAX_ARTIFACTS);
  }

  /** Records a stale If-Match conflict; a finding once the artifact has had more than the limit within the window. */
  public Optional<Finding> recordConflict(String product, String artifactId, long nowMillis) {
    int count = conflicts.record(product + "/" + artifactId, nowMillis);
    if (count <= limit) {
      return Optional.empty();
    }
    return Optional.of(new Finding(Threat.T4, "write_contention", Severity.MEDIUM, null, "more than " + limit
        + " stale If-Match conflicts on artifact '" + artifactId + "' of product '" + product + "' within "
        + WindowCounter.describe(window)));
  }
}
