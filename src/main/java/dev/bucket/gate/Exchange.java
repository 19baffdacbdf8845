package dev.bucket.gate;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The end of one request/response exchange, for what a request holds until then (a writer permit, an upload, the
 * connection's head timer). Vert.x Web calls a routing context's end handlers once, when the response ends, fails
 * or its connection closes, and never calls one added after that moment; here a handler added late runs at once. A
 * connection broken mid-request (say, an invalid chunk size) ends the exchange while a handler that takes a permit
 * may still be waiting for the principal lookup: it must learn the exchange is over, not hold the permit for ever.
 * Started by the first route of every request ({@link SlowClients#handle}); confined to the request's event loop.
 */
final class Exchange {

  private static final String KEY = "bucket.exchange";

  private final List<Handler<Void>> handlers = new ArrayList<>();
  private boolean ended;

  static void start(RoutingContext ctx) {
    Exchange exchange = new Exchange();
    ctx.put(KEY, exchange);
    ctx.addEndHandler(result -> exchange.end());
  }

  /** Runs {@code handler} when the exchange ends, or now if it has. */
  static void onEnd(RoutingContext ctx, Handler<Void> handler) {
    Exchange exchange = ctx.get(KEY);
    if (exchange.ended) {
      handler.handle(null);
    } else {
      exchange.handlers.add(handler);
    }
  }

  static boolean ended(RoutingContext ctx) {
    return ctx.<Exchange>get(KEY).ended;
  }

  private void end() {
    ended = true;
    // Each handler releases something of its own: one that fails must not keep the others from running.
    for (Handler<Void> handler : handlers) {
      try {
        handler.handle(null);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Exchange.class).error("an end-of-exchange handler failed", e);
      }
    }
    handlers.clear();
  }
}
