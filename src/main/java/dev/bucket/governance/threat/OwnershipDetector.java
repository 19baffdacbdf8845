package dev.bucket.governance.threat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * T9: ownership left open or misstated. An integration is approved only with a {@code data_schema} naming its
 * {@code data_owner}, so every product's data has an owner on record before its first write; and a write's metadata
 * may not name an owner or creator other than the principal writing it, since the audit log would then contradict
 * the artifact.
 */
public final class OwnershipDetector implements Detector {

  /** The governance action that approves an integration; a request carrying a {@code data_schema} is judged alike. */
  public static final String APPROVE_INTEGRATION = "integration.approve";

  /** Metadata fields that claim who owns or made an artifact. */
  public static final Set<String> OWNERSHIP_FIELDS = Set.of("owner", "created_by");

  @Override
  public List<Finding> inspect(WriteInspection in) {
    Findings out = new Findings();
    if (in.isWrite()) {
      for (String field : OWNERSHIP_FIELDS) {
        Object claimed = in.metadata().getValue(field);
        if (claimed != null && !claimed.equals(in.principal().id())) {
          String path = "$.metadata." + field;
          out.add(new Finding(Threat.T9, "ownership_claim_mismatch", Severity.HIGH, path, path + " names someone "
              + "other than principal '" + in.principal().id() + "', who is writing it"));
        }
      }
      return out.list();
    }
    JsonObject body = in.governance().body();
    if (APPROVE_INTEGRATION.equals(in.governance().action()) || body.containsKey("data_schema")) {
      Object schema = body.getValue("data_schema");
      Object owner = schema instanceof JsonObject s ? s.getValue("data_owner") : null;
      if (!(owner instanceof String name) || name.isBlank()) {
        out.add(new Finding(Threat.T9, "missing_data_owner", Severity.HIGH, "$.data_schema.data_owner",
            "the integration approval does not name a data_owner in its data_schema; every product's data needs an "
                + "owner on record before it is written"));
      }
    }
    return out.list();
  }
}
