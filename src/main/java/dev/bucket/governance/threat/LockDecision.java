package dev.bucket.governance.threat;

import java.util.List;

/**
 * What {@link LockPolicy} decided for one principal after one request.
 *
 * @param reason why it suspends, for the audit entry and the owner; null for {@link Action#NONE}
 * @param cause  the findings that tipped it: the CRITICAL ones, or this request's blocking ones at the threshold
 */
public record LockDecision(Action action, String principalId, String reason, List<Finding> cause) {

  public enum Action {
    NONE, SUSPEND
  }

  public LockDecision {
    cause = List.copyOf(cause);
  }

  static LockDecision none(String principalId) {
    return new LockDecision(Action.NONE, principalId, null, List.of());
  }

  public boolean suspends() {
    return action == Action.SUSPEND;
  }
}
