package dev.bucket.gate;

import dev.bucket.Node;
import dev.bucket.limit.Gcra;

/**
 * What the gate instances of a node share about requests anyone can send: one budget for all anonymous requests
 * (public routes, and requests without a valid key), {@code anonymous_requests_per_second} with a burst of as many,
 * beyond which they get a 429; and the one health answer they all serve ({@link HealthRoute}). A flood of anonymous
 * requests therefore costs a token check each, never a store round trip or an audit entry each.
 */
public final class PublicTraffic {

  final HealthRoute health;
  private final Gcra anonymous;
  private final long perSecond;
  private final io.micrometer.core.instrument.Counter refused;

  public PublicTraffic(Node node) {
    this.health = new HealthRoute(node.store(), node.redis(), node.payloads(), node.auditClient(), Node.VERSION,
        node.startedAt(), node.principals(), node.governance());
    this.perSecond = node.config().anonymousRequestsPerSecond();
    this.anonymous = new Gcra(perSecond, perSecond, System::nanoTime);
    this.refused = io.micrometer.core.instrument.Counter.builder("bucket.anonymous.refused")
        .description("Anonymous requests refused (429) over anonymous_requests_per_second")
        .register(node.meters().registry());
  }

  /** Null when an anonymous request may go on, else the 429 to answer it with (counted). Any thread. */
  ApiException admitAnonymous() {
    if (anonymous.tryAcquire(System.nanoTime())) {
      return null;
    }
    refused.increment();
    return new ApiException(ProblemType.RATE_LIMITED, "anonymous requests (public routes, and requests without a "
        + "valid key) are over this gateway's budget of " + perSecond + " a second (anonymous_requests_per_second); "
        + "retry after 1 s", java.util.Map.of("Retry-After", "1"),
        new io.vertx.core.json.JsonObject().put("kind", "anonymous").put("retry_after_seconds", 1));
  }
}
