package dev.bucket.gate;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The part of a payload to send, from an RFC 9110 {@code Range} header. One range is honoured; a multi-range request
 * is answered with the whole payload, which RFC 9110 allows.
 */
record ByteRange(long first, long length, boolean partial) {

  long last() {
    return first + length - 1;
  }

  static ByteRange parse(String header, long size) {
    ByteRange whole = new ByteRange(0, size, false);
    if (header == null) {
      return whole;
    }
    String spec = header.trim();
    if (!spec.startsWith("bytes=") || spec.contains(",")) {
      return whole;
    }
    String[] bounds = spec.substring("bytes=".length()).split("-", -1);
    if (bounds.length != 2 || !bounds[0].matches("[0-9]{0,18}") || !bounds[1].matches("[0-9]{0,18}")
        || (bounds[0].isEmpty() && bounds[1].isEmpty())) {
      return whole;
    }
    long first;
    long last;
    if (bounds[0].isEmpty()) {
      long suffix = Long.parseLong(bounds[1]);
      if (suffix == 0) {
        throw unsatisfiable(size);
      }
      first = Math.max(0, size - suffix);
      last = size - 1;
    } else {
      first = Long.parseLong(bounds[0]);
      last = bounds[1].isEmpty() ? size - 1 : Math.min(Long.parseLong(bounds[1]), size - 1);
      if (last < first && !bounds[1].isEmpty() && Long.parseLong(bounds[1]) < first) {
        return whole; // an invalid range-spec is ignored, as RFC 9110 says
      }
    }
    if (first >= size) {
      throw unsatisfiable(size);
    }
    return new ByteRange(first, last - first + 1, true);
  }

  private static ApiException unsatisfiable(long size) {
    return new ApiException(ProblemType.RANGE_NOT_SATISFIABLE, "the payload is " + size + " bytes long",
        Map.of(HttpHeaders.CONTENT_RANGE.toString(), "bytes */" + size), new JsonObject());
  }
}
