package dev.bucket.loadtest;

import java.util.List;

/** A product the load tests write as, with the one artifact class it is approved for. */
enum Product {
  AI_ASSISTANT("AI_Assistant", "metadata"),
  WORKFLOW_ENGINE("Workflow_Engine", "event_history"),
  AI_AVATAR("AI_Avatar", "model_checkpoint");

  /** Small JSON writes and cached reads alternate between these two. */
  static final List<Product> SMALL = List.of(AI_ASSISTANT, WORKFLOW_ENGINE);

  final String name;
  final String artifactClass;

  Product(String name, String artifactClass) {
    this.name = name;
    this.artifactClass = artifactClass;
  }

  String artifactsPath() {
    return "/v1/products/" + name + "/artifacts";
  }

  /**
   * The metadata object of a write, valid against the class's frozen schema (metadata v1, event_history v1 and
   * model_checkpoint v1 take no other members than the ones used here).
   */
  String metadataJson(long seq) {
    return switch (this) {
      case AI_ASSISTANT -> "{\"source\":\"loadtest\"}";
      case WORKFLOW_ENGINE -> "{\"source\":\"loadtest\",\"workflow_id\":\"wf-" + seq
          + "\",\"from_sequence\":0,\"to_sequence\":2,\"event_count\":3}";
      case AI_AVATAR -> "{\"source\":\"loadtest\",\"step\":" + seq + ",\"format\":\"bin\"}";
    };
  }

  /** A small JSON create; {@code artifactId} may be null (the gateway then generates one). */
  String createJson(String artifactId, long seq) {
    String data = this == WORKFLOW_ENGINE
        ? "{\"seq\":" + seq + ",\"events\":[{\"n\":0,\"type\":\"started\"},{\"n\":1,\"type\":\"step\"},"
            + "{\"n\":2,\"type\":\"completed\"}]}"
        : "{\"seq\":" + seq + ",\"text\":\"load test write\"}";
    return "{\"artifact_class\":\"" + artifactClass + "\""
        + (artifactId == null ? "" : ",\"artifact_id\":\"" + artifactId + "\"")
        + ",\"metadata\":" + metadataJson(seq) + ",\"data\":" + data + "}";
  }
}
