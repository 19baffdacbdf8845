package dev.bucket.governance.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What one product may store: the artifact classes it may write and read, the classes it must never touch, and its
 * retention and capacity limits. Class sets keep the file's order so that the JSON views read like the file.
 */
public record ProductRule(
    String name,
    String description,
    Set<String> allowedClasses,
    Set<String> forbiddenClasses,
    int defaultRetentionDays,
    int minRetentionDays,
    long quotaBytes,
    long maxArtifacts) {

  public ProductRule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    allowedClasses = Collections.unmodifiableSet(new LinkedHashSet<>(allowedClasses));
    forbiddenClasses = Collections.unmodifiableSet(new LinkedHashSet<>(forbiddenClasses));
  }

  public boolean allows(String artifactClass) {
    return allowedClasses.contains(artifactClass);
  }

  public boolean forbids(String artifactClass) {
    return forbiddenClasses.contains(artifactClass);
  }

  /** The product's entry in {@code conf/governance.json}. */
  JsonObject toJson() {
    return new JsonObject()
        .put("description", description)
        .put("allowed_classes", new JsonArray(new ArrayList<>(allowedClasses)))
        .put("forbidden_classes", new JsonArray(new ArrayList<>(forbiddenClasses)))
        .put("default_retention_days", defaultRetentionDays)
        .put("min_retention_days", minRetentionDays)
        .put("quota_bytes", quotaBytes)
        .put("max_artifacts", maxArtifacts);
  }
}
