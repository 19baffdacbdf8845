package dev.bucket.gate;

import dev.bucket.logging.RequestIds;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First on every request: gives it its id ({@link RequestIds#choose}), keeps it in the request's context for the log
 * lines and audit entries that follow, and echoes it as {@code X-Request-Id} on whatever answer goes out. With
 * {@code access_log} on, each request is also logged (logger {@code dev.bucket.gate.access}) when its response ends.
 */
final class RequestIdHandler implements Handler<RoutingContext> {

  private static final Logger ACCESS = LoggerFactory.getLogger("dev.bucket.gate.access");

  private final boolean accessLog;

  RequestIdHandler(boolean accessLog) {
    this.accessLog = accessLog;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String id = RequestIds.choose(request.getHeader(RequestIds.TRACEPARENT), request.getHeader(RequestIds.HEADER));
    RequestIds.set(id);
    ctx.response().putHeader(RequestIds.HEADER, id);
    if (accessLog) {
      long started = System.nanoTime();
      // Never the query string: it may carry a cursor or a filter value that does not belong in a log.
      ctx.addEndHandler(ended -> ACCESS.info("{} {} {} {} ms", request.method(), request.path(),
          ctx.response().getStatusCode(), (System.nanoTime() - started) / 1_000_000));
    }
    ctx.next();
  }
}
