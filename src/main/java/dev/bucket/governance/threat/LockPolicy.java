package dev.bucket.governance.threat;

import java.time.Duration;
import java.util.List;

/**
 * When a principal is suspended: at once on any CRITICAL finding, or when its refused requests (blocking findings
 * that are not CRITICAL) reach the threshold within the window. A request counts once however many findings it has,
 * since it is the principal's behaviour that is judged, not the size of one body. MEDIUM findings never count.
 *
 * <p>Only the decision lives here; applying and lifting the suspension is the caller's, which calls
 * {@link #release(String)} when the owner lifts it so the principal starts again from zero. Memory is bounded: at most
 * {@link #MAX_PRINCIPALS} principals are tracked, least recently refused forgotten first.
 */
public final class LockPolicy {

  public static final int DEFAULT_THRESHOLD = 5;
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
  static final long MAX_PRINCIPALS = 10_000;

  private final int threshold;
  private final Duration window;
  private final WindowCounter violations;

  public LockPolicy() {
    this(DEFAULT_THRESHOLD, DEFAULT_WINDOW);
  }

  public LockPolicy(int threshold, Duration window) {
    this.threshold = threshold;
    this.window = window;
    this.violations = new WindowCounter(threshold, window, MAX_PRINCIPALS);
  }

  /** Takes one request's findings for {@code principalId} at {@code nowMillis} and decides. */
  public LockDecision record(String principalId, List<Finding> findings, long nowMillis) {
    List<Finding> critical = findings.stream().filter(f -> f.severity() == Severity.CRITICAL).toList();
    if (!critical.isEmpty()) {
      Finding first = critical.get(0);
      return new LockDecision(LockDecision.Action.SUSPEND, principalId, "critical finding " + first.threat().id()
          + "/" + first.pattern(), critical);
    }
    List<Finding> blocking = findings.stream().filter(Finding::blocking).toList();
    if (blocking.isEmpty() || violations.record(principalId, nowMillis) < threshold) {
      return LockDecision.none(principalId);
    }
    return new LockDecision(LockDecision.Action.SUSPEND, principalId, threshold + " refused requests within "
        + WindowCounter.describe(window), blocking);
  }

  /** Forgets the principal's violations: called when its suspension is lifted. */
  public void release(String principalId) {
    violations.reset(principalId);
  }
}
