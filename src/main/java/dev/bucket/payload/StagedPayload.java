package dev.bucket.payload;

import dev.bucket.storage.Batch;

/**
 * A payload whose bytes become durable with {@code writes}: committed in the same batch as the version that
 * references it, they can never exist without each other. Empty {@code writes} mean the bytes are durable already
 * (a file or GridFS upload).
 */
public record StagedPayload(StoredPayload payload, Batch writes) {
}
