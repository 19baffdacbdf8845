package dev.bucket.transparency;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An Ed25519 C2SP signed-note verifier key, {@code <name>+<8 hex digit key ID>+<base64(0x01 || public key)>}, and
 * {@link #open} to verify notes against trusted keys with the semantics of {@code golang.org/x/mod/sumdb/note.Open}.
 */
public final class NoteVerifier {

  /** Go's limit: parsing stops being worth it long before a legitimate note carries this many signatures. */
  static final int MAX_SIGNATURES = 100;

  private final String name;
  private final int keyId;
  private final byte[] publicKey;
  private final PublicKey key;

  private NoteVerifier(String name, byte[] publicKey) {
    NoteFormat.requireValidName(name);
    if (publicKey.length != 32) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes, got " + publicKey.length);
    }
    this.name = name;
    this.publicKey = publicKey.clone();
    this.keyId = NoteFormat.keyId(name, publicKey);
    this.key = NoteFormat.ed25519PublicKey(publicKey);
  }

  /** The verifier for {@code name} and a raw 32-byte Ed25519 public key (RFC 8032 encoding). */
  public static NoteVerifier ofEd25519(String name, byte[] publicKey) {
    return new NoteVerifier(name, publicKey);
  }

  /**
   * Parses {@code <name>+<key ID>+<base64 key>}, checking that the key is Ed25519 and that the key ID is the one
   * derived from name and key.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static NoteVerifier fromVerifierKey(String verifierKey) {
    int firstPlus = verifierKey.indexOf('+');
    int secondPlus = firstPlus < 0 ? -1 : verifierKey.indexOf('+', firstPlus + 1);
    if (secondPlus < 0) {
      throw new IllegalArgumentException("verifier key must have the form <name>+<key ID>+<key>");
    }
    String name = verifierKey.substring(0, firstPlus);
    int keyId = parseKeyId(verifierKey.substring(firstPlus + 1, secondPlus));
    // The base64 key may itself contain '+', so it is everything after the second one.
    byte[] typeAndKey = NoteFormat.decodeBase64(verifierKey.substring(secondPlus + 1));
    if (typeAndKey == null || typeAndKey.length == 0) {
      throw new IllegalArgumentException("verifier key material is not canonical base64");
    }
    if (typeAndKey[0] != NoteFormat.ED25519) {
      throw new IllegalArgumentException("verifier key has unsupported signature type " + (typeAndKey[0] & 0xff));
    }
    NoteVerifier verifier = new NoteVerifier(name, Arrays.copyOfRange(typeAndKey, 1, typeAndKey.length));
    if (verifier.keyId != keyId) {
      throw new IllegalArgumentException("verifier key ID " + NoteFormat.hex(keyId) + " does not match its name and"
          + " key, which give " + NoteFormat.hex(verifier.keyId));
    }
    return verifier;
  }

  static int parseKeyId(String hex) {
    if (hex.length() != 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80)) {
      throw new IllegalArgumentException("key ID must be 8 hex digits: \"" + hex + "\"");
    }
    return Integer.parseUnsignedInt(hex, 16);
  }

  public String name() {
    return name;
  }

  public int keyId() {
    return keyId;
  }

  /** The raw 32-byte Ed25519 public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** {@code <name>+<key ID>+<base64(0x01 || public key)>}. */
  public String verifierKey() {
    byte[] typeAndKey = new byte[33];
    typeAndKey[0] = NoteFormat.ED25519;
    System.arraycopy(publicKey, 0, typeAndKey, 1, 32);
    return name + "+" + NoteFormat.hex(keyId) + "+" + Base64.getEncoder().encodeToString(typeAndKey);
  }

  boolean verify(byte[] text, byte[] signature) {
    return NoteFormat.verifyEd25519(key, text, signature);
  }

  /**
   * Opens a signed note: splits the text from the signature lines at the last blank line, and verifies every
   * signature whose key name and key ID match a trusted key. Signatures by other keys are returned as unverified,
   * as the spec requires them to be ignored; a repeated signature by the same key is ignored too.
   *
   * @throws NoteException {@link NoteException.Reason#MALFORMED} if the note breaks the format or has more than 100
   *     signatures; {@link NoteException.Reason#AMBIGUOUS_KEY} if two trusted keys share name and key ID;
   *     {@link NoteException.Reason#INVALID_SIGNATURE} if a trusted key's signature fails, which rejects the whole
   *     note; {@link NoteException.Reason#UNVERIFIED} if no trusted key signed it, carrying the unknown signatures
   */
  public static VerifiedNote open(String signedNote, NoteVerifier... trusted) {
    Objects.requireNonNull(signedNote, "signedNote");
    if (!NoteFormat.isWellFormed(signedNote)) {
      throw NoteException.malformed("note is not well-formed Unicode");
    }
    if (signedNote.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
      throw NoteException.malformed("note contains a control character other than newline");
    }
    int split = signedNote.lastIndexOf("\n\n");
    if (split < 0) {
      throw NoteException.malformed("note has no blank line before its signatures");
    }
    String text = signedNote.substring(0, split + 1);
    String signatureBlock = signedNote.substring(split + 2);
    if (signatureBlock.isEmpty() || !signatureBlock.endsWith("\n")) {
      throw NoteException.malformed("note must end with signature lines, each ending in a newline");
    }

    Map<String, List<NoteVerifier>> byKey = new HashMap<>();
    for (NoteVerifier verifier : trusted) {
      byKey.computeIfAbsent(verifier.name + "+" + NoteFormat.hex(verifier.keyId), k -> new ArrayList<>())
          .add(verifier);
    }

    byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
    List<VerifiedNote.Signature> verified = new ArrayList<>();
    List<VerifiedNote.Signature> unverified = new ArrayList<>();
    Set<String> seenKeys = new HashSet<>();
    Set<String> seenUnverifiedLines = new HashSet<>();
    String[] lines = signatureBlock.substring(0, signatureBlock.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) {
      throw NoteException.malformed("note has " + lines.length + " signatures, more than " + MAX_SIGNATURES);
    }
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (!line.startsWith(NoteFormat.SIGNATURE_PREFIX)) {
        throw NoteException.malformed("signature line " + (i + 1) + " does not start with an em dash and a space");
      }
      String rest = line.substring(NoteFormat.SIGNATURE_PREFIX.length());
      int space = rest.indexOf(' ');
      String name = space < 0 ? rest : rest.substring(0, space);
      String base64 = space < 0 ? "" : rest.substring(space + 1);
      byte[] idAndSignature = NoteFormat.decodeBase64(base64);
      if (!NoteFormat.isValidName(name) || idAndSignature == null || idAndSignature.length < 5) {
        throw NoteException.malformed("signature line " + (i + 1) + " is not '\u2014 <key name> <base64>'");
      }
      int keyId = ((idAndSignature[0] & 0xff) << 24) | ((idAndSignature[1] & 0xff) << 16)
          | ((idAndSignature[2] & 0xff) << 8) | (idAndSignature[3] & 0xff);
      VerifiedNote.Signature signature = new VerifiedNote.Signature(name, keyId, base64);
      String key = name + "+" + NoteFormat.hex(keyId);

      List<NoteVerifier> candidates = byKey.get(key);
      if (candidates == null) {
        if (seenUnverifiedLines.add(rest)) {
          unverified.add(signature);
        }
        continue;
      }
      if (candidates.size() > 1) {
        throw new NoteException(NoteException.Reason.AMBIGUOUS_KEY, "ambiguous key " + key, List.of());
      }
      if (!seenKeys.add(key)) {
        continue;
      }
      if (!candidates.get(0).verify(textBytes, Arrays.copyOfRange(idAndSignature, 4, idAndSignature.length))) {
        throw new NoteException(NoteException.Reason.INVALID_SIGNATURE, "invalid signature for key " + key,
            List.of());
      }
      verified.add(signature);
    }
    if (verified.isEmpty()) {
      StringBuilder message = new StringBuilder("note has no verifiable signatures");
      if (!unverified.isEmpty()) {
        message.append("; unknown keys:");
        unverified.forEach(s -> message.append(' ').append(s.name()).append('+').append(s.keyIdHex()));
      }
      throw new NoteException(NoteException.Reason.UNVERIFIED, message.toString(), unverified);
    }
    return new VerifiedNote(text, verified, unverified);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NoteVerifier that && name.equals(that.name) && Arrays.equals(publicKey, that.publicKey);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return verifierKey();
  }
}
