package dev.bucket.artifact;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bucket.payload.PayloadDigest;
import dev.bucket.payload.PayloadStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Small payloads held in memory, bounded by total bytes. Payloads never change, so an entry is never stale; each is
 * checked against its content hash when it is loaded so a damaged store is never served from memory.
 */
public final class PayloadCache {

  private final PayloadStore store;
  private final int maxEntryBytes;
  private final Cache<String, Buffer> cache;

  public PayloadCache(PayloadStore store, long maxBytes, int maxEntryBytes) {
    this.store = store;
    this.maxEntryBytes = maxEntryBytes;
    this.cache = Caffeine.newBuilder().maximumWeight(maxBytes)
        .weigher((String ref, Buffer bytes) -> bytes.length()).build();
  }

  /** True when this artifact's payload is small enough to be served from memory. */
  public boolean covers(Artifact artifact) {
    return artifact.size() <= maxEntryBytes;
  }

  /** The whole payload; fails with {@link IntegrityException} when the stored bytes do not match the hash. */
  public Future<Buffer> get(Artifact artifact) {
    Buffer cached = cache.getIfPresent(artifact.payloadRef());
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return store.read(artifact.payloadRef(), artifact.size()).map(bytes -> {
      PayloadDigest digest = new PayloadDigest();
      digest.update(bytes);
      if (!artifact.contentHash().equals(digest.finish())) {
        throw new IntegrityException(artifact);
      }
      cache.put(artifact.payloadRef(), bytes);
      return bytes;
    });
  }

  /** The stored bytes of an artifact no longer match its content hash. */
  public static final class IntegrityException extends RuntimeException {
    public IntegrityException(Artifact artifact) {
      super("stored payload of " + artifact.key() + " does not match " + artifact.contentHash(), null, false, false);
    }
  }
}
