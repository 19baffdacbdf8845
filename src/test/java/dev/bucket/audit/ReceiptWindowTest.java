package dev.bucket.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceiptWindowTest {

  private static final Instant OPENED = Instant.parse("2026-11-22T10:00:00Z");
  private static final Instant CLOSED = OPENED.plusMillis(100);
  private static final String HASH_A = "sha256:" + "a".repeat(64);
  private static final String HASH_B = "sha256:" + "b".repeat(64);

  private static ReadReceipts.Read read(String actor, String artifact, int version, String hash) {
    return new ReadReceipts.Read(actor, "P", "artifact.read", artifact, version, hash);
  }

  @Test
  void repeatedReadsOfOneVersionAreOneTargetWithACount() {
    ReceiptWindow window = new ReceiptWindow(OPENED);
    for (int i = 0; i < 1000; i++) {
      window.add(read("alice", "a1", 1, HASH_A));
    }
    assertThat(window.targets()).isEqualTo(1);
    List<ReceiptWindow.Receipt> receipts = window.close(CLOSED, 100);
    assertThat(receipts).hasSize(1);
    AuditRecord record = receipts.get(0).record();
    // A receipt of one target names it at top level, like the single entry a read used to be.
    assertThat(record.actor()).isEqualTo("alice");
    assertThat(record.operation()).isEqualTo("artifact.read");
    assertThat(record.artifactId()).isEqualTo("a1");
    assertThat(record.version()).isEqualTo(1);
    assertThat(record.contentHash()).isEqualTo(HASH_A);
    assertThat(record.status()).isEqualTo(200);
    JsonObject receipt = record.details().getJsonObject("receipt");
    assertThat(receipt.getLong("reads")).isEqualTo(1000);
    assertThat(receipt.getString("from")).isEqualTo("2026-11-22T10:00:00.000Z");
    assertThat(receipt.getString("to")).isEqualTo("2026-11-22T10:00:00.100Z");
    assertThat(receipt.getJsonArray("items").getJsonObject(0)).isEqualTo(new JsonObject()
        .put("artifact_id", "a1").put("version", 1).put("content_hash", HASH_A).put("count", 1000));
  }

  @Test
  void readersProductsAndOperationsAreRecordedApart() {
    ReceiptWindow window = new ReceiptWindow(OPENED);
    window.add(read("alice", "a1", 1, HASH_A));
    window.add(read("bob", "a1", 1, HASH_A));
    window.add(new ReadReceipts.Read("alice", "Q", "artifact.read", "a1", 1, HASH_A));
    window.add(new ReadReceipts.Read("alice", "P", "artifact.read_payload", "a1", 1, HASH_A));
    List<ReceiptWindow.Receipt> receipts = window.close(CLOSED, 100);
    assertThat(receipts).extracting(r -> r.record().actor() + "/" + r.record().product() + "/" + r.record().operation())
        .containsExactly("alice/P/artifact.read", "bob/P/artifact.read", "alice/Q/artifact.read",
            "alice/P/artifact.read_payload");
  }

  @Test
  void aReceiptOfSeveralArtifactsListsThemAndNamesNoneAtTopLevel() {
    ReceiptWindow window = new ReceiptWindow(OPENED);
    window.add(read("alice", "a1", 1, HASH_A));
    window.add(read("alice", "a2", 1, HASH_B));
    window.add(read("alice", "a2", 1, HASH_B));
    window.add(new ReadReceipts.Read("alice", "P", "artifact.read", null, 0, null));
    AuditRecord record = window.close(CLOSED, 100).get(0).record();
    assertThat(record.artifactId()).isNull();
    assertThat(record.contentHash()).isNull();
    assertThat(record.version()).isZero();
    JsonObject receipt = record.details().getJsonObject("receipt");
    assertThat(receipt.getLong("reads")).isEqualTo(4);
    assertThat(receipt.getJsonArray("items").stream().map(Object::toString)).containsExactly(
        "{\"artifact_id\":\"a1\",\"version\":1,\"content_hash\":\"" + HASH_A + "\",\"count\":1}",
        "{\"artifact_id\":\"a2\",\"version\":1,\"content_hash\":\"" + HASH_B + "\",\"count\":2}",
        "{\"count\":1}");
  }

  @Test
  void aLargeGroupIsSplitIntoEntriesOfBoundedSize() {
    ReceiptWindow window = new ReceiptWindow(OPENED);
    for (int i = 0; i < 250; i++) {
      window.add(read("alice", "a" + i, 1, HASH_A));
    }
    List<ReceiptWindow.Receipt> receipts = window.close(CLOSED, 100);
    assertThat(receipts).extracting(ReceiptWindow.Receipt::targets).containsExactly(100, 100, 50);
    assertThat(receipts).allSatisfy(r -> assertThat(r.record().details().getJsonObject("receipt")
        .getJsonArray("items")).hasSize(r.targets()));
    assertThatThrownBy(() -> window.close(CLOSED, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyANewTargetCostsRoom() {
    ReceiptWindow window = new ReceiptWindow(OPENED);
    assertThat(window.isEmpty()).isTrue();
    window.add(read("alice", "a1", 1, HASH_A));
    assertThat(window.isNew(read("alice", "a1", 1, HASH_A))).isFalse();
    assertThat(window.isNew(read("alice", "a1", 2, HASH_A))).isTrue();
    assertThat(window.isNew(read("bob", "a1", 1, HASH_A))).isTrue();
  }

  @Test
  void receiptsAreValidAuditEntries() {
    ReceiptWindow window = new ReceiptWindow(OPENED);
    window.add(read("alice", "a1", 1, HASH_A));
    window.add(read("alice", "a2", 3, HASH_B));
    AuditRecord record = window.close(CLOSED, 100).get(0).record();
    AuditEntry entry = HashChain.next(HashChain.EMPTY, record, CLOSED);
    assertThat(AuditEntry.fromDocument(entry.toDocument())).isEqualTo(entry);
  }
}
