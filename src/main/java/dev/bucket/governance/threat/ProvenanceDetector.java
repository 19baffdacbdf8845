package dev.bucket.governance.threat;

import java.util.Base64;
import java.util.List;

/**
 * T10: provenance that nobody can check. Provenance is the writer's claim; without a signature and the id of the key
 * that made it, nobody can hold the writer to it later. The finding is MEDIUM, so the write goes through and the claim
 * is stored marked as unverified. Only the form is checked (an Ed25519 signature is 64 bytes); Bucket holds no writer
 * keys, so it does not verify the signature itself.
 */
public final class ProvenanceDetector implements Detector {

  static final int ED25519_SIGNATURE_BYTES = 64;

  @Override
  public List<Finding> inspect(WriteInspection in) {
    WriteInspection.ProvenanceClaim claim = in.provenance();
    if (!in.isWrite() || claim == null) {
      return List.of();
    }
    String keyId = claim.keyId();
    String signature = claim.signature();
    if (signature == null || signature.isBlank() || keyId == null || keyId.isBlank()) {
      return List.of(finding("unsigned_provenance", claim.path(), "provenance unverified: " + claim.path()
          + " carries no signature and key_id"));
    }
    if (!ed25519Sized(signature)) {
      return List.of(finding("malformed_signature", claim.path(), "provenance unverified: the signature at "
          + claim.path() + ".signature is not base64 of a " + ED25519_SIGNATURE_BYTES + "-byte Ed25519 signature"));
    }
    return List.of();
  }

  /** Standard or URL-safe base64, padded or not, decoding to exactly 64 bytes. */
  private static boolean ed25519Sized(String signature) {
    for (Base64.Decoder decoder : List.of(Base64.getDecoder(), Base64.getUrlDecoder())) {
      try {
        return decoder.decode(signature.strip()).length == ED25519_SIGNATURE_BYTES;
      } catch (IllegalArgumentException notThisAlphabet) {
        // try the other alphabet
      }
    }
    return false;
  }

  private static Finding finding(String pattern, String path, String detail) {
    return new Finding(Threat.T10, pattern, Severity.MEDIUM, path, detail);
  }
}
