package dev.bucket.governance.threat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Lookups over {@link Threat} for the {@code /governance/threats} views. */
public final class ThreatCatalog {

  private ThreatCatalog() {
  }

  public static List<Threat> all() {
    return List.of(Threat.values());
  }

  /** The threat with id {@code id} ("T2"; case is ignored so {@code t2} in a URL works too). */
  public static Optional<Threat> byId(String id) {
    return Arrays.stream(Threat.values()).filter(t -> t.id().equalsIgnoreCase(id)).findFirst();
  }

  /**
   * The threats reporting {@code pattern}: a threat's own slug, a detector pattern or a sub-pattern
   * ({@code cloud_access_key} finds T2). An unknown pattern finds nothing; it is not an error.
   */
  public static List<Threat> byPattern(String pattern) {
    return Arrays.stream(Threat.values()).filter(t -> t.reports(pattern)).toList();
  }

  /** {@code {"count": 10, "threats": [...]}}. */
  public static JsonObject toJson() {
    return listJson(all());
  }

  /** {@code {"pattern": ..., "count": n, "threats": [...]}}, with an empty list for an unknown pattern. */
  public static JsonObject byPatternJson(String pattern) {
    return listJson(byPattern(pattern)).put("pattern", pattern);
  }

  private static JsonObject listJson(List<Threat> threats) {
    JsonArray array = new JsonArray();
    threats.forEach(t -> array.add(t.toJson()));
    return new JsonObject().put("count", threats.size()).put("threats", array);
  }
}
