package dev.bucket.payload;

import io.vertx.core.buffer.Buffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Incremental SHA-256 over a whole payload plus one SHA-256 per {@link PayloadStore#CHUNK_SIZE} slice, shared by every
 * store so that creation-time digests and re-verification digests are computed the same way. Not thread-safe: one
 * instance follows one stream on one context.
 */
public final class PayloadDigest {

  public static final String SHA256_PREFIX = "sha256:";
  /** {@link IntegrityReport#actualHash()} when the stored payload is gone altogether. */
  public static final String MISSING = "missing";

  private static final HexFormat HEX = HexFormat.of();

  private final MessageDigest whole = sha256();
  private final MessageDigest chunk = sha256();
  private final List<String> chunkHashes = new ArrayList<>();
  private int chunkFill;
  private long size;
  private String contentHash;

  /** Feeds bytes in stream order; chunk digests are cut every {@link PayloadStore#CHUNK_SIZE} bytes. */
  public void update(Buffer data) {
    byte[] bytes = data.getBytes();
    update(bytes, 0, bytes.length);
  }

  public void update(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    checkOpen();
    whole.update(bytes, offset, length);
    size += length;
    while (length > 0) {
      int take = Math.min(length, PayloadStore.CHUNK_SIZE - chunkFill);
      chunk.update(bytes, offset, take);
      chunkFill += take;
      offset += take;
      length -= take;
      if (chunkFill == PayloadStore.CHUNK_SIZE) {
        closeChunk();
      }
    }
  }

  /**
   * Feeds one stored chunk as a unit, whatever its length: a store that keeps chunks separately (GridFS) uses this so
   * that one truncated or over-long chunk does not shift the boundaries of every chunk after it.
   */
  public void chunk(byte[] stored) {
    requireChunkBoundary();
    whole.update(stored);
    size += stored.length;
    chunkHashes.add(HEX.formatHex(chunk.digest(stored)));
  }

  /** Records that the next stored chunk is absent; it compares as damaged. */
  public void missingChunk() {
    requireChunkBoundary();
    chunkHashes.add(null);
  }

  /** Closes the digest (a trailing partial chunk becomes the last chunk) and returns {@code sha256:<hex>}. */
  public String finish() {
    if (contentHash == null) {
      if (chunkFill > 0) {
        closeChunk();
      }
      contentHash = SHA256_PREFIX + HEX.formatHex(whole.digest());
    }
    return contentHash;
  }

  public long size() {
    return size;
  }

  /** Hex chunk digests in order; {@code null} marks a missing chunk. Complete only after {@link #finish()}. */
  public List<String> chunkHashes() {
    return chunkHashes;
  }

  /** Finishes this digest and compares it with the digests taken when the payload was created. */
  public IntegrityReport compareWith(String expectedHash, long expectedSize, List<String> expectedChunks) {
    String actualHash = finish();
    return compare(expectedHash, expectedSize, expectedChunks, actualHash, size, chunkHashes);
  }

  /** The report for a payload whose stored bytes are gone: every expected chunk is damaged. */
  public static IntegrityReport missing(String expectedHash, long expectedSize, List<String> expectedChunks) {
    return compare(expectedHash, expectedSize, expectedChunks, MISSING, 0, List.of());
  }

  /**
   * Names every chunk index whose digest differs, is absent on either side, or is {@code null} (missing), as the
   * inclusive byte range it covers; ranges are bounded by the larger of the two sizes so extra trailing bytes are
   * reported too.
   */
  public static IntegrityReport compare(String expectedHash, long expectedSize, List<String> expectedChunks,
                                        String actualHash, long actualSize, List<String> actualChunks) {
    long bound = Math.max(expectedSize, actualSize);
    int count = Math.max(expectedChunks.size(), actualChunks.size());
    List<IntegrityReport.DamagedRange> damaged = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String expected = i < expectedChunks.size() ? expectedChunks.get(i) : null;
      String actual = i < actualChunks.size() ? actualChunks.get(i) : null;
      if (expected == null || !expected.equals(actual)) {
        long first = (long) i * PayloadStore.CHUNK_SIZE;
        long last = Math.min(bound, first + PayloadStore.CHUNK_SIZE) - 1;
        damaged.add(new IntegrityReport.DamagedRange(i, first, Math.max(first, last)));
      }
    }
    return new IntegrityReport(expectedHash, actualHash, expectedSize, actualSize, damaged);
  }

  private void closeChunk() {
    chunkHashes.add(HEX.formatHex(chunk.digest()));
    chunkFill = 0;
  }

  private void requireChunkBoundary() {
    checkOpen();
    if (chunkFill != 0) {
      throw new IllegalStateException("not at a chunk boundary");
    }
  }

  private void checkOpen() {
    if (contentHash != null) {
      throw new IllegalStateException("digest already finished");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM must provide SHA-256", e);
    }
  }
}
