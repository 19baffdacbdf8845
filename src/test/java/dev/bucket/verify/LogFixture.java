package dev.bucket.verify;

import dev.bucket.audit.AuditEntry;
import dev.bucket.audit.AuditHead;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.HashChain;
import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.MerkleAppender;
import dev.bucket.transparency.MerkleHash;
import dev.bucket.transparency.MerkleProofs;
import dev.bucket.transparency.Node;
import dev.bucket.transparency.NoteSigner;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A transparency log built from real sealed audit entries with the production appender, signed by a fresh test
 * key; it produces checkpoints, proofs, evidence bundles and exports exactly as the gateway would serve them.
 */
final class LogFixture {

  static final String ORIGIN = "test.local/log";

  final NoteSigner signer;
  final List<byte[]> entries = new ArrayList<>();
  private final Map<Node.Id, byte[]> nodes = new HashMap<>();
  /** roots.get(n): the root after n entries. */
  private final List<byte[]> roots = new ArrayList<>();
  private final MerkleAppender tree = new MerkleAppender();
  private AuditHead head = HashChain.EMPTY;
  private Instant now = Instant.parse("2025-03-01T12:00:00Z");

  LogFixture() {
    this(NoteSigner.generate(ORIGIN));
  }

  LogFixture(NoteSigner signer) {
    this.signer = signer;
    roots.add(tree.root());
  }

  /** A stored artifact version: the facts a bundle states, and its payload. */
  record Version(String product, String artifactId, int version, byte[] payload, long index) {

    String contentHash() {
      return sha256(payload);
    }
  }

  String verifierKey() {
    return signer.verifier().verifierKey();
  }

  long size() {
    return entries.size();
  }

  /** Seals and appends an entry for {@code record}; returns its index. */
  long append(AuditRecord record) {
    AuditEntry entry = HashChain.next(head, record, now);
    now = now.plusSeconds(1);
    head = HashChain.headAfter(entry);
    return appendBytes(entry.canonicalBytes());
  }

  /** Appends raw leaf input, as a log holding bytes it should not would. */
  long appendBytes(byte[] bytes) {
    entries.add(bytes);
    for (Node node : tree.append(MerkleHash.leafHash(bytes))) {
      nodes.put(node.id(), node.hash());
    }
    roots.add(tree.root());
    return entries.size() - 1;
  }

  /** Appends the commit entry of a new version, as the ingest path does. */
  Version commit(String product, String artifactId, int version, byte[] payload) {
    long index = append(new AuditRecord("alice", product, version == 1 ? "artifact.create" : "artifact.version",
        artifactId, version, sha256(payload), AuditRecord.Outcome.SUCCESS, 201, null,
        new JsonObject().put("artifact_class", "sbom").put("size", payload.length)));
    return new Version(product, artifactId, version, payload, index);
  }

  /** Appends a non-commit entry (a read). */
  long read(String product, String artifactId, int version) {
    return append(new AuditRecord("bob", product, "artifact.read", artifactId, version, null,
        AuditRecord.Outcome.SUCCESS, 200, null, null));
  }

  /** Twelve entries of every kind, commits spread through them. */
  static LogFixture populated() {
    LogFixture log = new LogFixture();
    for (int version = 1; version <= 4; version++) {
      log.commit("acme", "tool", version, bytes("payload " + version));
      log.read("acme", "tool", version);
      log.append(new AuditRecord("mallory", "acme", "artifact.version", "tool", version + 1, null,
          AuditRecord.Outcome.REFUSED, 403, "forbidden", null));
    }
    return log;
  }

  byte[] root(long size) {
    return roots.get((int) size).clone();
  }

  /** The signed checkpoint of the first {@code size} entries. */
  String checkpoint(long size) {
    return signer.sign(new Checkpoint(ORIGIN, size, root(size)).body());
  }

  String checkpoint() {
    return checkpoint(size());
  }

  List<byte[]> inclusionProof(long index, long size) {
    return MerkleProofs.inclusionProof(index, size, (level, i) -> nodes.get(new Node.Id(level, i)));
  }

  List<byte[]> consistencyProof(long first, long second) {
    return first == second ? List.of()
        : MerkleProofs.consistencyProof(first, second, (level, i) -> nodes.get(new Node.Id(level, i)));
  }

  /** What {@code GET /v1/log/proof/consistency} serves. */
  JsonObject consistencyJson(long first, long second) {
    return new JsonObject().put("first", first).put("second", second)
        .put("first_root_hash", b64(root(first))).put("second_root_hash", b64(root(second)))
        .put("hashes", base64(consistencyProof(first, second)));
  }

  /** The evidence bundle of {@code version} against the checkpoint of the whole log. */
  JsonObject bundle(Version version) {
    long size = size();
    return new JsonObject()
        .put("format", "bucket-evidence/v1")
        .put("artifact", new JsonObject()
            .put("artifact_id", version.artifactId())
            .put("product_id", version.product())
            .put("artifact_class", "sbom")
            .put("version", version.version())
            .put("content_hash", version.contentHash())
            .put("size", version.payload().length)
            .put("content_type", "application/octet-stream")
            .put("created_at", "2025-03-01T12:00:00.000Z")
            .put("created_by", "alice")
            .putNull("previous_version_hash")
            .put("metadata", new JsonObject()))
        .put("log_entry", new JsonObject().put("index", version.index())
            .put("entry", b64(entries.get((int) version.index()))))
        .put("inclusion_proof", new JsonObject().put("tree_size", size)
            .put("hashes", base64(inclusionProof(version.index(), size))))
        .put("checkpoint", checkpoint(size))
        .put("retention", new JsonObject().put("retain_until", "2032-03-01T12:00:00.000Z").put("legal_hold", false));
  }

  /** The export {@code bucket export} writes for the whole log. */
  List<String> exportLines() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      lines.add(new JsonObject().put("index", i).put("entry", b64(entries.get(i))).encode());
    }
    return lines;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static JsonArray base64(List<byte[]> hashes) {
    JsonArray array = new JsonArray();
    hashes.forEach(hash -> array.add(b64(hash)));
    return array;
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
