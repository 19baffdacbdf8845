package dev.bucket.identity;

import dev.bucket.governance.Principal;

/**
 * A principal as the registry knows it now: who it is and whether a governance lock holds it. {@code suspension}
 * is null when the principal is not suspended.
 */
public record Identity(Principal principal, String name, Suspension suspension) {

  public record Suspension(String reason, String at, String by) {
  }

  public boolean suspended() {
    return suspension != null;
  }
}
