package dev.bucket.governance.threat;

import dev.bucket.governance.OpType;
import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Principals and requests shared by the threat tests. */
final class Fixtures {

  static final String PRODUCT = "AI_Assistant";
  static final Principal ASSISTANT = new Principal("int-assistant", Role.INTEGRATION, PRODUCT);
  static final Principal AVATAR = new Principal("int-avatar", Role.INTEGRATION, "AI_Avatar");
  static final Principal EXECUTOR = new Principal("executor-1", Role.EXECUTOR, null);
  static final Principal OWNER = new Principal("owner-1", Role.OWNER, null);

  private Fixtures() {
  }

  /** A create by the assistant integration into its own product. */
  static WriteInspection.Builder create() {
    return WriteInspection.write(ASSISTANT, PRODUCT, "conversation", OpType.CREATE);
  }

  static WriteInspection withMetadata(JsonObject metadata) {
    return create().metadata(metadata).build();
  }

  static WriteInspection withData(Object data) {
    return create().data(data).build();
  }

  static List<String> patterns(List<Finding> findings) {
    return findings.stream().map(Finding::pattern).toList();
  }
}
