package dev.bucket.gate;

import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import dev.bucket.identity.PrincipalRegistry;
import dev.bucket.storage.KeyConflictException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keys for people: the owner issues executor and auditor keys and revokes them. Integration keys are issued only by
 * the integration gate ({@code validate-integration}). A new key appears once, in the creation response. Listings come
 * in pages of {@link PrincipalRegistry#LIST_PAGE}.
 */
final class KeyRoutes {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final Set<String> CREATE_FIELDS = Set.of("role", "name");

  private final PrincipalRegistry registry;
  private final AuditClient audit;

  KeyRoutes(PrincipalRegistry registry, AuditClient audit) {
    this.registry = registry;
    this.audit = audit;
  }

  void mount(Router router) {
    router.post("/governance/keys").setName("governance.key_create")
        .handler(Requests.jsonBodies(4096)).handler(Authentication.roles(Role.OWNER))
        .handler(this::create);
    router.get("/governance/keys").setName("governance.key_list")
        .handler(Authentication.roles(Role.OWNER, Role.AUDITOR))
        .handler(ctx -> list(ctx, registry, "", "principals"));
    router.post("/governance/keys/:principal/revoke").setName("governance.key_revoke")
        .handler(Authentication.roles(Role.OWNER)).handler(this::revoke);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Requests.jsonBody(ctx, CREATE_FIELDS);
    String roleName = body.getValue("role") instanceof String s ? s.toUpperCase(Locale.ROOT) : "";
    if (!roleName.equals("EXECUTOR") && !roleName.equals("AUDITOR")) {
      throw Requests.invalid("role must be 'executor' or 'auditor' (integration keys come from "
          + "POST /governance/gate/validate-integration; there is one owner)");
    }
    String name = Requests.matching("name", body.getValue("name") instanceof String s ? s : null, NAME);
    Role role = Role.valueOf(roleName);
    Principal principal = new Principal(role.name().toLowerCase(Locale.ROOT) + ":" + name, role, null);
    String by = Operation.actor(ctx);
    registry.create(principal, name, by)
        .recover(failure -> Future.failedFuture(failure instanceof KeyConflictException
            ? new ApiException(ProblemType.PRINCIPAL_EXISTS, "principal '" + principal.id() + "' already has a key; "
                + "revoke it first to issue a new one") : failure))
        .compose(key -> record(ctx, "governance.key_create", principal.id(), 201).map(key))
        .onSuccess(key -> Responses.json(ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store"), 201,
            new JsonObject().put("principal_id", principal.id()).put("role", role.name().toLowerCase(Locale.ROOT))
                .put("api_key", key).put("notice", "the key is shown only in this response; Bucket stores its hash")))
        .onFailure(ctx::fail);
  }

  /**
   * Answers a page of the principals whose id starts with {@code idPrefix}, as {@code field}; {@code next_cursor},
   * when present, asks for the next page.
   */
  static void list(RoutingContext ctx, PrincipalRegistry registry, String idPrefix, String field) {
    registry.list(idPrefix, cursor(ctx.queryParams().get("cursor"))).onSuccess(page -> {
      JsonObject body = new JsonObject().put(field, new JsonArray(page.principals()));
      if (page.next() != null) {
        body.put("next_cursor", Base64.getUrlEncoder().withoutPadding()
            .encodeToString(page.next().getBytes(StandardCharsets.UTF_8)));
      }
      Responses.json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  /** The principal id a cursor continues after. */
  private static String cursor(String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      String after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (!after.isEmpty() && after.length() <= 256 && after.chars().noneMatch(Character::isISOControl)) {
        return after;
      }
    } catch (IllegalArgumentException e) {
      // falls through to the same refusal as any other cursor this endpoint did not issue
    }
    throw Requests.invalid("cursor is not one this endpoint issued");
  }

  private void revoke(RoutingContext ctx) {
    String principalId = ctx.pathParam("principal");
    registry.revoke(principalId)
        .recover(failure -> Future.failedFuture(failure instanceof IllegalArgumentException
            ? Requests.invalid(failure.getMessage()) : failure))
        .compose(removed -> {
          if (!removed) {
            return Future.failedFuture(new ApiException(ProblemType.NOT_FOUND, "no principal '" + principalId + "'"));
          }
          return record(ctx, "governance.key_revoke", principalId, 200);
        })
        .onSuccess(v -> Responses.json(ctx, 200, new JsonObject().put("principal_id", principalId)
            .put("revoked", true)))
        .onFailure(ctx::fail);
  }

  private Future<Void> record(RoutingContext ctx, String operation, String subject, int status) {
    return audit.appendDurable(new AuditRecord(Operation.actor(ctx), null, operation, null, 0, null,
        Outcome.SUCCESS, status, null, new JsonObject().put("principal_id", subject))).mapEmpty();
  }
}
