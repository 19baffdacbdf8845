package dev.bucket.gate;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
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

  /**
   * An optional byte count in a JSON body: a whole number from 0 to 2^63-1, {@code absent} when the field is missing.
   * A larger, negative or fractional number is a 400, never wrapped or truncated into a different size.
   */
  static long size(JsonObject body, String field, long absent) {
    Object value = body.getValue(field);
    if (value == null) {
      return absent;
    }
    if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0) {
      return ((Number) value).longValue();
    }
    throw invalid(field + " must be a whole number of bytes from 0 to " + Long.MAX_VALUE + ", got " + value);
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

  /**
   * A route's JSON body reader: a body, or any declared media type, must be {@code application/json} in UTF-8
   * ({@link #mediaType}); the body is then read whole, up to {@code limit} bytes (413 beyond). A request with
   * neither passes to the route as it is. (An empty body declared multipart would otherwise reach Vert.x's form
   * decoder, which throws on a bad boundary.)
   */
  static Handler<RoutingContext> jsonBodies(long limit) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(limit);
    return ctx -> {
      if (hasBody(ctx.request()) || ctx.request().getHeader(HttpHeaders.CONTENT_TYPE) != null) {
        mediaType(ctx, Responses.JSON);
      }
      body.handle(ctx);
    };
  }

  /** True when the request declares a body: a non-zero Content-Length, or a Transfer-Encoding. */
  static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || length != null && !length.trim().equals("0");
  }

  /**
   * The body's media type, when it is one of {@code accepted} (compared case-insensitively, RFC 9110 §8.3.1), else
   * 415. JSON is UTF-8 (RFC 8259 §8.1), so another {@code charset} is refused too; and a body under a
   * {@code Content-Encoding} Bucket does not decode is refused (RFC 9110 §15.5.16), never stored as if plain.
   */
  static HeaderValue mediaType(RoutingContext ctx, String... accepted) {
    String encoding = ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING);
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      throw new ApiException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding '" + encoding + "' is not "
          + "supported: send the body as it is", Map.of(HttpHeaders.ACCEPT_ENCODING.toString(), "identity"),
          new JsonObject());
    }
    String header = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    HeaderValue type;
    try {
      type = header == null ? null : HeaderValue.mediaType(header);
    } catch (IllegalArgumentException e) {
      throw invalid("Content-Type '" + header + "' is malformed: " + e.getMessage());
    }
    if (type == null || java.util.Arrays.stream(accepted).noneMatch(type::is)) {
      throw unsupported(header == null ? "the body has no Content-Type"
          : "this endpoint does not accept Content-Type '" + header + "'", accepted);
    }
    String charset = type.parameter("charset");
    if (type.is(Responses.JSON) && charset != null && !charset.equalsIgnoreCase("utf-8")) {
      throw unsupported("JSON is read as UTF-8 only (RFC 8259), not charset " + charset, accepted);
    }
    return type;
  }

  private static ApiException unsupported(String detail, String... accepted) {
    return new ApiException(ProblemType.UNSUPPORTED_MEDIA_TYPE, detail + "; accepted: " + String.join(", ",
        accepted), Map.of(), new JsonObject());
  }

  static ApiException invalid(String detail) {
    return new ApiException(ProblemType.INVALID_REQUEST, detail);
  }
}
