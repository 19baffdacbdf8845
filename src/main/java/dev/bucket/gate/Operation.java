package dev.bucket.gate;

import io.vertx.ext.web.RoutingContext;

/**
 * What a request is about, for audit entries and metrics: a low-cardinality operation name (the route's name) and
 * the product, artifact and version it names.
 */
record Operation(String name, String actor, String product, String artifactId, int version) {

  static final String ANONYMOUS = "anonymous";

  static Operation of(RoutingContext ctx) {
    String name = ctx.currentRoute() != null && ctx.currentRoute().getName() != null
        ? ctx.currentRoute().getName() : "unrouted";
    String version = ctx.pathParam("version");
    int n = 0;
    if (version != null && Requests.VERSION.matcher(version).matches()) {
      n = Integer.parseInt(version);
    }
    return new Operation(name, actor(ctx), ctx.pathParam("product"), ctx.pathParam("id"), n);
  }

  /** The authenticated principal's id; "anonymous" on public routes and before authentication. */
  static String actor(RoutingContext ctx) {
    dev.bucket.governance.Principal principal = Authentication.principal(ctx);
    return principal == null ? ANONYMOUS : principal.id();
  }
}
