package dev.bucket.governance.threat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Everything the stateless detectors found in one request. */
public record ThreatReport(List<Finding> findings) {

  public ThreatReport {
    findings = List.copyOf(findings);
  }

  /** Whether any finding is CRITICAL (which suspends the principal). */
  public boolean critical() {
    return findings.stream().anyMatch(f -> f.severity() == Severity.CRITICAL);
  }

  /** Whether the request is refused: any CRITICAL or HIGH finding. MEDIUM findings are recorded only. */
  public boolean blocking() {
    return findings.stream().anyMatch(Finding::blocking);
  }

  /** {@code clean} (nothing found), {@code flagged} (only findings that are recorded) or {@code blocked}. */
  public String status() {
    return blocking() ? "blocked" : findings.isEmpty() ? "clean" : "flagged";
  }

  /** {@code {"threats_found": [findings], "status": ...}}. */
  public JsonObject toJson() {
    JsonArray found = new JsonArray();
    findings.forEach(f -> found.add(f.toJson()));
    return new JsonObject().put("threats_found", found).put("status", status());
  }
}
