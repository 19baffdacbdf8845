package dev.bucket.gate;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Successful JSON answers, written the same way by every route group. */
final class Responses {

  static final String JSON = "application/json";

  private Responses() {
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    json(ctx.response(), status, body);
  }

  static void json(HttpServerResponse response, int status, JsonObject body) {
    json(response, status, body.toBuffer());
  }

  /** A body encoded already (the same buffer may be served any number of times). */
  static void json(HttpServerResponse response, int status, Buffer body) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }
}
