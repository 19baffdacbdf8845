package dev.bucket.verify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code bucket-evidence/v1} bundle, read for verification: only its shape is checked here (fields present, of
 * the right JSON types); whether its contents hold is {@link BundleVerifier}'s job.
 *
 * @param artifact        the artifact version's claimed metadata
 * @param index           {@code log_entry.index}: where the commit entry is in the log
 * @param entry           {@code log_entry.entry}: base64 of the canonical entry bytes, not yet decoded
 * @param treeSize        {@code inclusion_proof.tree_size}
 * @param proofHashes     {@code inclusion_proof.hashes}, base64, not yet decoded
 * @param checkpoint      the signed checkpoint note
 */
public record EvidenceBundle(Artifact artifact, long index, String entry, long treeSize, List<String> proofHashes,
                             String checkpoint) {

  public static final String FORMAT = "bucket-evidence/v1";

  public EvidenceBundle {
    proofHashes = List.copyOf(proofHashes);
  }

  /**
   * The artifact fields the verifier relies on.
   *
   * @param artifactClass null if the bundle omits it
   * @param createdBy     null if the bundle omits it
   */
  public record Artifact(String productId, String artifactId, int version, String contentHash, long size,
                         String artifactClass, String createdBy) {

    /** {@code <product>/<artifact>/v<version>}, for messages. */
    public String describe() {
      return productId + "/" + artifactId + " v" + version;
    }
  }

  /** Reads the bundle's fields, requiring the {@code bucket-evidence/v1} shape. */
  public static EvidenceBundle parse(JsonObject json) throws UnusableInputException {
    String format = string(json, "format", "format");
    if (!FORMAT.equals(format)) {
      throw new UnusableInputException("bundle format is '" + format + "', this verifier reads " + FORMAT);
    }
    JsonObject artifact = object(json, "artifact", "artifact");
    JsonObject logEntry = object(json, "log_entry", "log_entry");
    JsonObject proof = object(json, "inclusion_proof", "inclusion_proof");
    Object hashes = proof.getValue("hashes");
    if (!(hashes instanceof JsonArray array)) {
      throw new UnusableInputException("bundle field inclusion_proof.hashes is missing or not an array");
    }
    List<String> proofHashes = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String hash)) {
        throw new UnusableInputException("bundle field inclusion_proof.hashes[" + i + "] is not a string");
      }
      proofHashes.add(hash);
    }
    long version = integer(artifact, "version", "artifact.version");
    if (version < 1 || version > Integer.MAX_VALUE) {
      throw new UnusableInputException("bundle field artifact.version is out of range: " + version);
    }
    return new EvidenceBundle(
        new Artifact(string(artifact, "product_id", "artifact.product_id"),
            string(artifact, "artifact_id", "artifact.artifact_id"), (int) version,
            string(artifact, "content_hash", "artifact.content_hash"), integer(artifact, "size", "artifact.size"),
            optionalString(artifact, "artifact_class", "artifact.artifact_class"),
            optionalString(artifact, "created_by", "artifact.created_by")),
        integer(logEntry, "index", "log_entry.index"), string(logEntry, "entry", "log_entry.entry"),
        integer(proof, "tree_size", "inclusion_proof.tree_size"), proofHashes,
        string(json, "checkpoint", "checkpoint"));
  }

  private static JsonObject object(JsonObject json, String field, String path) throws UnusableInputException {
    if (!(json.getValue(field) instanceof JsonObject object)) {
      throw new UnusableInputException("bundle field " + path + " is missing or not an object");
    }
    return object;
  }

  private static String string(JsonObject json, String field, String path) throws UnusableInputException {
    String value = optionalString(json, field, path);
    if (value == null) {
      throw new UnusableInputException("bundle field " + path + " is missing");
    }
    return value;
  }

  private static String optionalString(JsonObject json, String field, String path) throws UnusableInputException {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new UnusableInputException("bundle field " + path + " is not a string");
    }
    return (String) value;
  }

  /** A non-negative integer; JSON numbers with a fraction or exponent are refused. */
  private static long integer(JsonObject json, String field, String path) throws UnusableInputException {
    Object value = json.getValue(field);
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new UnusableInputException("bundle field " + path + " is " + (value == null ? "missing" : "not an integer"));
    }
    long n = ((Number) value).longValue();
    if (n < 0) {
      throw new UnusableInputException("bundle field " + path + " is negative: " + n);
    }
    return n;
  }
}
