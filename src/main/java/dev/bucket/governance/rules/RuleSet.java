package dev.bucket.governance.rules;

import dev.bucket.governance.OpType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One immutable version of the product and operation rules. {@code operationRules} maps each artifact class to the
 * operations its rule permits; a class without a rule permits nothing. Instances come from {@link RuleSetLoader}
 * (which validates) or from {@link #withChanges}; a change never edits a rule set, it makes the next version.
 */
public record RuleSet(int version, Map<String, ProductRule> products, Map<String, Set<OpType>> operationRules) {

  public RuleSet {
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1, got " + version);
    }
    products = Collections.unmodifiableMap(new LinkedHashMap<>(products));
    Map<String, Set<OpType>> ops = new LinkedHashMap<>();
    operationRules.forEach((artifactClass, permitted) -> {
      EnumSet<OpType> copy = EnumSet.noneOf(OpType.class);
      copy.addAll(permitted);
      ops.put(artifactClass, Collections.unmodifiableSet(copy));
    });
    operationRules = Collections.unmodifiableMap(ops);
  }

  /** Whether the operation rule of {@code artifactClass} permits {@code op}; false for a class without a rule. */
  public boolean permits(String artifactClass, OpType op) {
    return operationRules.getOrDefault(artifactClass, Set.of()).contains(op);
  }

  /**
   * Fails unless every allowed class has a schema: writes are validated against it, so a class without one could
   * never be written (and reads would return envelopes nothing describes).
   */
  public RuleSet requireSchemas(Predicate<String> hasSchema) {
    products.values().forEach(product -> product.allowedClasses().forEach(artifactClass -> {
      if (!hasSchema.test(artifactClass)) {
        throw new RuleSetException("products." + product.name() + ".allowed_classes: class '" + artifactClass
            + "' has no schema (expected conf/schemas/" + artifactClass + ".v1.json)");
      }
    }));
    return this;
  }

  /**
   * The next version of these rules: {@code change} is a JSON merge patch (RFC 7396) over {@link #toJson()}, so it
   * names only what changes ({@code null} removes a key, arrays are replaced whole). The result is validated like a
   * rule file. Who may change rules is the gate's decision; this only guarantees that what comes out is valid.
   */
  public RuleSet withChanges(JsonObject change) {
    Objects.requireNonNull(change, "change");
    if (change.isEmpty()) {
      throw new RuleSetException("change: empty; name the keys to change, shaped like conf/governance.json");
    }
    if (change.containsKey("rules_version")) {
      throw new RuleSetException("rules_version: assigned by the depository (the next is " + (version + 1)
          + "), not part of a change");
    }
    RuleSet next = RuleSetLoader.fromJson(mergePatch(toJson(), change).put("rules_version", version + 1));
    for (String name : products.keySet()) {
      if (!next.products.containsKey(name)) {
        throw new RuleSetException("products." + name + ": a product cannot be removed: its artifacts stay");
      }
    }
    if (next.products.equals(products) && next.operationRules.equals(operationRules)) {
      throw new RuleSetException("change: changes nothing; the rules stay at version " + version);
    }
    return next;
  }

  /** The whole rule set in the shape of {@code conf/governance.json}: {@link RuleSetLoader#fromJson} reads it back. */
  public JsonObject toJson() {
    JsonObject productsJson = new JsonObject();
    products.forEach((name, product) -> productsJson.put(name, product.toJson()));
    return new JsonObject()
        .put("rules_version", version)
        .put("products", productsJson)
        .put("operation_rules", operationRulesBody());
  }

  /** {@code GET /governance/gate/product-rules}: each product's allowed and forbidden classes. */
  public JsonObject productRulesJson() {
    JsonObject rules = new JsonObject();
    products.forEach((name, product) -> rules.put(name, new JsonObject()
        .put("allowed_classes", new JsonArray(new ArrayList<>(product.allowedClasses())))
        .put("forbidden_classes", new JsonArray(new ArrayList<>(product.forbiddenClasses())))));
    return new JsonObject().put("rules_version", version).put("rules", rules);
  }

  /** {@code GET /governance/gate/operation-rules}: each class's CREATE/READ/UPDATE/DELETE as booleans. */
  public JsonObject operationRulesJson() {
    return new JsonObject().put("rules_version", version).put("rules", operationRulesBody());
  }

  private JsonObject operationRulesBody() {
    JsonObject rules = new JsonObject();
    operationRules.forEach((artifactClass, permitted) -> {
      JsonObject rule = new JsonObject();
      for (OpType op : OpType.values()) {
        rule.put(op.name(), permitted.contains(op));
      }
      rules.put(artifactClass, rule);
    });
    return rules;
  }

  /** RFC 7396: objects merge key by key, {@code null} removes, anything else replaces. */
  private static JsonObject mergePatch(JsonObject target, JsonObject patch) {
    JsonObject result = target.copy();
    for (String key : patch.fieldNames()) {
      Object value = patch.getValue(key);
      if (value == null) {
        result.remove(key);
      } else if (value instanceof JsonObject nested) {
        Object current = result.getValue(key);
        result.put(key, mergePatch(current instanceof JsonObject object ? object : new JsonObject(), nested));
      } else {
        result.put(key, value);
      }
    }
    return result;
  }
}
