package dev.bucket.transparency;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SignedNoteTest {

  // golang.org/x/mod sumdb/note/note_test.go (TestNewSigner, TestSign, TestVerifierList, TestOpen).
  private static final String PETER_SKEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  private static final String PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  private static final String ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
  private static final String TEXT = "If you think cryptography is the answer to your problem,\n"
      + "then you don't know what your problem is.\n";
  private static final String PETER_B64 =
      "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
  private static final String ENOCH_B64 =
      "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=";
  private static final String PETER_SIG = "\u2014 PeterNeumann " + PETER_B64 + "\n";
  private static final String ENOCH_SIG = "\u2014 EnochRoot " + ENOCH_B64 + "\n";

  // The worked example of an earlier revision of c2sp.org/signed-note (the current one shows no key), as quoted
  // verbatim by several independent implementations' test suites, one citing C2SP commit d4c16da5.
  private static final String SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
  private static final String SPEC_NOTE = "This is an example message.\n\n\u2014 example.com/foo "
      + "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

  private static final NoteVerifier PETER = NoteVerifier.fromVerifierKey(PETER_VKEY);
  private static final NoteVerifier ENOCH = NoteVerifier.fromVerifierKey(ENOCH_VKEY);

  @Test
  void signerAndVerifierKeysMatchTheGoNoteVectorsByteForByte() {
    NoteSigner signer = NoteSigner.fromSignerKey(PETER_SKEY);

    assertThat(signer.name()).isEqualTo("PeterNeumann");
    assertThat(signer.keyId()).isEqualTo(0xc74f20a3);
    assertThat(signer.signerKey()).isEqualTo(PETER_SKEY);
    assertThat(signer.verifier().verifierKey()).isEqualTo(PETER_VKEY);
    assertThat(signer.verifier()).isEqualTo(PETER);
    for (String vkey : List.of(PETER_VKEY, ENOCH_VKEY, SPEC_VKEY)) {
      assertThat(NoteVerifier.fromVerifierKey(vkey).verifierKey()).isEqualTo(vkey);
    }
    assertThat(NoteVerifier.fromVerifierKey(SPEC_VKEY).keyId()).isEqualTo(0x530d903a);
  }

  @Test
  void signerFromTheRawSeedAndVerifierFromTheRawPublicKeyGiveTheSameKeyStrings() {
    byte[] typeAndSeed = Base64.getDecoder().decode(PETER_SKEY.split("\\+", 5)[4]);
    byte[] typeAndKey = Base64.getDecoder().decode(PETER_VKEY.split("\\+", 3)[2]);

    NoteSigner signer = NoteSigner.fromSeed("PeterNeumann", Arrays.copyOfRange(typeAndSeed, 1, 33));
    NoteVerifier verifier = NoteVerifier.ofEd25519("PeterNeumann", Arrays.copyOfRange(typeAndKey, 1, 33));

    assertThat(signer.signerKey()).isEqualTo(PETER_SKEY);
    assertThat(verifier.verifierKey()).isEqualTo(PETER_VKEY);
    assertThat(signer.verifier().publicKey()).isEqualTo(verifier.publicKey());
  }

  @Test
  void signingReproducesTheGoNoteSignatureByteForByte() {
    String signed = NoteSigner.fromSignerKey(PETER_SKEY).sign(TEXT);

    assertThat(signed).isEqualTo(TEXT + "\n" + PETER_SIG);
  }

  @Test
  void theSignedNoteSpecExampleVerifies() {
    VerifiedNote note = NoteVerifier.open(SPEC_NOTE, NoteVerifier.fromVerifierKey(SPEC_VKEY));

    assertThat(note.text()).isEqualTo("This is an example message.\n");
    assertThat(note.signatures()).extracting(VerifiedNote.Signature::keyIdHex).containsExactly("530d903a");
  }

  @Test
  void signedNotesRoundTripWithGeneratedKeys() {
    NoteSigner signer = NoteSigner.generate("bucket.example/audit");
    NoteSigner restored = NoteSigner.fromSignerKey(signer.signerKey());
    NoteVerifier verifier = NoteVerifier.fromVerifierKey(signer.verifier().verifierKey());
    String text = "bucket.example/audit\n3\n" + Base64.getEncoder().encodeToString(new byte[32]) + "\n";

    VerifiedNote note = NoteVerifier.open(restored.sign(text), verifier);

    assertThat(note.text()).isEqualTo(text);
    assertThat(note.signatures()).containsExactly(
        new VerifiedNote.Signature("bucket.example/audit", signer.keyId(), note.signatures().get(0).base64()));
    assertThat(note.unverifiedSignatures()).isEmpty();
    assertThat(NoteSigner.generate("bucket.example/audit").signerKey()).isNotEqualTo(signer.signerKey());
  }

  @Test
  void textMayContainBlankLinesAndNonAsciiCharacters() {
    NoteSigner signer = NoteSigner.generate("k");
    for (String text : List.of("\n", "a\n\nb\n", "a\n\n", "Ognuno sta solo \u00e8 \u2014 \ud83c\udf0d\n")) {
      assertThat(NoteVerifier.open(signer.sign(text), signer.verifier()).text()).isEqualTo(text);
    }
  }

  @Test
  void aCheckpointOverTheAppenderRootSurvivesSigningAndProvesInclusion() {
    TreeFixture tree = TreeFixture.ofSize(21);
    NoteSigner log = NoteSigner.generate("bucket.example/audit");
    String signed = log.sign(new Checkpoint("bucket.example/audit", 21, tree.roots.get(21)).body());

    Checkpoint opened = Checkpoint.parse(NoteVerifier.open(signed, log.verifier()).text());

    assertThat(MerkleProofs.verifyInclusion(tree.leafHash(13), 13, opened.size(),
        MerkleProofs.inclusionProof(13, 21, tree.source()), opened.rootHash())).isTrue();
  }

  @Test
  void openReturnsTrustedSignaturesAndListsUnknownOnes() {
    VerifiedNote note = NoteVerifier.open(TEXT + "\n" + PETER_SIG + ENOCH_SIG, PETER);

    assertThat(note.text()).isEqualTo(TEXT);
    assertThat(note.signatures()).containsExactly(new VerifiedNote.Signature("PeterNeumann", 0xc74f20a3, PETER_B64));
    assertThat(note.unverifiedSignatures())
        .containsExactly(new VerifiedNote.Signature("EnochRoot", 0xaf0cfe78, ENOCH_B64));

    VerifiedNote both = NoteVerifier.open(TEXT + "\n" + PETER_SIG + ENOCH_SIG, PETER, ENOCH);
    assertThat(both.signatures()).extracting(VerifiedNote.Signature::name)
        .containsExactly("PeterNeumann", "EnochRoot");
    assertThat(both.unverifiedSignatures()).isEmpty();
  }

  @Test
  void aNoteWithoutTrustedSignaturesIsRejectedNamingTheUnknownKeys() {
    NoteException e = catchThrowableOfType(() -> NoteVerifier.open(TEXT + "\n" + PETER_SIG + ENOCH_SIG),
        NoteException.class);

    assertThat(e.reason()).isEqualTo(NoteException.Reason.UNVERIFIED);
    assertThat(e).hasMessage("note has no verifiable signatures; unknown keys: PeterNeumann+c74f20a3"
        + " EnochRoot+af0cfe78");
    assertThat(e.unverifiedSignatures()).extracting(VerifiedNote.Signature::name)
        .containsExactly("PeterNeumann", "EnochRoot");

    NoteException other = catchThrowableOfType(() -> NoteVerifier.open(TEXT + "\n" + ENOCH_SIG, PETER),
        NoteException.class);
    assertThat(other.reason()).isEqualTo(NoteException.Reason.UNVERIFIED);
    assertThat(other).hasMessageContaining("EnochRoot+af0cfe78");
  }

  @Test
  void aSignatureFromAKeyWithTheSameNameButAnotherIdIsIgnoredAsUnknown() {
    NoteSigner impostor = NoteSigner.generate("PeterNeumann");
    String signed = impostor.sign(TEXT);

    NoteException e = catchThrowableOfType(() -> NoteVerifier.open(signed, PETER), NoteException.class);

    assertThat(e.reason()).isEqualTo(NoteException.Reason.UNVERIFIED);
    assertThat(NoteVerifier.open(signed + PETER_SIG, PETER).signatures())
        .extracting(VerifiedNote.Signature::keyId).containsExactly(0xc74f20a3);
  }

  @Test
  void aModifiedTextFailsVerification() {
    String tampered = TEXT.replace("answer", "Answer") + "\n" + PETER_SIG;

    assertThatThrownBy(() -> NoteVerifier.open(tampered, PETER)).isInstanceOf(NoteException.class)
        .hasMessage("invalid signature for key PeterNeumann+c74f20a3")
        .extracting(e -> ((NoteException) e).reason()).isEqualTo(NoteException.Reason.INVALID_SIGNATURE);
  }

  @Test
  void aModifiedSignatureFailsVerification() {
    byte[] raw = Base64.getDecoder().decode(PETER_B64);
    for (int i = 4; i < raw.length; i += 7) {
      byte[] modified = raw.clone();
      modified[i] ^= 0x01;
      String note = TEXT + "\n\u2014 PeterNeumann " + Base64.getEncoder().encodeToString(modified) + "\n";

      NoteException e = catchThrowableOfType(() -> NoteVerifier.open(note, PETER), NoteException.class);

      assertThat(e.reason()).as("byte %d", i).isEqualTo(NoteException.Reason.INVALID_SIGNATURE);
    }
    // Go's TestOpen: four base64 characters inserted mid-signature.
    String inserted = spliceUtf8(PETER_SIG, 60, "ABCD");
    assertThatThrownBy(() -> NoteVerifier.open(TEXT + "\n" + inserted, PETER))
        .hasMessage("invalid signature for key PeterNeumann+c74f20a3");
  }

  @Test
  void repeatedSignaturesAreIgnoredAsGoDoes() {
    // Go's TestOpen "Duplicated verified and unverified signatures": only the first signature by a known key counts.
    String enochAbcd = spliceUtf8(ENOCH_SIG, 60, "ABCD");
    String note = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enochAbcd;

    VerifiedNote opened = NoteVerifier.open(note, PETER);

    assertThat(opened.signatures()).extracting(VerifiedNote.Signature::base64).containsExactly(PETER_B64);
    assertThat(opened.unverifiedSignatures()).extracting(VerifiedNote.Signature::base64).containsExactly(
        ENOCH_B64, "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5nABCD2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=");
  }

  @Test
  void twoTrustedKeysWithTheSameNameAndIdAreAmbiguous() {
    assertThatThrownBy(() -> NoteVerifier.open(TEXT + "\n" + ENOCH_SIG, ENOCH, PETER, ENOCH))
        .hasMessage("ambiguous key EnochRoot+af0cfe78");
    assertThat(NoteVerifier.open(TEXT + "\n" + PETER_SIG, ENOCH, PETER, ENOCH).text()).isEqualTo(TEXT);
  }

  @Test
  void malformedNotesAreRejected() {
    List<String> malformed = List.of(
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG.substring(0, PETER_SIG.length() - 1),
        "\u0001" + TEXT + "\n" + PETER_SIG,
        "\ud800" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n\u2014 Bad Name " + PETER_B64,
        TEXT + "\n\u2014 Bad Name " + PETER_B64 + "\n",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n- PeterNeumann " + PETER_B64 + "\n",
        TEXT + "\n\u2014 PeterNeumann\n",
        TEXT + "\n\u2014 PeterNeumann " + PETER_B64.replace("=", "") + "\n",
        TEXT + "\n\u2014 PeterNeumann AAAAAA==\n",
        TEXT + "\n\u2014 Peter+Neumann " + PETER_B64 + "\n",
        TEXT + "\n" + PETER_SIG.repeat(101));
    for (String note : malformed) {
      NoteException e = catchThrowableOfType(() -> NoteVerifier.open(note, PETER), NoteException.class);

      assertThat(e).as("%s", note).isNotNull();
      assertThat(e.reason()).as("%s", note).isEqualTo(NoteException.Reason.MALFORMED);
      assertThat(e).hasMessageStartingWith("malformed note: ");
    }
    assertThat(NoteVerifier.open(TEXT + "\n" + PETER_SIG.repeat(100), PETER).signatures()).hasSize(1);
  }

  @Test
  void verifierKeyParsingRejectsEveryMangling() {
    // Go's TestNewVerifier: every proper substring and every single-byte increment is rejected.
    assertEveryManglingRejected(PETER_VKEY, NoteVerifier::fromVerifierKey);
    // Wrong key length and unknown algorithm, each with a key ID recomputed to match.
    assertThatThrownBy(() -> NoteVerifier.fromVerifierKey(
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NoteVerifier.fromVerifierKey(
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported signature type");
  }

  @Test
  void signerKeyParsingRejectsEveryMangling() {
    assertEveryManglingRejected(PETER_SKEY, NoteSigner::fromSignerKey);
  }

  @Test
  void keyNamesWithSpacesPlusOrControlCharactersAreRejected() {
    byte[] seed = new byte[32];
    for (String name : List.of("", "a b", "a+b", "a\u00a0b", "a\u2028b", "a\tb", "a\nb", "\ud800")) {
      assertThatThrownBy(() -> NoteSigner.fromSeed(name, seed)).as("%s", name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key name");
    }
    assertThat(NoteSigner.fromSeed("example.com/log42", seed).name()).isEqualTo("example.com/log42");
  }

  @Test
  void signingRejectsTextThatCannotBeANote() {
    NoteSigner signer = NoteSigner.generate("k");

    assertThatThrownBy(() -> signer.sign("abc")).hasMessageContaining("newline");
    assertThatThrownBy(() -> signer.sign("")).hasMessageContaining("newline");
    assertThatThrownBy(() -> signer.sign("a\rb\n")).hasMessageContaining("control characters");
    assertThatThrownBy(() -> signer.sign("\udc00\n")).hasMessageContaining("well-formed");
  }

  @Test
  void seedsOfTheWrongLengthAreRejected() {
    assertThatThrownBy(() -> NoteSigner.fromSeed("k", new byte[31])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NoteVerifier.ofEd25519("k", new byte[33])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signerToStringDoesNotRevealTheKey() {
    assertThat(NoteSigner.fromSignerKey(PETER_SKEY).toString()).isEqualTo("NoteSigner[PeterNeumann+c74f20a3]");
  }

  private static void assertEveryManglingRejected(String key, java.util.function.Function<String, ?> parse) {
    assertThat(parse.apply(key)).isNotNull();
    for (int i = 0; i <= key.length(); i++) {
      for (int j = i + 1; j <= key.length(); j++) {
        if (i != 0 || j != key.length()) {
          String mangled = key.substring(i, j);
          assertThatThrownBy(() -> parse.apply(mangled)).as("%s", mangled)
              .isInstanceOf(IllegalArgumentException.class);
        }
      }
    }
    for (int i = 0; i < key.length(); i++) {
      char[] chars = key.toCharArray();
      chars[i]++;
      String mangled = new String(chars);
      assertThatThrownBy(() -> parse.apply(mangled)).as("%s", mangled).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** Inserts {@code insert} at UTF-8 byte offset {@code at}, as Go's tests slice byte strings. */
  private static String spliceUtf8(String s, int at, String insert) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return new String(bytes, 0, at, StandardCharsets.UTF_8) + insert
        + new String(bytes, at, bytes.length - at, StandardCharsets.UTF_8);
  }
}
