package dev.bucket.transparency;

/**
 * A Merkle proof does not verify; the message names the RFC 9162 step that failed. It reports bad input, not a
 * fault, so it skips the stack trace, which verifiers checking many proofs would otherwise pay for on every failure.
 */
public final class ProofVerificationException extends RuntimeException {

  public ProofVerificationException(String message) {
    super(message, null, false, false);
  }
}
