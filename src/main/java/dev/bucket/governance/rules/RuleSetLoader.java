package dev.bucket.governance.rules;

import dev.bucket.governance.OpType;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and validates {@code conf/governance.json}. Every check fails with a {@link RuleSetException} whose message
 * starts with the offending key ({@code products.Gurukul.min_retention_days: ...}). Unknown keys are refused rather
 * than ignored: a misspelt limit would otherwise silently not apply.
 */
public final class RuleSetLoader {

  /** Same shape as the product path segment the gate accepts. */
  private static final Pattern PRODUCT = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
  private static final Pattern ARTIFACT_CLASS = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  /** A hundred years: retention is in days, and anything larger is most likely a value in another unit. */
  private static final int MAX_RETENTION_DAYS = 36_500;

  private static final Set<String> KEYS = Set.of("rules_version", "products", "operation_rules");
  private static final Set<String> PRODUCT_KEYS = Set.of("description", "allowed_classes", "forbidden_classes",
      "default_retention_days", "min_retention_days", "quota_bytes", "max_artifacts");
  private static final Set<String> OPERATIONS = Arrays.stream(OpType.values()).map(OpType::name)
      .collect(Collectors.toSet());

  private RuleSetLoader() {
  }

  public static RuleSet load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new RuleSetException("governance file " + file + ": cannot be read (" + e.getClass().getSimpleName()
          + ")");
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException e) {
      throw new RuleSetException("governance file " + file + ": not a JSON object");
    }
    return fromJson(json);
  }

  public static RuleSet fromJson(JsonObject json) {
    onlyKeys(json, KEYS, null);
    int version = (int) whole(json, "rules_version", null, 1, Integer.MAX_VALUE);

    JsonObject productsJson = object(json, "products", null);
    if (productsJson.isEmpty()) {
      throw fail("products", "must name at least one product");
    }
    Map<String, ProductRule> products = new LinkedHashMap<>();
    for (String name : productsJson.fieldNames()) {
      if (!PRODUCT.matcher(name).matches()) {
        throw fail("products." + name, "not a product name (" + PRODUCT.pattern() + ")");
      }
      products.put(name, product(name, object(productsJson, name, "products")));
    }

    JsonObject opsJson = object(json, "operation_rules", null);
    Map<String, Set<OpType>> operationRules = new LinkedHashMap<>();
    for (String artifactClass : opsJson.fieldNames()) {
      operationRules.put(artifactClass, operationRule(artifactClass, opsJson));
    }

    Set<String> allowedAnywhere = new LinkedHashSet<>();
    for (ProductRule product : products.values()) {
      for (String artifactClass : product.allowedClasses()) {
        if (!operationRules.containsKey(artifactClass)) {
          throw fail("operation_rules." + artifactClass, "missing; products." + product.name()
              + " allows this class, so it needs an operation rule");
        }
        allowedAnywhere.add(artifactClass);
      }
    }
    for (String artifactClass : operationRules.keySet()) {
      if (!allowedAnywhere.contains(artifactClass)) {
        throw fail("operation_rules." + artifactClass, "no product allows this class (a misspelt class name?)");
      }
    }
    return new RuleSet(version, products, operationRules);
  }

  private static ProductRule product(String name, JsonObject json) {
    String key = "products." + name;
    onlyKeys(json, PRODUCT_KEYS, key);
    Object description = json.getValue("description");
    if (!(description instanceof String text) || text.isBlank()) {
      throw fail(key + ".description", description == null ? "missing" : "must be a non-empty string");
    }
    Set<String> allowed = classes(json, "allowed_classes", key);
    if (allowed.isEmpty()) {
      throw fail(key + ".allowed_classes", "must name at least one class");
    }
    Set<String> forbidden = classes(json, "forbidden_classes", key);
    for (String artifactClass : forbidden) {
      if (allowed.contains(artifactClass)) {
        throw fail(key + ".forbidden_classes", "class '" + artifactClass + "' is also in allowed_classes");
      }
    }
    int defaultRetention = (int) whole(json, "default_retention_days", key, 1, MAX_RETENTION_DAYS);
    int minRetention = (int) whole(json, "min_retention_days", key, 1, MAX_RETENTION_DAYS);
    if (minRetention > defaultRetention) {
      throw fail(key + ".min_retention_days", minRetention + " exceeds default_retention_days " + defaultRetention);
    }
    long quota = whole(json, "quota_bytes", key, 1, Long.MAX_VALUE);
    long maxArtifacts = whole(json, "max_artifacts", key, 1, Long.MAX_VALUE);
    return new ProductRule(name, (String) description, allowed, forbidden, defaultRetention, minRetention, quota,
        maxArtifacts);
  }

  private static Set<OpType> operationRule(String artifactClass, JsonObject opsJson) {
    String key = "operation_rules." + artifactClass;
    if (!ARTIFACT_CLASS.matcher(artifactClass).matches()) {
      throw fail(key, "not a class name (" + ARTIFACT_CLASS.pattern() + ")");
    }
    JsonObject rule = object(opsJson, artifactClass, "operation_rules");
    onlyKeys(rule, OPERATIONS, key);
    EnumSet<OpType> permitted = EnumSet.noneOf(OpType.class);
    for (OpType op : OpType.values()) {
      Object value = rule.getValue(op.name());
      if (!(value instanceof Boolean allowed)) {
        throw fail(key + "." + op.name(), value == null
            ? "missing (every rule states CREATE, READ, UPDATE and DELETE)"
            : "must be true or false, got " + Json.encode(value));
      }
      if (allowed) {
        permitted.add(op);
      }
    }
    if (permitted.contains(OpType.DELETE)) {
      throw fail(key + ".DELETE", "must be false: the depository is append-only and deletes nothing");
    }
    return permitted;
  }

  private static Set<String> classes(JsonObject json, String field, String parent) {
    String key = parent + "." + field;
    Object value = json.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw fail(key, value == null ? "missing" : "must be an array of class names");
    }
    Set<String> classes = new LinkedHashSet<>();
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (!(item instanceof String name) || !ARTIFACT_CLASS.matcher(name).matches()) {
        throw fail(key + "[" + i + "]", Json.encode(item) + " is not a class name (" + ARTIFACT_CLASS.pattern() + ")");
      }
      if (!classes.add(name)) {
        throw fail(key + "[" + i + "]", "class '" + name + "' is listed twice");
      }
    }
    return classes;
  }

  private static JsonObject object(JsonObject json, String field, String parent) {
    Object value = json.getValue(field);
    if (!(value instanceof JsonObject object)) {
      throw fail(path(parent, field), value == null ? "missing" : "must be a JSON object");
    }
    return object;
  }

  private static long whole(JsonObject json, String field, String parent, long min, long max) {
    Object value = json.getValue(field);
    String key = path(parent, field);
    if (!(value instanceof Integer || value instanceof Long)) {
      throw fail(key, value == null ? "missing" : "must be a whole number, got " + Json.encode(value));
    }
    long n = ((Number) value).longValue();
    if (n < min || n > max) {
      throw fail(key, "must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  private static void onlyKeys(JsonObject json, Set<String> known, String parent) {
    for (String field : json.fieldNames()) {
      if (!known.contains(field)) {
        throw fail(path(parent, field), "unknown key (expected " + known.stream().sorted().toList() + ")");
      }
    }
  }

  private static String path(String parent, String field) {
    return parent == null ? field : parent + "." + field;
  }

  private static RuleSetException fail(String key, String problem) {
    return new RuleSetException(key + ": " + problem);
  }
}
