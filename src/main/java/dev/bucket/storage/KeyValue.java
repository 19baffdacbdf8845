package dev.bucket.storage;

import io.vertx.core.json.JsonObject;

/** One stored record as a scan returns it. */
public record KeyValue(String key, JsonObject value) {
}
