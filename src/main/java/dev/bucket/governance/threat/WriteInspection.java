package dev.bucket.governance.threat;

import dev.bucket.governance.OpType;
import dev.bucket.governance.Principal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a detector may look at for one write or one governance request. The caller gathers the facts (the
 * class's active schema, the product's usage and quota); detectors only judge them, so they need no store.
 *
 * @param principal           who is asking
 * @param product             the product named in the path; null for a governance request about no product
 * @param artifactClass       the artifact class written; null for a governance request
 * @param op                  the operation; null for a governance request
 * @param metadata            the write's metadata (empty, never null)
 * @param data                the JSON data of a JSON write; null for multipart payloads and governance requests
 * @param declaredSize        the payload size the writer declared; negative when unknown (a streamed upload without a
 *                            length, whose size the payload store bounds while it streams)
 * @param knownMetadataFields the metadata fields the class's active schema names; null when there is no schema to
 *                            compare against
 * @param usage               the product's usage before this write; null when not known
 * @param quota               the product's quota; null when it has none
 * @param governance          the governance request; null for an artifact write
 */
public record WriteInspection(Principal principal, String product, String artifactClass, OpType op,
                              JsonObject metadata, Object data, long declaredSize, Set<String> knownMetadataFields,
                              ProductUsage usage, Quota quota, GovernanceRequest governance) {

  /** Field names that claim which product a body belongs to, matched case-insensitively (T7). */
  public static final Set<String> PRODUCT_FIELDS = Set.of("product", "product_id", "product_name");

  /** What a product holds already. */
  public record ProductUsage(long bytesUsed, long artifacts) {
    public ProductUsage {
      if (bytesUsed < 0 || artifacts < 0) {
        throw new IllegalArgumentException("usage cannot be negative");
      }
    }
  }

  /** A product's limits; {@link Long#MAX_VALUE} where there is none. */
  public record Quota(long maxBytes, long maxArtifacts, long maxArtifactBytes) {
    public Quota {
      if (maxBytes <= 0 || maxArtifacts <= 0 || maxArtifactBytes <= 0) {
        throw new IllegalArgumentException("quota limits must be positive");
      }
    }
  }

  /** A governance request: its action id and its JSON body (empty, never null). */
  public record GovernanceRequest(String action, JsonObject body) {
    public GovernanceRequest {
      Objects.requireNonNull(action, "action");
      body = body == null ? new JsonObject() : body;
    }
  }

  /** A field somewhere in the metadata or data that names a product, and its value. */
  public record ProductClaim(String path, String value) {
  }

  /**
   * The writer's {@code metadata.provenance}, whatever its type.
   *
   * @param value a JsonObject when well-formed, but a writer may send anything
   */
  public record ProvenanceClaim(String path, Object value) {

    /** The claimed signature when provenance is an object with a string {@code signature}, else null. */
    public String signature() {
      return value instanceof JsonObject o && o.getValue("signature") instanceof String s ? s : null;
    }

    /** The claimed key id when provenance is an object with a string {@code key_id}, else null. */
    public String keyId() {
      return value instanceof JsonObject o && o.getValue("key_id") instanceof String s ? s : null;
    }
  }

  public WriteInspection {
    Objects.requireNonNull(principal, "principal");
    if ((op == null) == (governance == null)) {
      throw new IllegalArgumentException("an inspection is either a write (with an operation) or a governance request");
    }
    metadata = metadata == null ? new JsonObject() : metadata;
    knownMetadataFields = knownMetadataFields == null ? null : Set.copyOf(knownMetadataFields);
  }

  /** Starts an artifact write by {@code principal} to {@code product}. */
  public static Builder write(Principal principal, String product, String artifactClass, OpType op) {
    return new Builder(principal, product, artifactClass, Objects.requireNonNull(op, "op"), null);
  }

  /** Starts a governance request; {@code product} is the product it concerns, or null. */
  public static Builder governance(Principal principal, String product, String action, JsonObject body) {
    return new Builder(principal, product, null, null, new GovernanceRequest(action, body));
  }

  public boolean isWrite() {
    return governance == null;
  }

  /** Every string {@code product}, {@code product_id} or {@code product_name} field in the metadata and the data. */
  public List<ProductClaim> productClaims() {
    List<ProductClaim> claims = new ArrayList<>();
    collectProductClaims(metadata, "$.metadata", claims);
    if (data != null) {
      collectProductClaims(data, "$.data", claims);
    }
    return claims;
  }

  /** The writer's provenance claim, or null when the metadata has no {@code provenance} field. */
  public ProvenanceClaim provenance() {
    return metadata.containsKey("provenance")
        ? new ProvenanceClaim("$.metadata.provenance", metadata.getValue("provenance")) : null;
  }

  private static void collectProductClaims(Object root, String rootPath, List<ProductClaim> claims) {
    JsonWalk.walk(root, rootPath, node -> {
      if (node.key() != null && node.value() instanceof String value
          && PRODUCT_FIELDS.contains(node.key().toLowerCase(Locale.ROOT))) {
        claims.add(new ProductClaim(node.path(), value));
      }
    });
  }

  /** Optional facts, all defaulting to "not given". */
  public static final class Builder {
    private final Principal principal;
    private final String product;
    private final String artifactClass;
    private final OpType op;
    private final GovernanceRequest governance;
    private JsonObject metadata;
    private Object data;
    private long declaredSize = -1;
    private Set<String> knownMetadataFields;
    private ProductUsage usage;
    private Quota quota;

    private Builder(Principal principal, String product, String artifactClass, OpType op,
                    GovernanceRequest governance) {
      this.principal = principal;
      this.product = product;
      this.artifactClass = artifactClass;
      this.op = op;
      this.governance = governance;
    }

    public Builder metadata(JsonObject metadata) {
      this.metadata = metadata;
      return this;
    }

    public Builder data(Object data) {
      this.data = data;
      return this;
    }

    public Builder declaredSize(long declaredSize) {
      this.declaredSize = declaredSize;
      return this;
    }

    public Builder knownMetadataFields(Set<String> knownMetadataFields) {
      this.knownMetadataFields = knownMetadataFields;
      return this;
    }

    public Builder usage(ProductUsage usage) {
      this.usage = usage;
      return this;
    }

    public Builder quota(Quota quota) {
      this.quota = quota;
      return this;
    }

    public WriteInspection build() {
      return new WriteInspection(principal, product, artifactClass, op, metadata, data, declaredSize,
          knownMetadataFields, usage, quota, governance);
    }
  }
}
