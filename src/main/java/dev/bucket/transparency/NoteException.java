package dev.bucket.transparency;

import java.util.List;

/** A signed note cannot be trusted; {@link #reason()} says why and the message gives details. */
public final class NoteException extends RuntimeException {

  public enum Reason {
    /** The note breaks the signed-note format. */
    MALFORMED,
    /** Two trusted keys share a name and key ID, so a signature cannot be attributed. */
    AMBIGUOUS_KEY,
    /** A trusted key's signature does not verify. */
    INVALID_SIGNATURE,
    /** No trusted key signed the note; {@link #unverifiedSignatures()} lists who did. */
    UNVERIFIED
  }

  private final Reason reason;
  private final List<VerifiedNote.Signature> unverifiedSignatures;

  public NoteException(Reason reason, String message, List<VerifiedNote.Signature> unverifiedSignatures) {
    super(message);
    this.reason = reason;
    this.unverifiedSignatures = List.copyOf(unverifiedSignatures);
  }

  static NoteException malformed(String detail) {
    return new NoteException(Reason.MALFORMED, "malformed note: " + detail, List.of());
  }

  public Reason reason() {
    return reason;
  }

  /** The signatures by unknown keys, for {@link Reason#UNVERIFIED}; empty otherwise. */
  public List<VerifiedNote.Signature> unverifiedSignatures() {
    return unverifiedSignatures;
  }
}
