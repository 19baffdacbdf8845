package dev.bucket.governance.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.governance.OpType;
import dev.bucket.governance.schema.SchemaCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RuleSetLoaderTest {

  static final Path CONF = Path.of("conf", "governance.json");

  static JsonObject shipped() {
    try {
      return new JsonObject(Files.readString(CONF));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject product(JsonObject file, String name) {
    return file.getJsonObject("products").getJsonObject(name);
  }

  static JsonObject rule(JsonObject file, String artifactClass) {
    return file.getJsonObject("operation_rules").getJsonObject(artifactClass);
  }

  @Test
  void theShippedFileDefinesFiveProductsWithTheSeedRulesAtVersionOne() {
    RuleSet rules = RuleSetLoader.load(CONF);

    assertThat(rules.version()).isEqualTo(1);
    assertThat(rules.products()).containsOnlyKeys("AI_Assistant", "AI_Avatar", "Gurukul", "Workflow_Engine",
        "Enforcement_Engine");
    assertThat(rules.products().get("AI_Assistant").allowedClasses())
        .containsExactly("metadata", "artifact_manifest", "audit_entry");
    assertThat(rules.products().get("AI_Assistant").forbiddenClasses())
        .containsExactly("direct_schema_change", "system_config");
    assertThat(rules.products().values()).allSatisfy(product -> {
      assertThat(product.defaultRetentionDays()).isEqualTo(2555);
      assertThat(product.maxArtifacts()).isEqualTo(10_000_000L);
      assertThat(product.minRetentionDays()).isLessThanOrEqualTo(product.defaultRetentionDays());
    });
    assertThat(rules.products().get("Gurukul").minRetentionDays()).isEqualTo(365);
    assertThat(rules.operationRules().get("avatar_config"))
        .containsExactlyInAnyOrder(OpType.CREATE, OpType.READ, OpType.UPDATE);
    assertThat(rules.permits("model_checkpoint", OpType.UPDATE)).isFalse();
    assertThat(rules.permits("audit_entry", OpType.UPDATE)).isFalse();
    assertThat(rules.operationRules().values()).noneMatch(permitted -> permitted.contains(OpType.DELETE));
  }

  @Test
  void everyAllowedClassOfTheShippedRulesHasAShippedSchemaAndNoOtherClassHasOne() {
    RuleSet rules = RuleSetLoader.load(CONF);
    SchemaCatalog catalog = SchemaCatalog.load(Path.of("conf", "schemas"));

    assertThat(rules.requireSchemas(catalog::has)).isSameAs(rules);
    Set<String> allowed = new HashSet<>();
    rules.products().values().forEach(product -> allowed.addAll(product.allowedClasses()));
    assertThat(catalog.classes()).isEqualTo(allowed);
  }

  @Test
  void anAllowedClassWithoutASchemaIsRefused() {
    RuleSet rules = RuleSetLoader.load(CONF);

    assertThatThrownBy(() -> rules.requireSchemas(artifactClass -> !artifactClass.equals("assessment")))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("products.Gurukul.allowed_classes: class 'assessment' has no schema"
            + " (expected conf/schemas/assessment.v1.json)");
  }

  @Test
  void aRuleSetReadsBackFromItsOwnJson() {
    RuleSet rules = RuleSetLoader.load(CONF);

    assertThat(RuleSetLoader.fromJson(rules.toJson())).isEqualTo(rules);
    assertThat(rules.toJson()).isEqualTo(shipped());
  }

  @Test
  void productAndOperationRuleViewsHaveTheSeedShapes() {
    RuleSet rules = RuleSetLoader.load(CONF);

    JsonObject products = rules.productRulesJson();
    assertThat(products.getInteger("rules_version")).isEqualTo(1);
    assertThat(products.getJsonObject("rules").getJsonObject("AI_Assistant")).isEqualTo(new JsonObject()
        .put("allowed_classes", new JsonArray().add("metadata").add("artifact_manifest").add("audit_entry"))
        .put("forbidden_classes", new JsonArray().add("direct_schema_change").add("system_config")));
    assertThat(products.getJsonObject("rules").fieldNames()).hasSize(5);

    JsonObject operations = rules.operationRulesJson();
    assertThat(operations.getJsonObject("rules").getJsonObject("avatar_config")).isEqualTo(new JsonObject()
        .put("CREATE", true).put("READ", true).put("UPDATE", true).put("DELETE", false));
    assertThat(operations.getJsonObject("rules").fieldNames()).hasSize(13);
  }

  @Test
  void aClassForbiddenForOneProductMayBeAllowedForAnother() {
    JsonObject file = shipped();
    product(file, "AI_Assistant").getJsonArray("forbidden_classes").add("avatar_config");

    RuleSet rules = RuleSetLoader.fromJson(file);

    assertThat(rules.products().get("AI_Assistant").forbids("avatar_config")).isTrue();
    assertThat(rules.products().get("AI_Avatar").allows("avatar_config")).isTrue();
  }

  @Test
  void deleteTrueIsALoadErrorForEveryClass() {
    for (String artifactClass : shipped().getJsonObject("operation_rules").fieldNames()) {
      JsonObject file = shipped();
      rule(file, artifactClass).put("DELETE", true);

      assertThatThrownBy(() -> RuleSetLoader.fromJson(file))
          .isInstanceOf(RuleSetException.class)
          .hasMessage("operation_rules." + artifactClass + ".DELETE: must be false: the depository is append-only"
              + " and deletes nothing");
    }
  }

  static Stream<Arguments> invalidFiles() {
    return Stream.of(
        invalid("an unknown top-level key", f -> f.put("rule_version", 1),
            "rule_version: unknown key (expected [operation_rules, products, rules_version])"),
        invalid("no version", f -> f.remove("rules_version"), "rules_version: missing"),
        invalid("version zero", f -> f.put("rules_version", 0),
            "rules_version: must be between 1 and 2147483647, got 0"),
        invalid("a version as text", f -> f.put("rules_version", "1"),
            "rules_version: must be a whole number, got \"1\""),
        invalid("no products", f -> f.put("products", new JsonObject()), "products: must name at least one product"),
        invalid("products not an object", f -> f.put("products", new JsonArray()), "products: must be a JSON object"),
        invalid("a product name with a space", f -> f.getJsonObject("products").put("AI Helper", new JsonObject()),
            "products.AI Helper: not a product name ([A-Za-z][A-Za-z0-9_-]{0,63})"),
        invalid("a product that is not an object", f -> f.getJsonObject("products").put("AI_Assistant", "yes"),
            "products.AI_Assistant: must be a JSON object"),
        invalid("an unknown product key", f -> product(f, "AI_Assistant").put("quota", 1),
            "products.AI_Assistant.quota: unknown key (expected [allowed_classes, default_retention_days,"
                + " description, forbidden_classes, max_artifacts, min_retention_days, quota_bytes])"),
        invalid("no description", f -> product(f, "AI_Avatar").remove("description"),
            "products.AI_Avatar.description: missing"),
        invalid("a blank description", f -> product(f, "AI_Avatar").put("description", " "),
            "products.AI_Avatar.description: must be a non-empty string"),
        invalid("allowed classes not an array", f -> product(f, "Gurukul").put("allowed_classes", "lesson_content"),
            "products.Gurukul.allowed_classes: must be an array of class names"),
        invalid("no forbidden classes list", f -> product(f, "Gurukul").remove("forbidden_classes"),
            "products.Gurukul.forbidden_classes: missing"),
        invalid("no allowed class", f -> product(f, "Workflow_Engine").put("allowed_classes", new JsonArray()),
            "products.Workflow_Engine.allowed_classes: must name at least one class"),
        invalid("a class name with capitals", f -> product(f, "AI_Assistant").getJsonArray("allowed_classes")
                .set(0, "Metadata"),
            "products.AI_Assistant.allowed_classes[0]: \"Metadata\" is not a class name ([a-z][a-z0-9_]{0,63})"),
        invalid("a class name that is not a string", f -> product(f, "AI_Assistant")
                .getJsonArray("forbidden_classes").add(7),
            "products.AI_Assistant.forbidden_classes[2]: 7 is not a class name ([a-z][a-z0-9_]{0,63})"),
        invalid("a class listed twice", f -> product(f, "AI_Assistant").getJsonArray("allowed_classes")
                .add("metadata"),
            "products.AI_Assistant.allowed_classes[3]: class 'metadata' is listed twice"),
        invalid("a class both allowed and forbidden", f -> product(f, "Enforcement_Engine")
                .getJsonArray("forbidden_classes").add("decision_record"),
            "products.Enforcement_Engine.forbidden_classes: class 'decision_record' is also in allowed_classes"),
        invalid("a minimum retention above the default", f -> product(f, "Gurukul").put("min_retention_days", 3000),
            "products.Gurukul.min_retention_days: 3000 exceeds default_retention_days 2555"),
        invalid("a retention of zero days", f -> product(f, "Gurukul").put("default_retention_days", 0),
            "products.Gurukul.default_retention_days: must be between 1 and 36500, got 0"),
        invalid("a retention in milliseconds", f -> product(f, "Gurukul")
                .put("default_retention_days", 220_752_000_000L),
            "products.Gurukul.default_retention_days: must be between 1 and 36500, got 220752000000"),
        invalid("a fractional quota", f -> product(f, "AI_Avatar").put("quota_bytes", 2.5),
            "products.AI_Avatar.quota_bytes: must be a whole number, got 2.5"),
        invalid("no artifact limit", f -> product(f, "Workflow_Engine").remove("max_artifacts"),
            "products.Workflow_Engine.max_artifacts: missing"),
        invalid("operation rules not an object", f -> f.put("operation_rules", new JsonArray()),
            "operation_rules: must be a JSON object"),
        invalid("an operation rule for an invalid class name", f -> f.getJsonObject("operation_rules")
                .put("Bad-Class", new JsonObject()),
            "operation_rules.Bad-Class: not a class name ([a-z][a-z0-9_]{0,63})"),
        invalid("an operation rule that is not an object", f -> f.getJsonObject("operation_rules")
                .put("metadata", true),
            "operation_rules.metadata: must be a JSON object"),
        invalid("an unknown operation", f -> rule(f, "metadata").put("APPEND", true),
            "operation_rules.metadata.APPEND: unknown key (expected [CREATE, DELETE, READ, UPDATE])"),
        invalid("an operation left out", f -> rule(f, "audit_entry").remove("UPDATE"),
            "operation_rules.audit_entry.UPDATE: missing (every rule states CREATE, READ, UPDATE and DELETE)"),
        invalid("an operation as text", f -> rule(f, "metadata").put("READ", "yes"),
            "operation_rules.metadata.READ: must be true or false, got \"yes\""),
        invalid("an allowed class without an operation rule", f -> f.getJsonObject("operation_rules")
                .remove("decision_record"),
            "operation_rules.decision_record: missing; products.Enforcement_Engine allows this class, so it needs"
                + " an operation rule"),
        invalid("an operation rule for a class no product allows", f -> f.getJsonObject("operation_rules")
                .put("system_config", new JsonObject().put("CREATE", false).put("READ", false).put("UPDATE", false)
                    .put("DELETE", false)),
            "operation_rules.system_config: no product allows this class (a misspelt class name?)"));
  }

  static Arguments invalid(String what, Consumer<JsonObject> breakIt, String message) {
    JsonObject file = shipped();
    breakIt.accept(file);
    return Arguments.of(what, file, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void everyInvalidFileIsRefusedWithAMessageNamingTheOffendingKey(String what, JsonObject file, String message) {
    assertThatThrownBy(() -> RuleSetLoader.fromJson(file))
        .isInstanceOf(RuleSetException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void aFileThatIsMissingOrNotJsonIsRefused(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("governance.json");
    assertThatThrownBy(() -> RuleSetLoader.load(missing))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("governance file " + missing + ": cannot be read (NoSuchFileException)");

    Files.writeString(missing, "{\"rules_version\": 1,");
    assertThatThrownBy(() -> RuleSetLoader.load(missing))
        .isInstanceOf(RuleSetException.class)
        .hasMessage("governance file " + missing + ": not a JSON object");
  }

  @Test
  void aRuleSetIsImmutable() {
    RuleSet rules = RuleSetLoader.load(CONF);

    assertThatThrownBy(() -> rules.products().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> rules.operationRules().get("metadata").add(OpType.DELETE))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> rules.products().get("Gurukul").allowedClasses().add("system_config"))
        .isInstanceOf(UnsupportedOperationException.class);
    EnumSet<OpType> source = EnumSet.of(OpType.READ);
    RuleSet copied = new RuleSet(1, rules.products(), Map.of("metadata", source));
    source.add(OpType.CREATE);
    assertThat(copied.permits("metadata", OpType.CREATE)).isFalse();
  }
}
