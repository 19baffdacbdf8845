package dev.bucket.gate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/** Validation of path, query and body values, each failing with a precise 400. */
final class Requests {

  static final Pattern PRODUCT = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
  static final Pattern ARTIFACT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  static final Pattern ARTIFACT_CLASS = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");
  static final int MAX_METADATA_DEPTH = 16;
  /** Compiled once: {@code String.matches} compiles its pattern on every call, and these run on every request. */
  static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
  private static final Pattern LIMIT = Pattern.compile("[0-9]{1,9}");
  private static final Pattern INDEX = Pattern.compile("[0-9]{1,18}");

  private Requests() {
  }

  static String product(RoutingContext ctx) {
    return matching("product", ctx.pathParam("product"), PRODUCT);
  }

  static String artifactId(RoutingContext ctx) {
    return matching("artifact id", ctx.pathParam("id"), ARTIFACT_ID);
  }

  static int version(RoutingContext ctx) {
    String raw = ctx.pathParam("version");
    if (raw == null || !VERSION.matcher(raw).matches()) {
      throw invalid("version must be a positive whole number, got '" + raw + "'");
    }
    return Integer.parseInt(raw);
  }

  static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    return key == null ? null : matching("Idempotency-Key", key, IDEMPOTENCY_KEY);
  }

  /** {@code limit} query parameter: default when absent; above the cap is a refused bulk read, not a clamp. */
  static int limit(RoutingContext ctx, int defaultLimit, int cap) {
    String raw = ctx.queryParams().get("limit");
    if (raw == null) {
      return Math.min(defaultLimit, cap);
    }
    if (!LIMIT.matcher(raw).matches() || Integer.parseInt(raw) == 0) {
      throw invalid("limit must be a positive whole number, got '" + raw + "'");
    }
    int limit = Integer.parseInt(raw);
    if (limit > cap) {
      throw new ApiException(ProblemType.BULK_READ_REFUSED, "limit " + limit + " exceeds the page cap of " + cap
          + "; Bucket serves bounded pages only, follow the cursor instead");
    }
    return limit;
  }

  /** A required non-negative whole number (log indexes and sizes). */
  static long index(String raw, String name) {
    if (raw == null || !INDEX.matcher(raw).matches()) {
      throw invalid(name + " must be a non-negative whole number, got '" + raw + "'");
    }
    return Long.parseLong(raw);
  }

  /** Optional non-negative long query parameter (cursors over log indexes). */
  static Long optionalIndex(RoutingContext ctx, String name) {
    String raw = ctx.queryParams().get(name);
    if (raw == null) {
      return null;
    }
    return index(raw, name);
  }

  /** The request body as a JSON object holding only {@code allowed} fields (no silent extra fields). */
  static JsonObject jsonBody(RoutingContext ctx, java.util.Set<String> allowed) {
    // length() is -1 when no body was read at all (an empty one with Content-Length: 0 or none).
    if (ctx.body().length() <= 0) {
      throw invalid("the request body is empty; expected a JSON object");
    }
    return onlyFields(jsonObject(ctx.body().buffer(), "the request body"), allowed, "");
  }

  /** As {@link #jsonBody}, but an empty body stands for an empty object (routes whose fields are all optional). */
  static JsonObject optionalJsonBody(RoutingContext ctx, java.util.Set<String> allowed) {
    return ctx.body().length() <= 0 ? new JsonObject() : jsonBody(ctx, allowed);
  }

  /**
   * {@code bytes} decoded as one JSON object. Any other JSON value ({@code []}, {@code null}, a string, a number) is
   * valid JSON but not what a route takes, so it is a 400 naming what came instead; invalid JSON fails with the
   * decoder's {@link io.vertx.core.json.DecodeException} (malformed-json).
   */
  static JsonObject jsonObject(io.vertx.core.buffer.Buffer bytes, String what) {
    Object value = io.vertx.core.json.Json.decodeValue(bytes);
    if (value instanceof JsonObject object) {
      return object;
    }
    throw invalid(what + " must be a JSON object, got " + (value == null ? "null"
        : value instanceof JsonArray ? "an array" : value instanceof String ? "a string"
        : value instanceof Boolean ? "a boolean" : "a number"));
  }

  /** Refuses the first field of {@code object} that is not in {@code allowed}; {@code where} names the part. */
  static JsonObject onlyFields(JsonObject object, java.util.Set<String> allowed, String where) {
    for (String field : object.fieldNames()) {
      if (!allowed.contains(field)) {
        throw invalid("unknown field '" + field + "'" + where + "; allowed: " + allowed.stream().sorted().toList());
      }
    }
    return object;
  }

  static String matching(String what, String value, Pattern pattern) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw invalid(what + " '" + value + "' is not valid (expected " + pattern.pattern() + ")");
    }
    return value;
  }

  /** Metadata must be a JSON object, bounded in encoded size and nesting depth. */
  static JsonObject metadata(Object raw, int maxBytes) {
    if (raw == null) {
      return new JsonObject();
    }
    if (!(raw instanceof JsonObject metadata)) {
      throw invalid("metadata must be a JSON object");
    }
    int size = metadata.toBuffer().length();
    if (size > maxBytes) {
      throw invalid("metadata is " + size + " bytes encoded; the limit is " + maxBytes);
    }
    if (depth(metadata) > MAX_METADATA_DEPTH) {
      throw invalid("metadata nests deeper than " + MAX_METADATA_DEPTH + " levels");
    }
    return metadata;
  }

  private static int depth(Object value) {
    if (value instanceof JsonObject object) {
      return 1 + object.stream().mapToInt(e -> depth(e.getValue())).max().orElse(0);
    }
    if (value instanceof JsonArray array) {
      return 1 + array.stream().mapToInt(Requests::depth).max().orElse(0);
    }
    return 0;
  }

  static ApiException invalid(String detail) {
    return new ApiException(ProblemType.INVALID_REQUEST, detail);
  }
}
