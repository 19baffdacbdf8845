package dev.bucket.governance;

/** Who a key speaks for. Every key maps to exactly one principal, and every principal has exactly one role. */
public enum Role {
  /** Final authority: approves schemas and rule changes, lifts suspensions, sets legal holds. Writes no artifacts. */
  OWNER,
  /** Runs the governance process: approves integrations through the gate, may propose (never apply) schemas. */
  EXECUTOR,
  /** Read-only on audit and governance, across products. */
  AUDITOR,
  /** One approved integration of exactly one product: the only principal that writes artifacts. */
  INTEGRATION
}
