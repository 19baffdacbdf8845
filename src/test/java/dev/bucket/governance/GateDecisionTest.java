package dev.bucket.governance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.governance.rules.RuleSet;
import dev.bucket.governance.rules.RuleSetLoader;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GateDecisionTest {

  static final long MAX = 500_000_000L;

  final RuleSet rules = RuleSetLoader.load(Path.of("conf", "governance.json"));

  static final Principal AVATAR = new Principal("int-avatar", Role.INTEGRATION, "AI_Avatar");
  static final Principal OWNER = new Principal("owner", Role.OWNER, null);
  static final Principal AUDITOR = new Principal("auditor", Role.AUDITOR, null);
  static final Principal EXECUTOR = new Principal("executor", Role.EXECUTOR, null);

  Verdict decide(Principal principal, String product, String artifactClass, OpType op, long size) {
    return GateDecision.decide(principal, new OperationRequest(product, artifactClass, op, size), rules, MAX);
  }

  @Test
  void everyRefusalHasItsStatusAndStableSlug() {
    Map<Refusal, String> expected = Map.of(
        Refusal.UNKNOWN_PRODUCT, "404 unknown-product",
        Refusal.CROSS_PRODUCT, "403 cross-product",
        Refusal.OPERATION_FORBIDDEN, "403 operation-forbidden",
        Refusal.ROLE_FORBIDDEN, "403 role-forbidden",
        Refusal.CLASS_FORBIDDEN, "403 class-forbidden",
        Refusal.CLASS_NOT_ALLOWED, "403 class-not-allowed",
        Refusal.CLASS_REQUIRED, "400 class-required",
        Refusal.TOO_LARGE, "413 too-large",
        Refusal.LOCKED, "423 locked",
        Refusal.INVALID_SIZE, "400 invalid-size");

    assertThat(EnumSet.allOf(Refusal.class)).isEqualTo(expected.keySet());
    expected.forEach((refusal, statusAndSlug) ->
        assertThat(refusal.status() + " " + refusal.slug()).isEqualTo(statusAndSlug));
  }

  @Test
  void deleteIsRefusedForEveryClassEvenIfARuleFileAllowsIt() {
    // The loader refuses DELETE: true, so build such rules directly: the decision must not depend on the loader.
    Map<String, Set<OpType>> everything = new LinkedHashMap<>();
    rules.operationRules().keySet().forEach(c -> everything.put(c, EnumSet.allOf(OpType.class)));
    RuleSet permissive = new RuleSet(9, rules.products(), everything);

    for (var product : permissive.products().values()) {
      Principal own = new Principal("int", Role.INTEGRATION, product.name());
      for (Principal principal : new Principal[] {own, OWNER, AUDITOR, EXECUTOR}) {
        for (String artifactClass : product.allowedClasses()) {
          Verdict verdict = GateDecision.decide(principal,
              new OperationRequest(product.name(), artifactClass, OpType.DELETE, 0), permissive, MAX);
          assertThat(verdict.allowed()).isFalse();
          assertThat(verdict.refusal()).isEqualTo(Refusal.OPERATION_FORBIDDEN);
          assertThat(verdict.refusal().status()).isEqualTo(403);
          assertThat(verdict.rulesVersion()).isEqualTo(9);
        }
      }
    }
  }

  @Test
  void anUnknownProductIsNotFoundWhoeverAsks() {
    for (Principal principal : new Principal[] {AVATAR, OWNER, AUDITOR, EXECUTOR}) {
      Verdict verdict = decide(principal, "Nope", "metadata", OpType.READ, 0);
      assertThat(verdict.refusal()).isEqualTo(Refusal.UNKNOWN_PRODUCT);
      assertThat(verdict.refusal().status()).isEqualTo(404);
    }
  }

  @Test
  void aWriteOfExactlyTheLimitIsAllowedAndOneByteMoreIsTooLarge() {
    assertThat(decide(AVATAR, "AI_Avatar", "model_checkpoint", OpType.CREATE, MAX).allowed()).isTrue();

    Verdict verdict = decide(AVATAR, "AI_Avatar", "model_checkpoint", OpType.CREATE, MAX + 1);
    assertThat(verdict.refusal()).isEqualTo(Refusal.TOO_LARGE);
    assertThat(verdict.refusal().status()).isEqualTo(413);
    assertThat(verdict.reason()).isEqualTo("An artifact of 500000001 bytes exceeds the limit of 500000000 bytes");
  }

  @Test
  void aNegativeSizeIsABadRequest() {
    Verdict verdict = decide(AVATAR, "AI_Avatar", "avatar_config", OpType.CREATE, -1);

    assertThat(verdict.refusal()).isEqualTo(Refusal.INVALID_SIZE);
    assertThat(verdict.refusal().status()).isEqualTo(400);
  }

  @Test
  void theClassAndRoleRefusalsComeBeforeTheSizeRefusals() {
    assertThat(decide(AVATAR, "AI_Avatar", "model_checkpoint", OpType.UPDATE, MAX + 1).refusal())
        .isEqualTo(Refusal.OPERATION_FORBIDDEN);
    assertThat(decide(OWNER, "AI_Avatar", "avatar_config", OpType.CREATE, -1).refusal())
        .isEqualTo(Refusal.ROLE_FORBIDDEN);
  }

  @Test
  void aListingReadNeedsNoClassButAWriteDoes() {
    assertThat(decide(AVATAR, "AI_Avatar", null, OpType.READ, 0).allowed()).isTrue();
    assertThat(decide(AUDITOR, "Gurukul", null, OpType.READ, 0).allowed()).isTrue();
    assertThat(decide(EXECUTOR, "Gurukul", null, OpType.READ, 0).refusal()).isEqualTo(Refusal.ROLE_FORBIDDEN);
    assertThat(decide(AVATAR, "Gurukul", null, OpType.READ, 0).refusal()).isEqualTo(Refusal.CROSS_PRODUCT);

    Verdict verdict = decide(AVATAR, "AI_Avatar", null, OpType.CREATE, 10);
    assertThat(verdict.refusal()).isEqualTo(Refusal.CLASS_REQUIRED);
    assertThat(verdict.refusal().status()).isEqualTo(400);
  }

  @Test
  void theVerdictJsonHasTheSeedShape() {
    assertThat(decide(AVATAR, "AI_Avatar", "avatar_config", OpType.UPDATE, 10).toJson()).isEqualTo(new JsonObject()
        .put("allowed", true).put("message", "Operation validated").put("rules_version", 1));

    assertThat(decide(AVATAR, "AI_Avatar", "governance_rule", OpType.CREATE, 10).toJson()).isEqualTo(new JsonObject()
        .put("allowed", false)
        .put("reason", "Class 'governance_rule' is forbidden for product 'AI_Avatar'")
        .put("refusal", "class-forbidden")
        .put("rules_version", 1));
  }

  @Test
  void refusalsExplainThemselves() {
    assertThat(decide(AVATAR, "AI_Assistant", "metadata", OpType.READ, 0).reason())
        .isEqualTo("An integration of product 'AI_Avatar' cannot act on product 'AI_Assistant'");
    assertThat(decide(OWNER, "AI_Avatar", "avatar_config", OpType.CREATE, 0).reason())
        .isEqualTo("Role OWNER cannot CREATE artifacts: only a product's integration writes them");
    assertThat(decide(AVATAR, "AI_Avatar", "lesson_content", OpType.CREATE, 0).reason())
        .isEqualTo("Class 'lesson_content' is not among the classes product 'AI_Avatar' may store"
            + " [avatar_config, model_checkpoint, iteration_history]");
    assertThat(decide(AVATAR, "AI_Avatar", "model_checkpoint", OpType.UPDATE, 0).reason())
        .isEqualTo("UPDATE is forbidden for class 'model_checkpoint' (its artifacts get no new versions)");
  }

  @Test
  void theVerdictFollowsTheRulesItIsGivenAndNamesTheirVersion() {
    RuleSet v2 = rules.withChanges(new JsonObject("{\"operation_rules\": {\"avatar_config\": {\"UPDATE\": false}}}"));
    OperationRequest update = new OperationRequest("AI_Avatar", "avatar_config", OpType.UPDATE, 10);

    assertThat(GateDecision.decide(AVATAR, update, rules, MAX).allowed()).isTrue();
    Verdict verdict = GateDecision.decide(AVATAR, update, v2, MAX);
    assertThat(verdict.refusal()).isEqualTo(Refusal.OPERATION_FORBIDDEN);
    assertThat(verdict.rulesVersion()).isEqualTo(2);
  }
}
