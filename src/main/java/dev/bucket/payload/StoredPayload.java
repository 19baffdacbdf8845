package dev.bucket.payload;

import java.util.List;

/**
 * A durable payload: {@code ref} is store-specific, {@code contentHash} is {@code sha256:<hex>} over all bytes and
 * {@code chunkHashes} are the hex SHA-256 digests of each {@link PayloadStore#CHUNK_SIZE} slice in order.
 */
public record StoredPayload(String ref, String contentHash, long size, List<String> chunkHashes) {
  public StoredPayload {
    chunkHashes = List.copyOf(chunkHashes);
  }
}
