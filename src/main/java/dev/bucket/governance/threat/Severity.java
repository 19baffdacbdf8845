package dev.bucket.governance.threat;

/** How bad a threat or a single finding is, and therefore what happens to the write that produced it. */
public enum Severity {
  /** Blocks the write and suspends the principal at once (see {@link LockPolicy}). */
  CRITICAL,
  /** Blocks the write; repeated blocking findings suspend the principal. */
  HIGH,
  /** Recorded only: the write goes through, so a person can look at the pattern later. */
  MEDIUM;

  public boolean blocks() {
    return this != MEDIUM;
  }
}
