package dev.bucket.gate;

import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import dev.bucket.identity.Identity;
import dev.bucket.identity.PrincipalRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * First handler of every request: turns {@code Authorization: Bearer <key>} (or, over mutual TLS, a verified client
 * certificate naming an integration) into the {@link Identity} it speaks for and keeps it on the context. Only what reveals nothing is public: health, the log's checkpoint and its key (anyone
 * must be able to fetch those to verify evidence offline), and the API contract.
 */
final class Authentication implements Handler<RoutingContext> {

  static final String IDENTITY = "bucket.identity";
  private static final Set<String> PUBLIC = Set.of("/health", "/v1/log/checkpoint", "/v1/log/key",
      ApiContract.PATH);
  private static final String BEARER = "bearer ";

  private final PrincipalRegistry registry;
  private final Set<String> alsoPublic;
  private final PublicTraffic anonymous;

  /**
   * {@code alsoPublic}: further paths served without a key (e.g. {@code /metrics} with {@code metrics_public});
   * {@code anonymous}: the budget every request served or refused without a valid key spends from.
   */
  Authentication(PrincipalRegistry registry, Set<String> alsoPublic, PublicTraffic anonymous) {
    this.registry = registry;
    this.alsoPublic = Set.copyOf(alsoPublic);
    this.anonymous = anonymous;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (PUBLIC.contains(ctx.normalizedPath()) || alsoPublic.contains(ctx.normalizedPath())) {
      ApiException over = anonymous.admitAnonymous();
      if (over != null) {
        ctx.fail(over);
      } else {
        ctx.next();
      }
      return;
    }
    java.util.List<String> presented = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
    if (presented.size() > 1) {
      // Which one would count is a guess a proxy and this gateway could make differently: neither is taken.
      ctx.fail(unauthorized("send exactly one Authorization header; this request has " + presented.size()));
      return;
    }
    String header = presented.isEmpty() ? null : presented.get(0);
    if (header == null) {
      // Mutual TLS: a CA-verified client certificate names an approved integration instead of a key.
      java.util.Optional<String> certified = ClientCertificates.integrationId(ctx.request());
      if (certified.isPresent()) {
        resolve(ctx, registry.find("integration:" + certified.get()), "the client certificate names integration '"
            + certified.get() + "', which is not registered");
        return;
      }
    }
    if (header == null || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      refuse(ctx, "this endpoint needs Authorization: Bearer <api-key>");
      return;
    }
    resolve(ctx, registry.authenticate(header.substring(BEARER.length()).trim()), "the API key is unknown or revoked");
  }

  /** A request without a valid key: 401, or 429 once anonymous requests are over their budget. */
  private void refuse(RoutingContext ctx, String detail) {
    ApiException over = anonymous.admitAnonymous();
    ctx.fail(over != null ? over : unauthorized(detail));
  }

  private void resolve(RoutingContext ctx, io.vertx.core.Future<java.util.Optional<Identity>> lookup,
                       String unknown) {
    // The request body waits while the caller is looked up; nothing of it is read before the caller is known.
    ctx.request().pause();
    lookup.onComplete(result -> {
      ctx.request().resume();
      if (result.failed()) {
        ctx.fail(result.cause());
      } else if (result.result().isEmpty()) {
        refuse(ctx, unknown);
      } else {
        ctx.put(IDENTITY, result.result().get());
        ctx.next();
      }
    });
  }

  private static ApiException unauthorized(String detail) {
    return new ApiException(ProblemType.UNAUTHORIZED, detail,
        Map.of("WWW-Authenticate", "Bearer realm=\"bucket\""), new JsonObject());
  }

  /** The caller's identity; every non-public route runs after {@link #handle}, so it is always present there. */
  static Identity identity(RoutingContext ctx) {
    return ctx.get(IDENTITY);
  }

  /** The caller, or null on public routes and on requests refused before authentication. */
  static Principal principal(RoutingContext ctx) {
    Identity identity = ctx.get(IDENTITY);
    return identity == null ? null : identity.principal();
  }

  /** A route guard: only these roles pass; anyone else gets 403 (and the refusal is audited). */
  static Handler<RoutingContext> roles(Role... allowed) {
    Set<Role> set = Set.of(allowed);
    String names = Arrays.stream(allowed).map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toList().toString();
    return ctx -> {
      Principal principal = principal(ctx);
      if (principal == null || !set.contains(principal.role())) {
        ctx.fail(new ApiException(ProblemType.ROLE_FORBIDDEN, "this endpoint is for the roles " + names
            + "; the key presented belongs to " + (principal == null ? "nobody" : principal.id())));
        return;
      }
      ctx.next();
    };
  }
}
