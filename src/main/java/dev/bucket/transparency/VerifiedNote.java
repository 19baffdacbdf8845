package dev.bucket.transparency;

import java.util.List;

/**
 * A note whose text at least one trusted key signed: the text (ending in a newline), the signatures verified, and
 * the signatures by keys not trusted, which were ignored.
 */
public record VerifiedNote(String text, List<Signature> signatures, List<Signature> unverifiedSignatures) {

  public VerifiedNote {
    signatures = List.copyOf(signatures);
    unverifiedSignatures = List.copyOf(unverifiedSignatures);
  }

  /** One signature line: key name, key ID, and the base64 of key ID and signature as it appeared. */
  public record Signature(String name, int keyId, String base64) {

    public String keyIdHex() {
      return NoteFormat.hex(keyId);
    }
  }
}
