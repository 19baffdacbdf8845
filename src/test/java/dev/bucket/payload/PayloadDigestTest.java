package dev.bucket.payload;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.bucket.payload.PayloadStore.CHUNK_SIZE;
import static dev.bucket.payload.PayloadStoreContractTest.sha256Hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayloadDigestTest {

  private static final IntegrityReport.DamagedRange CHUNK_1 =
    new IntegrityReport.DamagedRange(1, CHUNK_SIZE, 2L * CHUNK_SIZE - 1);

  @Test
  void digestsDoNotDependOnHowTheBytesWereSplit() {
    byte[] bytes = GeneratedSource.bytes(2 * CHUNK_SIZE + 5, 1000, 7);
    PayloadDigest whole = new PayloadDigest();
    whole.update(Buffer.buffer(bytes));
    PayloadDigest pieces = new PayloadDigest();
    for (int offset = 0; offset < bytes.length; offset += 333) {
      pieces.update(bytes, offset, Math.min(333, bytes.length - offset));
    }

    assertThat(pieces.finish()).isEqualTo(whole.finish()).isEqualTo("sha256:" + sha256Hex(bytes));
    assertThat(pieces.chunkHashes()).isEqualTo(whole.chunkHashes()).containsExactly(
      sha256Hex(Arrays.copyOfRange(bytes, 0, CHUNK_SIZE)),
      sha256Hex(Arrays.copyOfRange(bytes, CHUNK_SIZE, 2 * CHUNK_SIZE)),
      sha256Hex(Arrays.copyOfRange(bytes, 2 * CHUNK_SIZE, bytes.length)));
    assertThat(pieces.size()).isEqualTo(bytes.length);
  }

  @Test
  void anEmptyPayloadHasTheEmptyHashAndNoChunks() {
    PayloadDigest digest = new PayloadDigest();
    assertThat(digest.finish())
      .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(digest.chunkHashes()).isEmpty();
  }

  @Test
  void wholeStoredChunksDigestLikeStreamedBytes() {
    byte[] bytes = GeneratedSource.bytes(CHUNK_SIZE + 10, 1000, 7);
    PayloadDigest streamed = new PayloadDigest();
    streamed.update(bytes, 0, bytes.length);
    PayloadDigest stored = new PayloadDigest();
    stored.chunk(Arrays.copyOfRange(bytes, 0, CHUNK_SIZE));
    stored.chunk(Arrays.copyOfRange(bytes, CHUNK_SIZE, bytes.length));

    assertThat(stored.finish()).isEqualTo(streamed.finish());
    assertThat(stored.chunkHashes()).isEqualTo(streamed.chunkHashes());
  }

  @Test
  void wholeChunksCanOnlyBeFedAtAChunkBoundary() {
    PayloadDigest digest = new PayloadDigest();
    digest.update(new byte[10], 0, 10);
    assertThatThrownBy(() -> digest.chunk(new byte[1])).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(digest::missingChunk).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void identicalDigestsCompareIntact() {
    IntegrityReport report = PayloadDigest.compare("sha256:a", 3L * CHUNK_SIZE, List.of("x", "y", "z"),
      "sha256:a", 3L * CHUNK_SIZE, List.of("x", "y", "z"));
    assertThat(report.intact()).isTrue();
  }

  @Test
  void aDifferingChunkIsNamedWithItsInclusiveByteRange() {
    IntegrityReport report = PayloadDigest.compare("sha256:a", 3L * CHUNK_SIZE, List.of("x", "y", "z"),
      "sha256:b", 3L * CHUNK_SIZE, List.of("x", "Y", "z"));
    assertThat(report.damaged()).containsExactly(CHUNK_1);
    assertThat(report.intact()).isFalse();
  }

  @Test
  void aMissingChunkIsDamaged() {
    IntegrityReport report = PayloadDigest.compare("sha256:a", 3L * CHUNK_SIZE, List.of("x", "y", "z"),
      "sha256:b", 2L * CHUNK_SIZE, Arrays.asList("x", null, "z"));
    assertThat(report.damaged()).containsExactly(CHUNK_1);
  }

  @Test
  void theLastPartialChunkEndsAtTheLastByte() {
    IntegrityReport report = PayloadDigest.compare("sha256:a", CHUNK_SIZE + 10, List.of("x", "y"),
      "sha256:b", CHUNK_SIZE + 10, List.of("x", "Y"));
    assertThat(report.damaged()).containsExactly(new IntegrityReport.DamagedRange(1, CHUNK_SIZE, CHUNK_SIZE + 9));
  }

  @Test
  void truncatedAndExtendedPayloadsReportTheChunksThatDiffer() {
    IntegrityReport truncated = PayloadDigest.compare("sha256:a", 2L * CHUNK_SIZE, List.of("x", "y"),
      "sha256:b", CHUNK_SIZE, List.of("x"));
    IntegrityReport extended = PayloadDigest.compare("sha256:a", CHUNK_SIZE, List.of("x"),
      "sha256:b", CHUNK_SIZE + 5, List.of("x", "extra"));

    assertThat(truncated.damaged()).containsExactly(CHUNK_1);
    assertThat(extended.damaged()).containsExactly(new IntegrityReport.DamagedRange(1, CHUNK_SIZE, CHUNK_SIZE + 4));
  }

  @Test
  void aMissingPayloadHasEveryChunkDamaged() {
    IntegrityReport report = PayloadDigest.missing("sha256:a", CHUNK_SIZE + 1, List.of("x", "y"));
    assertThat(report.actualHash()).isEqualTo(PayloadDigest.MISSING);
    assertThat(report.actualSize()).isZero();
    assertThat(report.damaged()).containsExactly(
      new IntegrityReport.DamagedRange(0, 0, CHUNK_SIZE - 1),
      new IntegrityReport.DamagedRange(1, CHUNK_SIZE, CHUNK_SIZE));
  }
}
