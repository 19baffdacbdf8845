package dev.bucket.gate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Bounds how long a client may take, so a slow one cannot hold a connection, a writer permit or a temp file for
 * ever (Vert.x's own {@code idleTimeout} closes a connection with no traffic at all; this does the rest with timers):
 *
 * <ul>
 *   <li><b>request head</b>: from a connection's accept, or the end of its last exchange, the next request's head
 *       must be complete within {@code request_header_timeout_ms}, or the connection is closed (no answer: there is
 *       no request to answer). An idle keep-alive connection is closed after the same time.</li>
 *   <li><b>body idle</b>: while a body is read, {@code request_body_idle_timeout_ms} without a byte is a 408.</li>
 *   <li><b>upload rate</b>: a body that brings fewer than {@code min_upload_bytes_per_second} over a window
 *       of {@code upload_rate_window_ms} is a 408 (a client trickling a byte at a time).</li>
 * </ul>
 *
 * A 408 closes the connection; whatever the request held is released by its end (writer permit, upload). Time the
 * gateway itself keeps a body paused (backpressure from the payload store, see {@link #hold}) is not held against
 * the client. One instance per gate, confined to its event loop; counted in {@code bucket_client_timeouts_total}.
 */
final class SlowClients {

  /** How often a body is checked: often enough for the shortest timeout configured, at least every 10 ms. */
  private final long tickMs;
  private static final String BODY = "bucket.body_watch";

  /** Told when the gateway pauses and resumes a body for its own reasons. */
  interface Hold {
    Hold NONE = paused -> { };

    void held(boolean paused);
  }

  private final Vertx vertx;
  private final long headerMs;
  private final long bodyIdleMs;
  private final long minBytesPerSecond;
  private final long rateWindowMs;
  private final ClientFaults faults;
  private final Map<String, Counter> timeouts = new HashMap<>();
  /** Per open HTTP/1 connection: requests in progress, and the head timer while there are none. */
  private final Map<HttpConnection, long[]> connections = new HashMap<>();

  SlowClients(Vertx vertx, long headerMs, long bodyIdleMs, long minBytesPerSecond, long rateWindowMs,
              ClientFaults faults, MeterRegistry registry) {
    this.vertx = vertx;
    this.rateWindowMs = rateWindowMs;
    this.tickMs = Math.max(10, Math.min(1_000, Math.min(bodyIdleMs, rateWindowMs) / 4));
    this.headerMs = headerMs;
    this.bodyIdleMs = bodyIdleMs;
    this.minBytesPerSecond = minBytesPerSecond;
    this.faults = faults;
    for (String phase : new String[] {"header", "body_idle", "body_rate"}) {
      timeouts.put(phase, Counter.builder("bucket.client.timeouts").tag("phase", phase)
          .description("Clients cut off for being too slow, by phase").register(registry));
    }
  }

  void connected(HttpConnection connection) {
    connections.put(connection, new long[] {0, -1});
    awaitHead(connection);
  }

  void closed(HttpConnection connection) {
    long[] state = connections.remove(connection);
    if (state != null && state[1] >= 0) {
      vertx.cancelTimer(state[1]);
    }
  }

  private void awaitHead(HttpConnection connection) {
    long[] state = connections.get(connection);
    if (state == null || state[0] > 0) {
      return;
    }
    state[1] = vertx.setTimer(headerMs, id -> {
      state[1] = -1;
      if (state[0] == 0) {
        timeouts.get("header").increment();
        faults.log("no complete request head within " + headerMs + " ms (request_header_timeout_ms); connection "
            + "closed", null);
        connection.close();
      }
    });
  }

  /** The first handler of every request: stops the head timer, watches the body, restarts the timer at the end. */
  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpConnection connection = request.connection();
    long[] state = request.version() == HttpVersion.HTTP_2 ? null : connections.get(connection);
    if (state != null) {
      state[0]++;
      if (state[1] >= 0) {
        vertx.cancelTimer(state[1]);
        state[1] = -1;
      }
    }
    Body body = Requests.hasBody(request) && !request.isEnded() ? new Body(ctx) : null;
    if (body != null) {
      ctx.put(BODY, body);
    }
    Exchange.start(ctx);
    Exchange.onEnd(ctx, done -> {
      if (body != null) {
        vertx.cancelTimer(body.timer);
      }
      if (state != null) {
        state[0]--;
        awaitHead(connection);
      }
    });
    ctx.next();
  }

  /** Where the gateway reports pausing this request's body itself (nothing to report for a request without one). */
  static Hold hold(RoutingContext ctx) {
    Body body = ctx.get(BODY);
    return body == null ? Hold.NONE : body;
  }

  /** The watch over one request's body, ticking until the body is in or the exchange ends. */
  private final class Body implements Hold {
    private final RoutingContext ctx;
    private final long timer;
    private long lastRead;
    private long lastProgress = System.nanoTime();
    private long windowStart = lastProgress;
    private long windowRead;
    private boolean held;

    Body(RoutingContext ctx) {
      this.ctx = ctx;
      this.timer = vertx.setPeriodic(tickMs, id -> tick());
    }

    @Override
    public void held(boolean paused) {
      held = paused;
      restart(System.nanoTime());
    }

    private void restart(long now) {
      lastProgress = now;
      windowStart = now;
      windowRead = ctx.request().bytesRead();
    }

    private void tick() {
      HttpServerRequest request = ctx.request();
      if (request.isEnded() || ctx.response().ended() || ctx.response().closed()) {
        vertx.cancelTimer(timer);
        return;
      }
      long now = System.nanoTime();
      long read = request.bytesRead();
      if (held) {
        restart(now);
        return;
      }
      if (read != lastRead) {
        lastRead = read;
        lastProgress = now;
      }
      if ((now - lastProgress) / 1_000_000 >= bodyIdleMs) {
        cut("body_idle", "no byte of the body for " + bodyIdleMs + " ms (request_body_idle_timeout_ms)");
        return;
      }
      long windowMs = (now - windowStart) / 1_000_000;
      if (minBytesPerSecond > 0 && windowMs >= rateWindowMs) {
        long rate = (read - windowRead) * 1000 / windowMs;
        if (rate < minBytesPerSecond) {
          cut("body_rate", "the body arrived at " + rate + " bytes/s over the last " + windowMs + " ms, under the "
              + "minimum of " + minBytesPerSecond + " (min_upload_bytes_per_second)");
          return;
        }
        windowStart = now;
        windowRead = read;
      }
    }

    private void cut(String phase, String why) {
      vertx.cancelTimer(timer);
      timeouts.get(phase).increment();
      faults.log(why + " on " + ctx.request().method() + " " + ctx.request().path(), null);
      if (ctx.response().headWritten()) {
        ctx.request().connection().close();
        return;
      }
      ctx.fail(new ApiException(ProblemType.REQUEST_TIMEOUT, "the request was cut off: " + why,
          Map.of(HttpHeaders.CONNECTION.toString(), HttpHeaders.CLOSE.toString()), new JsonObject()));
    }
  }
}
