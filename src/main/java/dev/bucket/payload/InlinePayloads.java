package dev.bucket.payload;

import dev.bucket.storage.Batch;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.util.List;
import java.util.UUID;

/**
 * Small payloads kept in the store itself, in {@link Space#PAYLOADS}, instead of a file or GridFS document each: a
 * ~100-byte JSON artifact would otherwise occupy a whole filesystem block (4 KB) for seven years. Payloads given
 * in memory ({@link #store(Buffer)}, JSON creates) up to {@code maxInlineBytes} are inlined; everything else, and
 * every ref this class did not make, goes to the {@code files} store unchanged.
 *
 * <p>Each inline payload has a ref of its own ({@code inline:<random id>}), never shared by content, so a purge can
 * remove it without racing an identical upload. The same content hash, chunk digests, ranges and verification apply.
 */
public final class InlinePayloads implements PayloadStore {

  static final String REF_PREFIX = "inline:";
  private static final String BYTES = "bytes";

  private final Store store;
  private final PayloadStore files;
  private final int maxInlineBytes;

  public InlinePayloads(Store store, PayloadStore files, int maxInlineBytes) {
    this.store = store;
    this.files = files;
    this.maxInlineBytes = maxInlineBytes;
  }

  @Override
  public Future<StoredPayload> store(ReadStream<Buffer> source, long maxBytes) {
    return files.store(source, maxBytes);
  }

  @Override
  public Future<StoredPayload> store(Buffer bytes) {
    return stage(bytes).compose(staged -> store.commit(staged.writes()).map(v -> staged.payload()));
  }

  /** A small payload is one insert, committed by the caller with the version that references it. */
  @Override
  public Future<StagedPayload> stage(Buffer bytes) {
    if (bytes.length() > maxInlineBytes) {
      return files.stage(bytes);
    }
    PayloadDigest digest = new PayloadDigest();
    digest.update(bytes);
    String hash = digest.finish();
    String ref = REF_PREFIX + UUID.randomUUID().toString().replace("-", "");
    return Future.succeededFuture(new StagedPayload(new StoredPayload(ref, hash, digest.size(), digest.chunkHashes()),
        new Batch().insert(Space.PAYLOADS, key(ref), new JsonObject().put(BYTES, bytes.getBytes()))));
  }

  @Override
  public Future<Void> send(String ref, long offset, long length, HttpServerResponse response) {
    if (!isInline(ref)) {
      return files.send(ref, offset, length, response);
    }
    return read(ref, -1).compose(bytes -> response.end(bytes.slice((int) offset, (int) (offset + length))));
  }

  @Override
  public Future<Buffer> read(String ref, long size) {
    if (!isInline(ref)) {
      return files.read(ref, size);
    }
    return store.get(Space.PAYLOADS, key(ref)).compose(doc -> doc == null
        ? Future.failedFuture(new PayloadMissingException(ref))
        : Future.succeededFuture(Buffer.buffer(doc.getBinary(BYTES))));
  }

  @Override
  public Future<IntegrityReport> verify(String ref, long size, String contentHash, List<String> chunkHashes) {
    if (!isInline(ref)) {
      return files.verify(ref, size, contentHash, chunkHashes);
    }
    return store.get(Space.PAYLOADS, key(ref)).map(doc -> {
      if (doc == null) {
        return PayloadDigest.missing(contentHash, size, chunkHashes);
      }
      PayloadDigest digest = new PayloadDigest();
      digest.update(Buffer.buffer(doc.getBinary(BYTES)));
      return digest.compareWith(contentHash, size, chunkHashes);
    });
  }

  @Override
  public Future<Void> discard(String ref) {
    return isInline(ref) ? store.commit(new Batch().delete(Space.PAYLOADS, key(ref))) : files.discard(ref);
  }

  @Override
  public Future<Void> purge(String ref) {
    return isInline(ref) ? store.commit(new Batch().delete(Space.PAYLOADS, key(ref))) : files.purge(ref);
  }

  @Override
  public String kind() {
    return files.kind();
  }

  private static boolean isInline(String ref) {
    return ref != null && ref.startsWith(REF_PREFIX);
  }

  private static String key(String ref) {
    String id = ref.substring(REF_PREFIX.length());
    if (!id.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("malformed inline payload ref: " + ref);
    }
    return Keys.of(id);
  }
}
