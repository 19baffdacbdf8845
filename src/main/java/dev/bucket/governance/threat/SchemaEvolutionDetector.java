package dev.bucket.governance.threat;

import java.util.List;
import java.util.Set;

/**
 * T3: a write whose metadata goes beyond its class's active schema. Only top-level fields are compared: nested shapes
 * are the JSON Schema validator's business, the field list is what an approval names.
 */
public final class SchemaEvolutionDetector implements Detector {

  /** Fields by which a writer would pick the schema it is judged by, which is never the writer's choice. */
  public static final Set<String> SCHEMA_CLAIMS = Set.of("$schema", "schema_version");

  @Override
  public List<Finding> inspect(WriteInspection in) {
    Findings out = new Findings();
    if (!in.isWrite()) {
      return out.list();
    }
    Set<String> known = in.knownMetadataFields();
    for (String field : in.metadata().fieldNames()) {
      String path = JsonWalk.child("$.metadata", field);
      if (SCHEMA_CLAIMS.contains(field)) {
        out.add(new Finding(Threat.T3, "schema_claim", Severity.HIGH, path, "the metadata claims a schema at " + path
            + "; the schema a write is checked against is the class's active one"));
      } else if (known != null && !known.contains(field)) {
        out.add(new Finding(Threat.T3, "unknown_metadata_field", Severity.HIGH, path, "field " + path
            + " is not in the active schema of class '" + in.artifactClass() + "'; new fields need a schema approval"));
      }
    }
    return out.list();
  }
}
