package dev.bucket.governance;

import java.util.Objects;

/**
 * An authenticated caller. {@code product} is set only for integrations (each belongs to exactly one product).
 * {@code id} is the stable principal id recorded as the actor in audit entries; it is never the key itself.
 */
public record Principal(String id, Role role, String product) {

  public Principal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
    if ((role == Role.INTEGRATION) != (product != null)) {
      throw new IllegalArgumentException("exactly the integration role belongs to a product");
    }
  }

  public boolean is(Role r) {
    return role == r;
  }
}
