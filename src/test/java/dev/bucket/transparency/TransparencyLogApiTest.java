package dev.bucket.transparency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.bucket.storage.Batch;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The log's public read API, checked the way an outside auditor would: signed checkpoints against the published key,
 * entries byte for byte, and every served proof against RFC 9162 computed independently from the entries.
 */
@ExtendWith(VertxExtension.class)
class TransparencyLogApiTest {

  static final String P = "/v1/products/AI_Assistant/artifacts";
  static final Base64.Decoder B64 = Base64.getDecoder();

  @Test
  void servedProofsMatchRfc9162ComputedFromTheServedEntriesAndTheSignedRoot(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api api = node.api();
      NoteVerifier key = NoteVerifier.fromVerifierKey(api.get("/v1/log/key").bodyAsString().strip());
      grow(node, 4);
      Checkpoint early = awaitCheckpoint(api, key, 20);
      grow(node, 50); // past 256 entries, so tile-level nodes are stored and used
      Checkpoint late = awaitCheckpoint(api, key, early.size() + 280);
      assertThat(late.origin()).isEqualTo("bucket.local/audit");

      int n = (int) late.size();
      List<byte[]> entries = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        entries.add(api.get("/v1/log/entries/" + i).body().getBytes());
      }
      Rfc9162Reference reference = new Rfc9162Reference(entries);
      assertThat(late.rootHash()).isEqualTo(reference.mth(0, n));
      assertThat(early.rootHash()).isEqualTo(reference.mth(0, (int) early.size()));

      for (int i = 0; i < n; i += 7) {
        JsonObject proof = api.get("/v1/log/proof/inclusion?index=" + i + "&tree_size=" + n).bodyAsJsonObject();
        assertThat(decode(proof.getJsonArray("hashes"))).as("inclusion of %d", i)
            .containsExactlyElementsOf(reference.path(i, n));
        assertThat(B64.decode(proof.getString("root_hash"))).isEqualTo(late.rootHash());
      }
      for (int first : new int[] {1, 2, 7, (int) early.size(), 256, n - 1, n}) {
        JsonObject proof = api.get("/v1/log/proof/consistency?first=" + first + "&second=" + n).bodyAsJsonObject();
        assertThat(decode(proof.getJsonArray("hashes"))).as("consistency %d..%d", first, n)
            .containsExactlyElementsOf(reference.proof(first, n));
      }
      assertThat(api.get("/v1/log/proof/inclusion?index=0&tree_size=" + (n + 1000)).statusCode()).isEqualTo(400);
      // A client holding only an entry finds its proof by the entry's leaf hash.
      for (int i : new int[] {0, 5, n / 2, n - 1}) {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update((byte) 0);
        String leaf = java.util.Base64.getEncoder().encodeToString(sha.digest(entries.get(i)));
        JsonObject proof = api.get("/v1/log/proof/inclusion?leaf_hash="
            + java.net.URLEncoder.encode(leaf, java.nio.charset.StandardCharsets.UTF_8) + "&tree_size=" + n)
            .bodyAsJsonObject();
        assertThat(proof.getLong("index")).isEqualTo(i);
        assertThat(decode(proof.getJsonArray("hashes"))).containsExactlyElementsOf(reference.path(i, n));
      }
      assertThat(api.get("/v1/log/proof/inclusion?leaf_hash=" + java.net.URLEncoder.encode(java.util.Base64.getEncoder().encodeToString(
          new byte[32]), java.nio.charset.StandardCharsets.UTF_8) + "&tree_size=" + n).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aRestartedNodeContinuesTheSameTreeAndRebuildsLostNodes(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      NoteVerifier key = NoteVerifier.fromVerifierKey(node.api().get("/v1/log/key").bodyAsString().strip());
      grow(node, 50);
      Checkpoint before = awaitCheckpoint(node.api(), key, 290);
      node.stop();

      // Stored nodes are a cache: losing them (a crash before they were saved) must not change any hash.
      node.start();
      Store store = node.node().store();
      Batch lost = new Batch();
      store.scan(Space.TREE, null, null, 10_000, false).await().forEach(stored -> lost.delete(Space.TREE, stored.key()));
      assertThat(lost.isEmpty()).isFalse();
      store.commit(lost).await();
      node.stop();
      node.start();
      Api api = node.api();
      assertThat(api.get("/v1/log/key").bodyAsString().strip()).isEqualTo(key.verifierKey());
      grow(node, 2);
      Checkpoint after = awaitCheckpoint(api, key, before.size() + 12);
      JsonObject proof = api.get("/v1/log/proof/consistency?first=" + before.size() + "&second=" + after.size())
          .bodyAsJsonObject();
      assertThat(B64.decode(proof.getString("first_root_hash"))).isEqualTo(before.rootHash());
      assertThat(MerkleProofs.verifyConsistency(before.size(), after.size(), decode(proof.getJsonArray("hashes")),
          before.rootHash(), after.rootHash())).isTrue();
    }
  }

  @Test
  void anEvidenceBundleProvesTheVersionAgainstTheSignedCheckpoint(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api api = node.api();
      NoteVerifier key = NoteVerifier.fromVerifierKey(api.get("/v1/log/key").bodyAsString().strip());
      grow(node, 3);
      Api writer = node.integration("AI_Assistant", "metadata");
      JsonObject created = writer.postJson(P, new JsonObject().put("artifact_class", "metadata")
          .put("artifact_id", "evidence-1").put("data", "exhibit A")).bodyAsJsonObject();
      awaitCheckpoint(api, key, created.getLong("audit_index") + 1);

      JsonObject bundle = writer.get(P + "/evidence-1/versions/1/evidence").bodyAsJsonObject();
      assertThat(bundle.getString("format")).isEqualTo("bucket-evidence/v1");
      Checkpoint checkpoint = Checkpoint.parse(NoteVerifier.open(bundle.getString("checkpoint"), key).text());
      JsonObject proof = bundle.getJsonObject("inclusion_proof");
      assertThat(proof.getLong("tree_size")).isEqualTo(checkpoint.size());
      byte[] entryBytes = B64.decode(bundle.getJsonObject("log_entry").getString("entry"));
      JsonObject entry = new JsonObject(new String(entryBytes, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(entry.getString("op")).isEqualTo("artifact.create");
      assertThat(entry.getString("artifact_id")).isEqualTo("evidence-1");
      assertThat(entry.getString("content_hash")).isEqualTo(created.getString("content_hash"))
          .isEqualTo(bundle.getJsonObject("artifact").getString("content_hash"));
      assertThat(MerkleProofs.verifyInclusion(MerkleHash.leafHash(entryBytes),
          bundle.getJsonObject("log_entry").getLong("index"), checkpoint.size(),
          decode(proof.getJsonArray("hashes")), checkpoint.rootHash())).isTrue();
      assertThat(bundle.getJsonObject("retention").getBoolean("legal_hold")).isFalse();
      assertThat(writer.get(P + "/evidence-1/versions/2/evidence").statusCode()).isEqualTo(404);
    }
  }

  /**
   * Creates {@code artifacts} artifacts and logs five manual entries about each: six log entries per artifact (reads
   * would not do: they are counted into read receipts, a few entries per window).
   */
  static void grow(TestNode node, int artifacts) {
    Api api = node.integration("AI_Assistant", "metadata");
    for (int i = 0; i < artifacts; i++) {
      String id = api.postJson(P, new JsonObject().put("artifact_class", "metadata").put("data", i))
          .bodyAsJsonObject().getString("artifact_id");
      for (int note = 0; note < 5; note++) {
        assertThat(node.api().postJson("/audit/log", new JsonObject().put("message", "note " + note)
            .put("product", "AI_Assistant").put("artifact_id", id)).statusCode()).isEqualTo(201);
      }
    }
  }

  /** The signed checkpoint once it covers at least {@code size} entries (published within a second). */
  static Checkpoint awaitCheckpoint(Api api, NoteVerifier key, long size) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      Checkpoint checkpoint = Checkpoint.parse(NoteVerifier.open(api.get("/v1/log/checkpoint").bodyAsString(), key)
          .text());
      if (checkpoint.size() >= size || System.nanoTime() > deadline) {
        assertThat(checkpoint.size()).isGreaterThanOrEqualTo(size);
        return checkpoint;
      }
      Thread.sleep(100);
    }
  }

  static List<byte[]> decode(JsonArray hashes) {
    List<byte[]> out = new ArrayList<>();
    hashes.forEach(h -> out.add(B64.decode((String) h)));
    return out;
  }
}
