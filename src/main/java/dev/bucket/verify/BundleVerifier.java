package dev.bucket.verify;

import dev.bucket.audit.AuditEntry;
import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.MerkleHash;
import dev.bucket.transparency.MerkleProofs;
import dev.bucket.transparency.NoteVerifier;
import dev.bucket.transparency.ProofVerificationException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Verifies an evidence bundle and the payload it describes, offline, trusting only the log's verifier key:
 *
 * <ol>
 *   <li>{@value #CHECKPOINT}: the trusted key signed the checkpoint, whose text parses;
 *   <li>{@value #TREE_SIZE}: the inclusion proof is for the checkpoint's tree;
 *   <li>{@value #ENTRY}: the log entry is the commit of exactly this artifact version;
 *   <li>{@value #INCLUSION}: that entry is leaf {@code log_entry.index} of the checkpoint's tree (RFC 9162);
 *   <li>{@value #PAYLOAD}: the payload's SHA-256 and size are the artifact's.
 * </ol>
 *
 * Steps 1 to 4 prove the log committed this version's content hash; step 5 that the file is that content.
 */
public final class BundleVerifier {

  public static final String CHECKPOINT = "checkpoint signature";
  public static final String TREE_SIZE = "proof tree size";
  public static final String ENTRY = "commit entry";
  public static final String INCLUSION = "inclusion proof";
  public static final String PAYLOAD = "payload";

  private static final String CREATE = "artifact.create";
  private static final String VERSION = "artifact.version";
  private static final int BUFFER = 1 << 20;

  private final NoteVerifier trusted;

  public BundleVerifier(NoteVerifier trusted) {
    this.trusted = Objects.requireNonNull(trusted, "trusted");
  }

  /** Verifies {@code bundle} and the payload file, reading the file as a stream. */
  public Report verify(EvidenceBundle bundle, Path payload) {
    Run run = new Run(bundle, payload);
    Report report = new Report();
    // Each step runs only if every earlier one passed.
    report.check(CHECKPOINT, run::checkpoint);
    report.check(TREE_SIZE, run::treeSize);
    report.check(ENTRY, run::entry);
    report.check(INCLUSION, run::inclusion);
    report.check(PAYLOAD, run::payload);
    return report;
  }

  /** One verification; each step leaves what the next needs. */
  private final class Run {

    private final EvidenceBundle bundle;
    private final EvidenceBundle.Artifact artifact;
    private final Path payload;
    private Checkpoint checkpoint;
    private byte[] entryBytes;
    private AuditEntry entry;

    Run(EvidenceBundle bundle, Path payload) {
      this.bundle = bundle;
      this.artifact = bundle.artifact();
      this.payload = payload;
    }

    String checkpoint() throws CheckFailedException {
      checkpoint = Evidence.openCheckpoint(bundle.checkpoint(), trusted);
      return Evidence.describe(checkpoint);
    }

    String treeSize() throws CheckFailedException {
      if (bundle.treeSize() != checkpoint.size()) {
        throw new CheckFailedException("inclusion_proof.tree_size is " + bundle.treeSize()
            + " but the checkpoint's tree has " + checkpoint.size() + " entries");
      }
      return null;
    }

    String entry() throws CheckFailedException {
      entryBytes = Evidence.base64(bundle.entry(), "log_entry.entry");
      entry = LogEntries.parse(entryBytes);
      List<String> mismatches = new ArrayList<>();
      String operation = artifact.version() == 1 ? CREATE : VERSION;
      expect(mismatches, "op", entry.operation(), operation);
      expect(mismatches, "outcome", entry.outcome(), "success");
      expect(mismatches, "status", entry.status(), 201);
      expect(mismatches, "product", entry.product(), artifact.productId());
      expect(mismatches, "artifact_id", entry.artifactId(), artifact.artifactId());
      expect(mismatches, "version", entry.version(), artifact.version());
      expect(mismatches, "content_hash", entry.contentHash(), artifact.contentHash());
      // Facts the log records besides, where both sides state them.
      JsonObject details = entry.details() == null ? new JsonObject() : entry.details();
      if (details.getValue("size") instanceof Number size) {
        expect(mismatches, "details.size", size.longValue(), artifact.size());
      }
      if (details.getValue("artifact_class") instanceof String artifactClass && artifact.artifactClass() != null) {
        expect(mismatches, "details.artifact_class", artifactClass, artifact.artifactClass());
      }
      if (entry.actor() != null && artifact.createdBy() != null) {
        expect(mismatches, "actor", entry.actor(), artifact.createdBy());
      }
      if (!mismatches.isEmpty()) {
        throw new CheckFailedException("entry " + entry.index() + " is not the commit of " + artifact.describe() + ": "
            + String.join("; ", mismatches));
      }
      return "entry " + entry.index() + ": " + entry.operation() + " of " + artifact.describe() + " at " + entry.ts();
    }

    String inclusion() throws CheckFailedException {
      List<byte[]> proof = Evidence.hashes(bundle.proofHashes(), "inclusion_proof.hashes");
      try {
        MerkleProofs.checkInclusion(MerkleHash.leafHash(entryBytes), bundle.index(), checkpoint.size(), proof,
            checkpoint.rootHash());
      } catch (ProofVerificationException e) {
        throw new CheckFailedException("entry is not leaf " + bundle.index() + " of the checkpoint's tree: RFC 9162 "
            + "section 2.1.3.2 " + e.getMessage());
      }
      // Holds whenever the log is sound: the entry at position i says it is entry i.
      if (entry.index() != bundle.index()) {
        throw new CheckFailedException("leaf " + bundle.index() + " holds an entry that says it is entry "
            + entry.index());
      }
      return "leaf " + bundle.index() + " of " + checkpoint.size();
    }

    String payload() throws CheckFailedException, IOException {
      MessageDigest sha256 = sha256();
      long size = 0;
      byte[] buffer = new byte[BUFFER];
      try (InputStream in = Files.newInputStream(payload)) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          sha256.update(buffer, 0, n);
          size += n;
        }
      }
      String hash = "sha256:" + HexFormat.of().formatHex(sha256.digest());
      List<String> mismatches = new ArrayList<>();
      expect(mismatches, "SHA-256", hash, artifact.contentHash());
      expect(mismatches, "size", size, artifact.size());
      if (!mismatches.isEmpty()) {
        throw new CheckFailedException(payload + " is not the content of " + artifact.describe() + ": "
            + String.join("; ", mismatches));
      }
      return size + " bytes, " + hash;
    }
  }

  private static void expect(List<String> mismatches, String what, Object actual, Object expected) {
    if (!Objects.equals(actual, expected)) {
      mismatches.add(what + " is " + quote(actual) + ", expected " + quote(expected));
    }
  }

  private static String quote(Object value) {
    return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
