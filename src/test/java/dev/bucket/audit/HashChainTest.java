package dev.bucket.audit;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashChainTest {

  private static final AuditRecord RECORD = new AuditRecord("alice", "prod-a", "artifact.read", "art-1", 3, null,
      AuditRecord.Outcome.REFUSED, 403, "forbidden", null);

  @Test
  void genesisEntryHashesZeroPrevBytesFollowedByCanonicalBytes() throws Exception {
    AuditEntry first = HashChain.next(HashChain.EMPTY, RECORD, Instant.parse("2026-11-22T18:00:00.123Z"));

    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    sha256.update(new byte[32]);
    sha256.update(first.canonicalBytes());
    assertThat(first.index()).isZero();
    assertThat(first.prevHash()).isEqualTo("0".repeat(64));
    assertThat(first.entryHash()).isEqualTo(HexFormat.of().formatHex(sha256.digest()));
  }

  @Test
  void eachEntryLinksToThePreviousEntrysHash() {
    AuditEntry first = HashChain.next(HashChain.EMPTY, RECORD, Instant.EPOCH);
    AuditEntry second = HashChain.next(HashChain.headAfter(first), RECORD, Instant.EPOCH);

    assertThat(second.index()).isEqualTo(1);
    assertThat(second.prevHash()).isEqualTo(first.entryHash());
    assertThat(second.entryHash()).isEqualTo(HashChain.entryHash(first.entryHash(), second.canonicalBytes()))
        .isNotEqualTo(first.entryHash());
  }

  @Test
  void sealingKeepsTheLeafHashOfTheSameCanonicalBytesThatTheStoredDocumentCarries() {
    HashChain.Sealed sealed = HashChain.seal(HashChain.EMPTY, RECORD, Instant.EPOCH);

    assertThat(sealed.leafHash()).isEqualTo(AuditEntry.leafHash(sealed.entry().canonicalBytes()));
    assertThat(sealed.entry().toDocument(sealed.leafHash())).isEqualTo(sealed.entry().toDocument());
  }

  @Test
  void timestampsAreUtcWithMillisAndRetentionIs2555DaysLater() {
    AuditEntry entry = HashChain.next(HashChain.EMPTY, RECORD, Instant.parse("2026-11-22T18:00:00.123456Z"));
    AuditEntry wholeSecond = HashChain.next(HashChain.EMPTY, RECORD, Instant.parse("2026-11-22T18:00:00Z"));

    assertThat(entry.ts()).isEqualTo("2026-11-22T18:00:00.123Z");
    assertThat(entry.retentionUntil()).isEqualTo("2033-11-20T18:00:00.123Z");
    assertThat(entry.outcome()).isEqualTo("refused");
    assertThat(wholeSecond.ts()).isEqualTo("2026-11-22T18:00:00.000Z");
  }

  @Test
  void oversizedRecordsAreRefused() {
    AuditRecord huge = new AuditRecord("alice", null, "audit.manual", null, 0, null, AuditRecord.Outcome.SUCCESS,
        200, null, new JsonObject().put("blob", "x".repeat(HashChain.MAX_CANONICAL_BYTES)));

    assertThatThrownBy(() -> HashChain.next(HashChain.EMPTY, huge, Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
  }

  @Test
  void verifiedEntryNamesTheIndexOfAnEditedOrMovedEntry() {
    JsonObject doc = HashChain.next(new AuditHead(5, "a".repeat(64)), RECORD, Instant.EPOCH).toDocument();

    assertThat(HashChain.verifiedEntry(AuditEntry.key(5), doc).index()).isEqualTo(5);
    assertThatThrownBy(() -> HashChain.verifiedEntry(5, doc.copy().put("actor", "mallory")))
        .isInstanceOfSatisfying(AuditTamperedException.class, e -> {
          assertThat(e.index()).isEqualTo(5);
          assertThat(e.problem()).isEqualTo("entry_hash_mismatch");
        });
    assertThatThrownBy(() -> HashChain.verifiedEntry(AuditEntry.key(6), doc))
        .isInstanceOfSatisfying(AuditTamperedException.class, e -> assertThat(e.problem()).isEqualTo("index_mismatch"));
    assertThatThrownBy(() -> HashChain.verifiedEntry("5", doc))
        .isInstanceOfSatisfying(AuditTamperedException.class, e -> {
          assertThat(e.index()).isNull();
          assertThat(e.problem()).isEqualTo("malformed");
        });
  }
}
