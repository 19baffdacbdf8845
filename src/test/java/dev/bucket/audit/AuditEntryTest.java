package dev.bucket.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditEntryTest {

  private static final String PREV = "0".repeat(64);

  private static AuditEntry entry(JsonObject details) {
    return new AuditEntry(7, "2026-11-22T18:00:00.123Z", "alice", "prod-a", "artifact.create", "art-1", 1,
        "sha256:ff", "success", 201, null, "2033-11-20T18:00:00.123Z", details, null, PREV, null);
  }

  @Test
  void canonicalBytesAreJcsSortedWithoutIdHashesOrNullFields() {
    JsonObject details = new JsonObject().put("z", 1).put("a", new JsonArray().add("x").add(2L)).put("m", true);

    String canonical = new String(entry(details).canonicalBytes(), StandardCharsets.UTF_8);

    assertThat(canonical).isEqualTo("{\"actor\":\"alice\",\"artifact_id\":\"art-1\",\"content_hash\":\"sha256:ff\","
        + "\"details\":{\"a\":[\"x\",2],\"m\":true,\"z\":1},\"index\":7,\"op\":\"artifact.create\","
        + "\"outcome\":\"success\",\"product\":\"prod-a\",\"retention_until\":\"2033-11-20T18:00:00.123Z\","
        + "\"status\":201,\"ts\":\"2026-11-22T18:00:00.123Z\",\"version\":1}");
  }

  @Test
  void aRequestIdIsHashedWhenPresentWhileEntriesWithoutOneKeepTheirBytes() {
    AuditEntry without = entry(null);
    AuditEntry with = new AuditEntry(7, without.ts(), "alice", "prod-a", "artifact.create", "art-1", 1, "sha256:ff",
        "success", 201, null, without.retentionUntil(), null, "4bf92f3577b34da6a3ce929d0e0e4736", PREV, null);

    String canonical = new String(with.canonicalBytes(), StandardCharsets.UTF_8);
    assertThat(canonical).isEqualTo(new String(without.canonicalBytes(), StandardCharsets.UTF_8)
        .replace(",\"retention_until\"", ",\"request_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"retention_until\""));
    AuditEntry sealed = with.withEntryHash(HashChain.entryHash(PREV, with.canonicalBytes()));
    assertThat(HashChain.verifiedEntry(7, sealed.toDocument())).isEqualTo(sealed);
  }

  @Test
  void canonicalBytesDoNotDependOnFieldInsertionOrder() {
    JsonObject oneOrder = new JsonObject().put("b", "2").put("a", "1");
    JsonObject otherOrder = new JsonObject().put("a", "1").put("b", "2");

    assertThat(entry(oneOrder).canonicalBytes()).isEqualTo(entry(otherOrder).canonicalBytes());
  }

  @Test
  void documentIsSnakeCaseAndOmitsNullsAndItsKeyOrdersByIndex() {
    JsonObject doc = entry(null).withEntryHash("1".repeat(64)).toDocument();

    assertThat(AuditEntry.key(7)).isEqualTo("0000000000000000007").isLessThan(AuditEntry.key(10));
    assertThat(AuditEntry.indexOf(AuditEntry.key(7))).isEqualTo(7L);
    assertThat(AuditEntry.indexOf("7")).isNull();
    assertThat(doc.fieldNames()).containsExactlyInAnyOrder("index", "ts", "actor", "product", "op",
        "artifact_id", "version", "content_hash", "outcome", "status", "retention_until", "prev_hash", "entry_hash",
        "commit_key", "leaf_hash");
  }

  @Test
  void theStoredLeafHashIsRfc9162sHashOfTheCanonicalBytes() throws Exception {
    AuditEntry entry = entry(null).withEntryHash("1".repeat(64));
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    sha.update((byte) 0);
    assertThat(entry.toDocument().getString("leaf_hash"))
        .isEqualTo(java.util.HexFormat.of().formatHex(sha.digest(entry.canonicalBytes())));
    assertThat(AuditEntry.fromDocument(entry.toDocument())).isEqualTo(entry);
  }

  @Test
  void onlyCommitsHaveACommitKeyAndItIsNotHashed() {
    AuditEntry commit = entry(null);
    AuditEntry replay = withStatus(commit, 200);
    AuditEntry read = new AuditEntry(7, commit.ts(), "alice", "prod-a", "artifact.read", "art-1", 1, null, "success",
        201, null, commit.retentionUntil(), null, null, PREV, null);
    AuditEntry refused = new AuditEntry(7, commit.ts(), "alice", "prod-a", "artifact.version", "art-1", 2, null,
        "refused", 201, "x", commit.retentionUntil(), null, null, PREV, null);

    assertThat(commit.commitKey()).isEqualTo("prod-a/art-1/1");
    assertThat(commit.toDocument().getString("commit_key")).isEqualTo("prod-a/art-1/1");
    assertThat(new String(commit.canonicalBytes(), StandardCharsets.UTF_8)).doesNotContain("commit_key");
    for (AuditEntry other : new AuditEntry[] {replay, read, refused}) {
      assertThat(other.isCommit()).isFalse();
      assertThat(other.commitKey()).isNull();
      assertThat(other.toDocument().containsKey("commit_key")).isFalse();
    }
  }

  @Test
  void aCommitNeedsAnUnambiguousKey() {
    assertThat(AuditEntry.commitKey("p", "a.b:c", 12)).isEqualTo("p/a.b:c/12");
    assertThat(AuditEntry.commitKey("p/q", "a", 1)).isNull();
    assertThat(AuditEntry.commitKey(null, "a", 1)).isNull();
    assertThat(AuditEntry.commitKey("p", null, 1)).isNull();
    AuditEntry commit = entry(null);
    assertThatThrownBy(() -> new AuditEntry(7, commit.ts(), "alice", "prod/a", "artifact.create", "art-1", 1, null,
        "success", 201, null, commit.retentionUntil(), null, null, PREV, null)).hasMessageContaining("commit entry");
    assertThatThrownBy(() -> new AuditEntry(7, commit.ts(), "alice", "prod-a", "artifact.version", null, 1, null,
        "success", 201, null, commit.retentionUntil(), null, null, PREV, null)).hasMessageContaining("commit entry");
  }

  @Test
  void fromDocumentRefusesACommitKeyThatIsMissingSuperfluousOrDifferent() {
    JsonObject commit = entry(null).withEntryHash("1".repeat(64)).toDocument();
    JsonObject replay = withStatus(entry(null), 200).withEntryHash("1".repeat(64)).toDocument();

    assertThat(AuditEntry.fromDocument(commit).commitKey()).isEqualTo("prod-a/art-1/1");
    assertThat(AuditEntry.fromDocument(replay).commitKey()).isNull();
    assertThatThrownBy(() -> AuditEntry.fromDocument(commit.copy().put("commit_key", "prod-a/art-1/2")))
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> AuditEntry.fromDocument(commit.copy().put("commit_key", 1)))
        .hasMessageContaining("commit_key is not a string");
    JsonObject keyless = commit.copy();
    keyless.remove("commit_key");
    assertThatThrownBy(() -> AuditEntry.fromDocument(keyless)).hasMessageContaining("commit_key is missing");
    assertThatThrownBy(() -> AuditEntry.fromDocument(replay.copy().put("commit_key", "prod-a/art-1/1")))
        .hasMessageContaining("not a commit");
    // Demoting a commit to a replay without touching its key is caught too, as is promoting a replay.
    assertThatThrownBy(() -> AuditEntry.fromDocument(commit.copy().put("status", 200)))
        .hasMessageContaining("not a commit");
    assertThatThrownBy(() -> AuditEntry.fromDocument(replay.copy().put("status", 201)))
        .hasMessageContaining("commit_key is missing");
  }

  private static AuditEntry withStatus(AuditEntry e, int status) {
    return new AuditEntry(e.index(), e.ts(), e.actor(), e.product(), e.operation(), e.artifactId(), e.version(),
        e.contentHash(), e.outcome(), status, e.reason(), e.retentionUntil(), e.details(), e.requestId(),
        e.prevHash(),
        e.entryHash());
  }

  @Test
  void documentRoundTripReproducesTheEntryAndItsCanonicalBytes() {
    AuditEntry original = entry(new JsonObject().put("k", "v")).withEntryHash("1".repeat(64));

    AuditEntry read = AuditEntry.fromDocument(original.toDocument());

    assertThat(read).isEqualTo(original);
    assertThat(read.canonicalBytes()).isEqualTo(original.canonicalBytes());
  }

  @Test
  void fromDocumentRefusesWhatItCouldNotReproduce() {
    JsonObject doc = entry(null).withEntryHash("1".repeat(64)).toDocument();

    assertThatThrownBy(() -> AuditEntry.fromDocument(doc.copy().put("note", "hidden")))
        .hasMessageContaining("unexpected field 'note'");
    assertThatThrownBy(() -> AuditEntry.fromDocument(doc.copy().put("reason", (String) null)))
        .hasMessageContaining("explicit null");
    assertThatThrownBy(() -> AuditEntry.fromDocument(doc.copy().put("version", 1.0)))
        .hasMessageContaining("version is not an integer");
    assertThatThrownBy(() -> AuditEntry.fromDocument(doc.copy().put("prev_hash", "xyz")))
        .hasMessageContaining("prevHash");
  }

  @Test
  void detailsMayHoldOnlyValuesThatSurviveMongoAndJcsUnchanged() {
    assertThatThrownBy(() -> entry(new JsonObject().put("ratio", 0.5))).hasMessageContaining("not a whole number");
    assertThatThrownBy(() -> entry(new JsonObject().put("at", Instant.EPOCH))).hasMessageContaining("Instant");
    assertThatThrownBy(() -> entry(new JsonObject().put("big", 1L << 53))).hasMessageContaining("2^53");
    assertThatThrownBy(() -> entry(new JsonObject().put("$date", "x"))).hasMessageContaining("$date");
    assertThatThrownBy(() -> entry(new JsonObject().put("a.b", "x"))).hasMessageContaining("a.b");
    assertThatThrownBy(() -> entry(new JsonObject().put("s", "\uD800"))).hasMessageContaining("surrogate");
  }
}
