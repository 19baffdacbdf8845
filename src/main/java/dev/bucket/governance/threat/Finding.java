package dev.bucket.governance.threat;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One thing a detector found.
 *
 * @param pattern  one of {@code threat}'s pattern ids (or sub-pattern ids), so findings can be looked up in the catalog
 * @param severity this finding's severity, which may be lower than the threat's (a reserved field in metadata is HIGH
 *                 under the CRITICAL T5, because it is usually a naming accident rather than an attack)
 * @param path     where in the request, as a JSON path such as {@code $.metadata.db}; null when the finding is not
 *                 about one place (a refusal storm, a broken audit chain)
 * @param detail   a sentence for a human; it names the pattern and the place, never the value found there
 */
public record Finding(Threat threat, String pattern, Severity severity, String path, String detail) {

  public Finding {
    Objects.requireNonNull(threat, "threat");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(detail, "detail");
    if (pattern == null || !threat.reports(pattern)) {
      throw new IllegalArgumentException(threat.id() + " does not report pattern '" + pattern + "'");
    }
  }

  /** Whether this finding refuses the write (CRITICAL and HIGH) rather than only being recorded (MEDIUM). */
  public boolean blocking() {
    return severity.blocks();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("threat_id", threat.id())
        .put("threat", threat.title())
        .put("pattern", pattern)
        .put("severity", severity.name())
        .put("blocking", blocking())
        .put("path", path)
        .put("detail", detail);
  }
}
