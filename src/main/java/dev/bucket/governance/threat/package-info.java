/**
 * The threat model as code: the ten {@link dev.bucket.governance.threat.Threat}s, one detector per threat, and what
 * their findings lead to.
 *
 * <p>Stateless detectors look at one {@link dev.bucket.governance.threat.WriteInspection} (a write or a governance
 * request) and are run together by {@link dev.bucket.governance.threat.ThreatValidator}. Threats that only show over
 * time (T4 write contention, T6 refusal storms) have stateful detectors fed events, and T8 is fed the result of an
 * audit chain check. {@link dev.bucket.governance.threat.LockPolicy} turns findings into suspensions.
 *
 * <p>Nothing here touches the network or the stores: callers gather the facts, detectors judge them. A finding never
 * repeats a value it found, so reports and audit entries cannot leak the secrets they are about.
 */
package dev.bucket.governance.threat;
