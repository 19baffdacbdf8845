package dev.bucket.payload;

import dev.bucket.storage.Batch;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;

/**
 * Where artifact bytes live. Metadata never lives here; a payload is referenced from the artifact document by
 * {@link StoredPayload#ref()}. There are exactly two removals: {@link #discard(String)} of an upload that no artifact
 * document references (an aborted or duplicate upload), and {@link #purge(String)} of the bytes of versions that
 * were all tombstoned after their retention expired (see {@code dev.bucket.retention.Tombstoner}, its only caller).
 */
public interface PayloadStore {

  /** Integrity chunk size: per-chunk SHA-256 digests let validation name the exact damaged byte range. */
  int CHUNK_SIZE = 256 * 1024;

  /**
   * Streams {@code source} into the store with backpressure (the source is paused while the store is busy),
   * computing SHA-256 and per-chunk digests on the fly. Fails with {@link PayloadTooLargeException} as soon as more
   * than {@code maxBytes} arrive, leaving nothing behind. Completes only once the bytes are durable.
   */
  Future<StoredPayload> store(ReadStream<Buffer> source, long maxBytes);

  /** Stores bytes already in memory (small JSON artifacts); same guarantees as {@link #store}. */
  Future<StoredPayload> store(Buffer bytes);

  /**
   * Bytes already in memory, for a version about to be committed: either stored durably now (empty writes) or, where
   * the payload lives in the store itself, returned as writes the caller commits in the version's own batch, so
   * that a refused version leaves nothing behind and a committed one never lacks its bytes.
   */
  default Future<StagedPayload> stage(Buffer bytes) {
    return store(bytes).map(stored -> new StagedPayload(stored, new Batch()));
  }

  /** Streams bytes {@code [offset, offset + length)} of a payload to an HTTP response and ends it. */
  Future<Void> send(String ref, long offset, long length, HttpServerResponse response);

  /** Reads a whole payload into memory; only for payloads known to be small (cache fills). */
  Future<Buffer> read(String ref, long size);

  /**
   * Re-reads the stored bytes and compares them with the digests taken at creation. The report names every damaged
   * chunk as a byte range.
   */
  Future<IntegrityReport> verify(String ref, long size, String contentHash, java.util.List<String> chunkHashes);

  /**
   * Releases an upload that this request stored and no artifact document references. A store whose refs are unique
   * per upload removes it; a content-addressed store keeps the bytes, because an identical upload may back a
   * committed artifact (an unreferenced copy is harmless). A no-op if it is absent.
   */
  Future<Void> discard(String ref);

  /**
   * Removes a payload's bytes for good. Only for bytes that no live (non-tombstoned) version references: the caller
   * has written the tombstones durably and checked every reference first. Idempotent: an absent payload is a
   * success. Completes once the removal is durable. Afterwards {@link #read} fails with
   * {@link PayloadMissingException} and {@link #verify} reports {@link PayloadDigest#MISSING}.
   *
   * <p>A content-addressed store, where a new upload of identical bytes may claim the same file at any moment, fails
   * with {@link PurgeDeferredException} and keeps the bytes when such a claim is recent; the caller retries later.
   */
  Future<Void> purge(String ref);

  /** A short name for health and docs: "filesystem" or "gridfs". */
  String kind();
}
