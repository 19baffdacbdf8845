package dev.bucket.governance.threat;

import java.time.Duration;
import java.util.Optional;

/**
 * T6: a principal that keeps getting refused. Every refusal is reported here; more than {@code limit} within the
 * window is a MEDIUM finding for a person to review. It blocks nothing: each request is refused or not on its own
 * merits, and locking out a caller for being refused would let a noisy bug suspend an integration.
 */
public final class EscalationCascadeDetector {

  public static final int DEFAULT_LIMIT = 20;
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
  static final long MAX_PRINCIPALS = 10_000;

  private final int limit;
  private final Duration window;
  private final WindowCounter refusals;

  public EscalationCascadeDetector() {
    this(DEFAULT_LIMIT, DEFAULT_WINDOW);
  }

  public EscalationCascadeDetector(int limit, Duration window) {
    this.limit = limit;
    this.window = window;
    this.refusals = new WindowCounter(limit + 1, window, MAX_PRINCIPALS);
  }

  /** Records a refusal of {@code principalId}; a finding once it has had more than the limit within the window. */
  public Optional<Finding> recordRefusal(String principalId, long nowMillis) {
    if (refusals.record(principalId, nowMillis) <= limit) {
      return Optional.empty();
    }
    return Optional.of(new Finding(Threat.T6, "refusal_storm", Severity.MEDIUM, null, "principal '" + principalId
        + "' was refused more than " + limit + " times within " + WindowCounter.describe(window)));
  }
}
