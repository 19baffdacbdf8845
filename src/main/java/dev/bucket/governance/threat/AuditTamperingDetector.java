package dev.bucket.governance.threat;

import java.util.Optional;

/**
 * T8: a broken audit chain. The chain verifier does the checking; this turns its verdict into a CRITICAL finding so it
 * is reported and escalated like every other threat.
 */
public final class AuditTamperingDetector {

  public Optional<Finding> inspect(ChainStatus status) {
    if (status.intact()) {
      return Optional.empty();
    }
    String where = status.firstBadIndex() == null ? "" : " at entry " + status.firstBadIndex();
    return Optional.of(new Finding(Threat.T8, "broken_chain", Severity.CRITICAL, null, "the audit chain is broken"
        + where + ": " + status.detail()));
  }
}
