package dev.bucket.gate;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A refusal or failure with everything its RFC 9457 problem response needs. Thrown or failed anywhere on a request
 * path and rendered in exactly one place, {@link FailureHandler}.
 */
public final class ApiException extends RuntimeException {

  private final ProblemType type;
  private final Map<String, String> headers;
  private final JsonObject extensions;

  public ApiException(ProblemType type, String detail) {
    this(type, detail, Map.of(), new JsonObject());
  }

  public ApiException(ProblemType type, String detail, Map<String, String> headers, JsonObject extensions) {
    super(detail, null, false, false);
    this.type = type;
    this.headers = Map.copyOf(headers);
    this.extensions = extensions.copy();
  }

  /** A 503 {@code service-unavailable} telling the client to retry in a second. */
  static ApiException retryLater(String detail) {
    return new ApiException(ProblemType.SERVICE_UNAVAILABLE, detail, Map.of("Retry-After", "1"), new JsonObject());
  }

  public ProblemType type() {
    return type;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public JsonObject extensions() {
    return extensions.copy();
  }
}
