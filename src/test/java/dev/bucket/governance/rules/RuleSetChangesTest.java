package dev.bucket.governance.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.governance.OpType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RuleSetChangesTest {

  final RuleSet v1 = RuleSetLoader.load(Path.of("conf", "governance.json"));

  static JsonObject change(String json) {
    return new JsonObject(json);
  }

  @Test
  void aChangeMakesTheNextVersionAndLeavesTheOriginalUntouched() {
    RuleSet v2 = v1.withChanges(change("{\"operation_rules\": {\"lesson_content\": {\"UPDATE\": false}}}"));

    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.permits("lesson_content", OpType.UPDATE)).isFalse();
    assertThat(v2.permits("lesson_content", OpType.CREATE)).isTrue();
    assertThat(v2.products()).isEqualTo(v1.products());
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v1.permits("lesson_content", OpType.UPDATE)).isTrue();
  }

  @Test
  void successiveChangesNumberVersionsOneByOne() {
    RuleSet v2 = v1.withChanges(change("{\"products\": {\"Gurukul\": {\"min_retention_days\": 730}}}"));
    RuleSet v3 = v2.withChanges(change("{\"products\": {\"Gurukul\": {\"quota_bytes\": 1000}}}"));

    assertThat(v3.version()).isEqualTo(3);
    assertThat(v3.products().get("Gurukul").minRetentionDays()).isEqualTo(730);
    assertThat(v3.products().get("Gurukul").quotaBytes()).isEqualTo(1000);
    assertThat(v3.toJson().getInteger("rules_version")).isEqualTo(3);
  }

  @Test
  void aChangeMayAddAProductWhoseClassesThenNeedSchemas() {
    RuleSet v2 = v1.withChanges(change("""
        {"products": {"Search": {"description": "Search index snapshots", "allowed_classes": ["index_snapshot"],
                                 "forbidden_classes": ["system_config"], "default_retention_days": 400,
                                 "min_retention_days": 30, "quota_bytes": 1000000, "max_artifacts": 1000}},
         "operation_rules": {"index_snapshot": {"CREATE": true, "READ": true, "UPDATE": false, "DELETE": false}}}
        """));

    assertThat(v2.products()).containsKey("Search").hasSize(6);
    assertThat(v2.permits("index_snapshot", OpType.CREATE)).isTrue();
    assertThatThrownBy(() -> v2.requireSchemas(artifactClass -> !artifactClass.equals("index_snapshot")))
        .isInstanceOf(RuleSetException.class)
        .hasMessageStartingWith("products.Search.allowed_classes: class 'index_snapshot' has no schema");
  }

  @Test
  void listsAreReplacedWholeAndNullRemovesAKey() {
    RuleSet v2 = v1.withChanges(change("""
        {"products": {"Gurukul": {"allowed_classes": ["lesson_content", "assessment"]}},
         "operation_rules": {"learner_progress": null}}
        """));

    assertThat(v2.products().get("Gurukul").allowedClasses()).containsExactly("lesson_content", "assessment");
    assertThat(v2.operationRules()).doesNotContainKey("learner_progress");
  }

  @Test
  void aChangeThatAllowsDeleteIsRefused() {
    assertThatThrownBy(() -> v1.withChanges(change("{\"operation_rules\": {\"avatar_config\": {\"DELETE\": true}}}")))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("operation_rules.avatar_config.DELETE: must be false: the depository is append-only and"
            + " deletes nothing");
  }

  @Test
  void aChangeIsValidatedLikeARuleFile() {
    assertThatThrownBy(() -> v1.withChanges(change("{\"operation_rules\": {\"metadata\": null}}")))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("operation_rules.metadata: missing; products.AI_Assistant allows this class, so it needs an"
            + " operation rule");
    assertThatThrownBy(() -> v1.withChanges(change(
        "{\"products\": {\"Gurukul\": {\"allowed_classes\": [\"lesson_content\", \"assessment\"]}}}")))
        .hasMessage("operation_rules.learner_progress: no product allows this class (a misspelt class name?)");
    assertThatThrownBy(() -> v1.withChanges(change(
        "{\"products\": {\"AI_Avatar\": {\"forbidden_classes\": [\"model_checkpoint\"]}}}")))
        .hasMessage("products.AI_Avatar.forbidden_classes: class 'model_checkpoint' is also in allowed_classes");
  }

  @Test
  void aChangeCannotChooseTheVersion() {
    assertThatThrownBy(() -> v1.withChanges(new JsonObject().put("rules_version", 7)))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("rules_version: assigned by the depository (the next is 2), not part of a change");
  }

  @Test
  void aProductCannotBeRemoved() {
    assertThatThrownBy(() -> v1.withChanges(change("""
        {"products": {"Gurukul": null},
         "operation_rules": {"lesson_content": null, "assessment": null, "learner_progress": null}}
        """)))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("products.Gurukul: a product cannot be removed: its artifacts stay");
  }

  @Test
  void anEmptyChangeOrOneThatChangesNothingMakesNoNewVersion() {
    assertThatThrownBy(() -> v1.withChanges(new JsonObject()))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("change: empty; name the keys to change, shaped like conf/governance.json");
    assertThatThrownBy(() -> v1.withChanges(change("{\"operation_rules\": {\"metadata\": {\"READ\": true}}}")))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("change: changes nothing; the rules stay at version 1");
    assertThatThrownBy(() -> v1.withChanges(new JsonObject().put("products", new JsonObject().put("AI_Assistant",
        new JsonObject().put("allowed_classes", new JsonArray().add("audit_entry").add("metadata")
            .add("artifact_manifest"))))))
        .hasMessage("change: changes nothing; the rules stay at version 1");
  }
}
