package dev.bucket.logging;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every request's id, kept in the Vert.x context that serves it. Vert.x runs each HTTP request, and each event-bus
 * message a consumer receives, on a context of its own (a duplicate of the verticle's), and completes the futures a
 * handler waits on there too; a thread-local MDC would leak between the requests an event loop interleaves. The id
 * is read back by the log encoders ({@link RequestIdConverter}, {@link RequestIdJsonProvider}) and by the audit
 * client, which records it in the request's audit entry.
 *
 * <p>Vert.x sizes a context's local storage when an instance is built, so the key must be registered before that:
 * Vert.x loads this class as a {@link VertxServiceProvider} (META-INF/services) while building every instance.
 */
public final class RequestIds implements VertxServiceProvider {

  /** The response header that echoes the id, and a request header a client may set it with. */
  public static final String HEADER = "X-Request-Id";
  /** W3C Trace Context: a request inside a product's trace is known by the trace's id. */
  public static final String TRACEPARENT = "traceparent";

  private static final ContextLocal<String> LOCAL = ContextLocal.registerLocal(String.class);
  /** Carries the id over the event bus, so a verticle that handles part of the request logs and audits with it. */
  private static final String BUS_HEADER = "bucket-request-id";
  /** version-traceid-parentid-flags; versions after 00 may append fields (W3C Trace Context, section 3.2). */
  private static final Pattern TRACE = Pattern.compile(
      "([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_PARENT = "0".repeat(16);
  /** A client's own id: short and inert (it lands in logs, headers and the audit log). */
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Handler<DeliveryContext<Object>> STAMP = RequestIds::stamp;
  private static final Handler<DeliveryContext<Object>> RESTORE = RequestIds::restore;

  @Override
  public void init(VertxBootstrap builder) {
    // Nothing to configure: loading the class registered the context key.
  }

  /**
   * The id of a request carrying these headers (either may be null): the trace id of a valid {@code traceparent},
   * else a well-formed {@code X-Request-Id}, else a new one shaped like a trace id (32 lowercase hex digits).
   */
  public static String choose(String traceparent, String requestId) {
    String trace = traceId(traceparent);
    if (trace != null) {
      return trace;
    }
    if (requestId != null && CLIENT_ID.matcher(requestId).matches()) {
      return requestId;
    }
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static String traceId(String traceparent) {
    if (traceparent == null) {
      return null;
    }
    Matcher m = TRACE.matcher(traceparent.trim());
    if (!m.matches() || m.group(1).equals("ff") || m.group(1).equals("00") && m.group(5) != null
        || m.group(2).equals(ZERO_TRACE) || m.group(3).equals(ZERO_PARENT)) {
      return null;
    }
    return m.group(2);
  }

  /** The id of the request the calling code serves, or null outside a request (start-up, timers, other threads). */
  public static String current() {
    Context context = Vertx.currentContext();
    return context == null ? null : LOCAL.get(context);
  }

  /** Makes {@code id} the current request's id; call it on the request's own context. */
  public static void set(String id) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("a request id belongs to a Vert.x context");
    }
    LOCAL.put(context, id);
  }

  /**
   * Carries the id along every event-bus message sent while serving a request and restores it on the context that
   * receives the message, so a verticle's work on a request (the ingest commit, say) logs and audits under its id.
   * Once per event bus, however many nodes start on it.
   */
  public static void propagate(EventBus bus) {
    bus.removeOutboundInterceptor(STAMP).removeInboundInterceptor(RESTORE)
        .addOutboundInterceptor(STAMP).addInboundInterceptor(RESTORE);
  }

  private static void stamp(DeliveryContext<Object> delivery) {
    String id = current();
    if (id != null && !delivery.message().headers().contains(BUS_HEADER)) {
      delivery.message().headers().add(BUS_HEADER, id);
    }
    delivery.next();
  }

  private static void restore(DeliveryContext<Object> delivery) {
    String id = delivery.message().headers().get(BUS_HEADER);
    ContextInternal context = ContextInternal.current();
    // Consumers get a context of their own per message; a reply comes back on the requester's, which has the id.
    if (id != null && context != null && context.isDuplicate()) {
      LOCAL.put(context, id);
    }
    delivery.next();
  }
}
