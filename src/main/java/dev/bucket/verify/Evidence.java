package dev.bucket.verify;

import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.MerkleHash;
import dev.bucket.transparency.NoteException;
import dev.bucket.transparency.NoteVerifier;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Checks shared by the verifiers: signed checkpoints and base64 hashes. */
final class Evidence {

  private Evidence() {
  }

  /**
   * Opens a signed checkpoint note with the trusted key and parses its text.
   *
   * @throws CheckFailedException if the key did not sign it, or what it signed is not a checkpoint
   */
  static Checkpoint openCheckpoint(String note, NoteVerifier trusted) throws CheckFailedException {
    String text;
    try {
      text = NoteVerifier.open(note, trusted).text();
    } catch (NoteException e) {
      throw new CheckFailedException("not signed by the trusted key " + trusted.name() + "+"
          + String.format("%08x", trusted.keyId()) + ": " + e.getMessage());
    }
    try {
      return Checkpoint.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CheckFailedException("the signed text is not a checkpoint: " + e.getMessage());
    }
  }

  /** {@code origin <origin>, size <n>, root <base64>}. */
  static String describe(Checkpoint checkpoint) {
    return "origin " + checkpoint.origin() + ", size " + checkpoint.size() + ", root "
        + Base64.getEncoder().encodeToString(checkpoint.rootHash());
  }

  /** Decodes a list of base64 hashes, each of {@link MerkleHash#SIZE} bytes; {@code what} names the list. */
  static List<byte[]> hashes(List<String> base64, String what) throws CheckFailedException {
    List<byte[]> hashes = new ArrayList<>(base64.size());
    for (int i = 0; i < base64.size(); i++) {
      hashes.add(hash(base64.get(i), what + "[" + i + "]"));
    }
    return hashes;
  }

  static byte[] hash(String base64, String what) throws CheckFailedException {
    byte[] hash = base64(base64, what);
    if (hash.length != MerkleHash.SIZE) {
      throw new CheckFailedException(what + " is " + hash.length + " bytes, not a " + MerkleHash.SIZE + "-byte hash");
    }
    return hash;
  }

  static byte[] base64(String base64, String what) throws CheckFailedException {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new CheckFailedException(what + " is not base64: " + e.getMessage());
    }
  }
}
