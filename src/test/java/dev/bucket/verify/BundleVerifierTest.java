package dev.bucket.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.audit.AuditRecord;
import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.NoteSigner;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleVerifierTest {

  @TempDir
  Path dir;

  private LogFixture log;
  private LogFixture.Version v1;
  private LogFixture.Version v2;
  private JsonObject bundle;
  private Path payload;

  @BeforeEach
  void setUp() throws Exception {
    log = new LogFixture();
    v1 = log.commit("acme", "tool", 1, LogFixture.bytes("first payload"));
    log.read("acme", "tool", 1);
    log.read("acme", "tool", 1);
    log.append(new AuditRecord("mallory", "acme", "artifact.version", "tool", 2, null, AuditRecord.Outcome.REFUSED,
        403, "forbidden", null));
    log.commit("other", "thing", 1, LogFixture.bytes("unrelated"));
    v2 = log.commit("acme", "tool", 2, LogFixture.bytes("second payload, the one we verify"));
    log.read("acme", "tool", 2);
    // 7 entries: the verified commit is leaf 5 of a tree that is not a power of two.
    bundle = log.bundle(v2);
    payload = Files.write(dir.resolve("payload.bin"), v2.payload());
  }

  private Report verify() throws UnusableInputException {
    return verify(bundle);
  }

  private Report verify(JsonObject json) throws UnusableInputException {
    return new BundleVerifier(log.signer.verifier()).verify(EvidenceBundle.parse(json), payload);
  }

  private static void assertFailsAt(Report report, String step, String... reasonParts) {
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(report.passed()).isFalse();
    Report.Step last = report.steps().get(report.steps().size() - 1);
    assertThat(last.name()).isEqualTo(step);
    assertThat(last.status()).isEqualTo(Report.Status.FAIL);
    assertThat(last.detail()).contains(reasonParts);
    assertThat(report.steps().subList(0, report.steps().size() - 1))
        .allMatch(s -> s.status() == Report.Status.OK);
  }

  @Test
  void aGenuineBundleAndPayloadPassEveryStep() throws Exception {
    Report report = verify();

    assertThat(report.exitCode()).isZero();
    assertThat(report.steps()).extracting(Report.Step::name).containsExactly(BundleVerifier.CHECKPOINT,
        BundleVerifier.TREE_SIZE, BundleVerifier.ENTRY, BundleVerifier.INCLUSION, BundleVerifier.PAYLOAD);
    assertThat(report.toString()).contains("ok   inclusion proof (leaf 5 of 7)")
        .contains("ok   commit entry (entry 5: artifact.version of acme/tool v2");
  }

  @Test
  void aFirstVersionIsCommittedByArtifactCreate() throws Exception {
    bundle = log.bundle(v1);
    payload = Files.write(dir.resolve("v1.bin"), v1.payload());

    assertThat(verify().exitCode()).isZero();
  }

  @Test
  void aChangedPayloadByteFailsAtThePayloadStep() throws Exception {
    byte[] changed = v2.payload().clone();
    changed[3] ^= 1;
    Files.write(payload, changed);

    assertFailsAt(verify(), BundleVerifier.PAYLOAD, "SHA-256 is 'sha256:", "expected '" + v2.contentHash() + "'");
  }

  @Test
  void aTruncatedPayloadFailsOnHashAndSize() throws Exception {
    Files.write(payload, LogFixture.bytes("second"));

    assertFailsAt(verify(), BundleVerifier.PAYLOAD, "size is 6, expected " + v2.payload().length);
  }

  @Test
  void aChangedEntryByteFailsTheInclusionProof() throws Exception {
    String entry = new String(log.entries.get(5), StandardCharsets.UTF_8);
    // The timestamp is not among the fields compared with the artifact, so only the tree can notice.
    String edited = entry.replace("\"ts\":\"2025-03-01T12:00:05.000Z\"", "\"ts\":\"2025-03-01T12:00:06.000Z\"");
    assertThat(edited).isNotEqualTo(entry);
    bundle.getJsonObject("log_entry").put("entry", LogFixture.b64(LogFixture.bytes(edited)));

    assertFailsAt(verify(), BundleVerifier.INCLUSION, "RFC 9162", "step 5", "does not match the given root");
  }

  @Test
  void aChangedEntryFieldThatTheArtifactStatesFailsAtTheEntryStep() throws Exception {
    String entry = new String(log.entries.get(5), StandardCharsets.UTF_8);
    bundle.getJsonObject("log_entry").put("entry", LogFixture.b64(LogFixture.bytes(
        entry.replace("\"status\":201", "\"status\":200"))));

    assertFailsAt(verify(), BundleVerifier.ENTRY, "status is 200, expected 201");
  }

  @Test
  void aWrongIndexFailsTheInclusionProofNamingTheRfcStep() throws Exception {
    bundle.getJsonObject("log_entry").put("index", 4);

    assertFailsAt(verify(), BundleVerifier.INCLUSION, "not leaf 4", "step 5");
  }

  @Test
  void anIndexBeyondTheTreeFailsAtRfcStepOne() throws Exception {
    bundle.getJsonObject("log_entry").put("index", 7);

    assertFailsAt(verify(), BundleVerifier.INCLUSION, "step 1");
  }

  @Test
  void aFlippedProofHashFailsTheInclusionProof() throws Exception {
    JsonArray hashes = bundle.getJsonObject("inclusion_proof").getJsonArray("hashes");
    byte[] hash = Base64.getDecoder().decode(hashes.getString(1));
    hash[0] ^= (byte) 0x80;
    hashes.set(1, LogFixture.b64(hash));

    assertFailsAt(verify(), BundleVerifier.INCLUSION, "step 5");
  }

  @Test
  void aProofWithAMissingHashFailsTheInclusionProof() throws Exception {
    bundle.getJsonObject("inclusion_proof").getJsonArray("hashes").remove(0);

    assertFailsAt(verify(), BundleVerifier.INCLUSION, "step 5", "fewer than");
  }

  @Test
  void aCheckpointSignedByAnotherKeyFailsAtTheSignature() throws Exception {
    NoteSigner impostor = NoteSigner.generate(LogFixture.ORIGIN);
    bundle.put("checkpoint", impostor.sign(new Checkpoint(LogFixture.ORIGIN, log.size(), log.root(log.size()))
        .body()));

    assertFailsAt(verify(), BundleVerifier.CHECKPOINT, "not signed by the trusted key", "no verifiable signatures");
  }

  @Test
  void anEditedCheckpointTextFailsAtTheSignature() throws Exception {
    String note = log.checkpoint();
    bundle.put("checkpoint", note.replaceFirst("\n7\n", "\n8\n"));

    assertFailsAt(verify(), BundleVerifier.CHECKPOINT, "invalid signature");
  }

  @Test
  void aSignedNoteThatIsNoCheckpointFailsAtTheSignatureStep() throws Exception {
    bundle.put("checkpoint", log.signer.sign("test.local/log\nnot a size\n"));

    assertFailsAt(verify(), BundleVerifier.CHECKPOINT, "not a checkpoint");
  }

  @Test
  void aProofForAnotherTreeSizeFailsAtTheTreeSizeStep() throws Exception {
    bundle.getJsonObject("inclusion_proof").put("tree_size", 6)
        .put("hashes", LogFixture.base64(log.inclusionProof(5, 6)));

    assertFailsAt(verify(), BundleVerifier.TREE_SIZE, "tree_size is 6", "has 7 entries");
  }

  @Test
  void theCommitOfAnotherVersionFailsAtTheEntryStep() throws Exception {
    // A genuine, included entry, but of version 1 while the bundle claims version 2.
    JsonObject v1Bundle = log.bundle(v1);
    bundle.put("log_entry", v1Bundle.getJsonObject("log_entry")).put("inclusion_proof",
        v1Bundle.getJsonObject("inclusion_proof"));

    assertFailsAt(verify(), BundleVerifier.ENTRY, "not the commit of acme/tool v2", "version is 1, expected 2",
        "op is 'artifact.create', expected 'artifact.version'");
  }

  @Test
  void theCommitOfAnotherArtifactFailsAtTheEntryStep() throws Exception {
    bundle.getJsonObject("artifact").put("artifact_id", "other-tool");

    assertFailsAt(verify(), BundleVerifier.ENTRY, "artifact_id is 'tool', expected 'other-tool'");
  }

  @Test
  void anEntryThatIsNoCommitFailsAtTheEntryStep() throws Exception {
    JsonObject readBundle = log.bundle(new LogFixture.Version("acme", "tool", 2, v2.payload(), 6));
    bundle.put("log_entry", readBundle.getJsonObject("log_entry")).put("inclusion_proof",
        readBundle.getJsonObject("inclusion_proof"));

    assertFailsAt(verify(), BundleVerifier.ENTRY, "op is 'artifact.read'", "status is 200");
  }

  @Test
  void anArtifactWhoseSizeDiffersFromTheLoggedOneFailsAtTheEntryStep() throws Exception {
    bundle.getJsonObject("artifact").put("size", 1);

    assertFailsAt(verify(), BundleVerifier.ENTRY, "details.size is " + v2.payload().length + ", expected 1");
  }

  @Test
  void entryBytesThatAreNotCanonicalFailAtTheEntryStep() throws Exception {
    String entry = new String(log.entries.get(5), StandardCharsets.UTF_8);
    bundle.getJsonObject("log_entry").put("entry", LogFixture.b64(LogFixture.bytes(entry.replace(",", ", "))));

    assertFailsAt(verify(), BundleVerifier.ENTRY, "not the canonical (RFC 8785) encoding");
  }

  @Test
  void entryBytesThatAreNoJsonFailAtTheEntryStep() throws Exception {
    bundle.getJsonObject("log_entry").put("entry", LogFixture.b64(LogFixture.bytes("{\"index\":")));

    assertFailsAt(verify(), BundleVerifier.ENTRY, "not a JSON object");
  }

  @Test
  void aPayloadThatCannotBeReadIsUnusableInput() throws Exception {
    payload = dir.resolve("missing.bin");

    Report report = verify();

    assertThat(report.exitCode()).isEqualTo(2);
    assertThat(report.failure()).get().extracting(Report.Step::name).isEqualTo(BundleVerifier.PAYLOAD);
  }

  @Test
  void aBundleOfAnotherFormatIsUnusableInput() {
    bundle.put("format", "bucket-evidence/v2");

    assertThatThrownBy(() -> EvidenceBundle.parse(bundle))
        .isInstanceOf(UnusableInputException.class).hasMessageContaining("bucket-evidence/v2");
  }

  @Test
  void aBundleMissingAFieldIsUnusableInput() {
    bundle.getJsonObject("artifact").remove("content_hash");

    assertThatThrownBy(() -> EvidenceBundle.parse(bundle))
        .isInstanceOf(UnusableInputException.class).hasMessageContaining("artifact.content_hash is missing");
  }

  @Test
  void aPayloadLargerThanTheReadBufferIsHashedWhole() throws Exception {
    byte[] block = new byte[1 << 20];
    Arrays.fill(block, (byte) 7);
    Path big = dir.resolve("big.bin");
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    try (OutputStream out = Files.newOutputStream(big)) {
      for (int i = 0; i < 64; i++) {
        block[0] = (byte) i;
        out.write(block);
        sha256.update(block);
      }
    }
    String hash = "sha256:" + HexFormat.of().formatHex(sha256.digest());
    long size = 64L << 20;
    long index = log.append(new AuditRecord("alice", "acme", "artifact.version", "tool", 3, hash,
        AuditRecord.Outcome.SUCCESS, 201, null, new JsonObject().put("artifact_class", "sbom").put("size", size)));
    JsonObject json = log.bundle(new LogFixture.Version("acme", "tool", 3, new byte[0], index));
    json.getJsonObject("artifact").put("content_hash", hash).put("size", size);
    payload = big;

    Report report = verify(json);

    assertThat(report.exitCode()).as(report.toString()).isZero();
    assertThat(report.toString()).contains("ok   payload (" + size + " bytes, " + hash + ")");
  }
}
