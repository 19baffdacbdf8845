package dev.bucket.transparency;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * An Ed25519 C2SP signed-note signer. Its key string, {@code PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>},
 * is the one {@code golang.org/x/mod/sumdb/note} reads and writes, and must be kept secret.
 */
public final class NoteSigner {

  private final String name;
  private final byte[] seed;
  private final PrivateKey privateKey;
  private final NoteVerifier verifier;

  private NoteSigner(String name, byte[] seed) {
    NoteFormat.requireValidName(name);
    if (seed.length != 32) {
      throw new IllegalArgumentException("Ed25519 seed must be 32 bytes, got " + seed.length);
    }
    KeyPair pair = keyPairFromSeed(seed);
    this.name = name;
    this.seed = seed.clone();
    this.privateKey = pair.getPrivate();
    this.verifier = NoteVerifier.ofEd25519(name, NoteFormat.rawPublicKey(pair.getPublic()));
  }

  /** A signer for {@code name} with a new random key. */
  public static NoteSigner generate(String name) {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    return new NoteSigner(name, seed);
  }

  /** A signer for {@code name} with the Ed25519 private key given as its 32-byte RFC 8032 seed. */
  public static NoteSigner fromSeed(String name, byte[] seed) {
    return new NoteSigner(name, seed);
  }

  /**
   * Parses {@code PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>}, checking that the key ID is the one derived
   * from the name and the public key.
   *
   * @throws IllegalArgumentException naming what is wrong, never echoing the key material
   */
  public static NoteSigner fromSignerKey(String signerKey) {
    String[] parts = signerKey.split("\\+", 5);
    if (parts.length != 5 || !parts[0].equals("PRIVATE") || !parts[1].equals("KEY")) {
      throw new IllegalArgumentException("signer key must have the form PRIVATE+KEY+<name>+<key ID>+<key>");
    }
    int keyId = NoteVerifier.parseKeyId(parts[3]);
    byte[] typeAndSeed = NoteFormat.decodeBase64(parts[4]);
    if (typeAndSeed == null || typeAndSeed.length == 0) {
      throw new IllegalArgumentException("signer key material is not canonical base64");
    }
    if (typeAndSeed[0] != NoteFormat.ED25519) {
      throw new IllegalArgumentException("signer key has unsupported signature type " + (typeAndSeed[0] & 0xff));
    }
    NoteSigner signer = new NoteSigner(parts[2], Arrays.copyOfRange(typeAndSeed, 1, typeAndSeed.length));
    if (signer.keyId() != keyId) {
      throw new IllegalArgumentException("signer key ID " + NoteFormat.hex(keyId) + " does not match its name and"
          + " key, which give " + NoteFormat.hex(signer.keyId()));
    }
    return signer;
  }

  public String name() {
    return name;
  }

  public int keyId() {
    return verifier.keyId();
  }

  public NoteVerifier verifier() {
    return verifier;
  }

  /** {@code PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>}: secret. */
  public String signerKey() {
    byte[] typeAndSeed = new byte[33];
    typeAndSeed[0] = NoteFormat.ED25519;
    System.arraycopy(seed, 0, typeAndSeed, 1, 32);
    return "PRIVATE+KEY+" + name + "+" + NoteFormat.hex(keyId()) + "+"
        + Base64.getEncoder().encodeToString(typeAndSeed);
  }

  /**
   * The signed note: {@code text}, a blank line, and the line {@code — <name> <base64(key ID || signature)>}.
   *
   * @throws IllegalArgumentException if the text does not end in a newline or holds control characters
   */
  public String sign(String text) {
    NoteFormat.requireValidText(text);
    byte[] signature;
    try {
      Signature ed25519 = Signature.getInstance("Ed25519");
      ed25519.initSign(privateKey);
      ed25519.update(text.getBytes(StandardCharsets.UTF_8));
      signature = ed25519.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
    int keyId = keyId();
    byte[] idAndSignature = new byte[4 + signature.length];
    idAndSignature[0] = (byte) (keyId >>> 24);
    idAndSignature[1] = (byte) (keyId >>> 16);
    idAndSignature[2] = (byte) (keyId >>> 8);
    idAndSignature[3] = (byte) keyId;
    System.arraycopy(signature, 0, idAndSignature, 4, signature.length);
    return text + "\n" + NoteFormat.SIGNATURE_PREFIX + name + " "
        + Base64.getEncoder().encodeToString(idAndSignature) + "\n";
  }

  /**
   * The JDK derives an Ed25519 public key only while generating a pair, drawing the 32-byte seed from the given
   * randomness; feeding it the seed yields the pair for that seed. The returned private key is checked to be that
   * seed, so a provider that drew randomness differently fails loudly instead of producing a wrong key.
   */
  private static KeyPair keyPairFromSeed(byte[] seed) {
    KeyPair pair;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
      pair = generator.generateKeyPair();
    } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("Ed25519 is required by Java 15 and later", e);
    }
    byte[] drawn = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(null);
    if (!Arrays.equals(drawn, seed)) {
      throw new IllegalStateException("Ed25519 provider did not derive the key pair from the given seed");
    }
    return pair;
  }

  @Override
  public String toString() {
    return "NoteSigner[" + name + "+" + NoteFormat.hex(keyId()) + "]";
  }

  /** Randomness that yields exactly one 32-byte seed. */
  private static final class SeedRandom extends SecureRandom {

    private final byte[] seed;
    private boolean used;

    SeedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (used || bytes.length != seed.length) {
        throw new IllegalStateException("seed randomness asked for more than one " + seed.length + "-byte seed");
      }
      used = true;
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
    }
  }
}
