package dev.bucket.gate;

import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.limit.Kind;
import java.util.Map;
import dev.bucket.limit.ShedCounter;
import dev.bucket.payload.PayloadTooLargeException;
import io.vertx.core.Handler;
import dev.bucket.storage.MongoErrors;
import dev.bucket.storage.StoreFullException;
import dev.bucket.storage.StoreUnavailableException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where any failure becomes a response: maps the exception to a {@link ProblemType}, writes an
 * RFC 9457 {@code application/problem+json} body (never a stack trace), and records the refusal in the audit log.
 */
final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);
  static final String PROBLEM_JSON = "application/problem+json";
  static final long LINGER_MS = 10_000;
  /** A refused body up to this size is read and dropped before answering, so the connection stays usable. */
  static final long SMALL_BODY_BYTES = 64 * 1024;

  private final AuditClient audit;
  /** Refusals audited as per-route, per-second summaries instead of one entry each, by problem type. */
  private final Map<ProblemType, ShedCounter> summarised;
  private final ClientFaults faults;
  private final java.util.function.Predicate<HttpServerRequest> connectionFailed;

  /**
   * {@code unauthenticated} counts refusals of requests without a valid key, {@code unavailable} the 503s of a
   * saturated or slow backend, both by route name and kind; {@code faults} logs what clients get wrong;
   * {@code connectionFailed} tells a request whose connection broke (and whose failure is that breakage).
   */
  FailureHandler(AuditClient audit, ShedCounter unauthenticated, ShedCounter unavailable, ClientFaults faults,
                 java.util.function.Predicate<HttpServerRequest> connectionFailed) {
    this.audit = audit;
    this.summarised = Map.of(ProblemType.UNAUTHORIZED, unauthenticated, ProblemType.SERVICE_UNAVAILABLE, unavailable);
    this.faults = faults;
    this.connectionFailed = connectionFailed;
  }

  @Override
  public void handle(RoutingContext ctx) {
    respond(ctx, ctx.statusCode(), true);
  }

  /**
   * For the router's own refusals (no route, wrong method or media type, unreadable request line), and failures no
   * route's handler took. Vert.x Web ends the response itself as soon as such a handler returns, so the answer must
   * be complete by then: it cannot wait for a small body to be read first.
   */
  Handler<RoutingContext> forStatus(int status) {
    return ctx -> respond(ctx, status, false);
  }

  private void respond(RoutingContext ctx, int status, boolean mayWait) {
    if (ctx.response().closed() || ctx.response().ended() || connectionFailed.test(ctx.request())) {
      // The client is gone (it closed, or broke the framing and Netty closes), or was answered already (a 408, say,
      // and this is the upload it cut off failing after it): there is no one left to answer.
      faults.gone(ctx.request().method() + " " + ctx.request().path(), ctx.failure());
      return;
    }
    respond(ctx, toProblem(ctx, status), mayWait);
  }

  private void respond(RoutingContext ctx, ApiException problem, boolean mayWait) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // Headers (and maybe part of a payload) are already out: the only honest signal left is a reset connection.
      LOG.warn("failure after response started on {}: {}", ctx.request().path(), String.valueOf(ctx.failure()));
      ctx.request().connection().close();
      return;
    }
    if (problem.type().audited()) {
      audit(ctx, problem);
    } else if (summarised.containsKey(problem.type())) {
      summarised.get(problem.type()).record(Operation.of(ctx).name(),
          ctx.request().method() == io.vertx.core.http.HttpMethod.GET
              || ctx.request().method() == io.vertx.core.http.HttpMethod.HEAD ? Kind.READ : Kind.WRITE);
    }
    send(ctx, problem, mayWait);
  }

  /**
   * For requests Netty could not decode ({@code HttpServer.invalidRequestHandler}): a request line or header too long
   * (414, 431) or malformed (400, e.g. a bad Content-Length). Nothing after the broken head can be framed, so the
   * answer closes the connection. Not audited: there is no route, and often no caller, to record.
   */
  void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    // The connection's exception handler has logged the cause already (GateVerticle.admit).
    if (cause instanceof io.netty.handler.codec.PrematureChannelClosureException) {
      return; // the client closed before its head was complete: no one to answer
    }
    ApiException problem = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException
        ? new ApiException(ProblemType.URI_TOO_LONG, "the request line is longer than this gateway reads")
        : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException
            ? new ApiException(ProblemType.HEADERS_TOO_LARGE, "the request headers are larger than this gateway reads")
            : new ApiException(ProblemType.INVALID_REQUEST, "the request head could not be decoded: "
                + ClientFaults.reason(cause));
    sendAndClose(request, problem);
  }

  /** A request of an HTTP version other than 1.0 and 1.1 (RFC 9110 §15.6.6), answered and its connection closed. */
  void unsupportedVersion(HttpServerRequest request) {
    faults.log("unsupported HTTP version in " + request.method() + " " + request.path(), null);
    sendAndClose(request, new ApiException(ProblemType.VERSION_NOT_SUPPORTED, "this gateway speaks HTTP/1.1 and "
        + "HTTP/1.0"));
  }

  private static void sendAndClose(HttpServerRequest request, ApiException problem) {
    HttpServerResponse response = request.response().setStatusCode(problem.type().status());
    problem.headers().forEach(response::putHeader);
    response.putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    response.end(body(problem, request.path())).onComplete(done -> request.connection().close());
  }

  /** The RFC 9457 document of {@code problem} about {@code instance} (the request's path). */
  private static io.vertx.core.buffer.Buffer body(ApiException problem, String instance) {
    ProblemType type = problem.type();
    return problem.extensions()
        .put("type", type.uri())
        .put("title", type.title())
        .put("status", type.status())
        .put("detail", problem.getMessage())
        .put("instance", instance).toBuffer();
  }

  /** {@code mayWait}: a small body still coming may be read before the answer, keeping the connection. */
  private static void send(RoutingContext ctx, ApiException problem, boolean mayWait) {
    HttpServerRequest request = ctx.request();
    if (problem.type() == ProblemType.REQUEST_TIMEOUT) {
      sendAndClose(request, problem); // waiting for the rest of a too slow body is what the cut-off ends
      return;
    }
    HttpServerResponse response = ctx.response();
    io.vertx.core.buffer.Buffer body = body(problem, request.path());
    response.setStatusCode(problem.type().status());
    problem.headers().forEach(response::putHeader);
    response.putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON);
    if (!bodyStillComing(request)) {
      request.resume(); // lets the (empty) end of a paused request be read, so the connection stays reusable
      response.end(body);
      return;
    }
    long declared = declaredLength(request);
    if (mayWait && declared >= 0 && declared <= SMALL_BODY_BYTES) {
      // A small body (a refused JSON write, say) is cheaper to read and drop than the connection is to rebuild:
      // answer once it is in, and keep the connection. A client that stops sending is cut off after LINGER_MS.
      long timer = ctx.vertx().setTimer(LINGER_MS, t -> request.connection().close());
      request.handler(discarded -> { });
      request.endHandler(v -> {
        ctx.vertx().cancelTimer(timer);
        response.end(body);
      });
      request.resume();
      return;
    }
    // The client is still sending (e.g. an oversized upload): answer now and close. Closing with unread bytes in the
    // socket would reset the connection and could destroy the answer in flight, so the rest of the request is read
    // and discarded first, for at most LINGER_MS (nginx's lingering close does the same).
    response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    response.end(body).onComplete(written -> {
      if (request.isEnded()) {
        request.connection().close();
        return;
      }
      long timer = ctx.vertx().setTimer(LINGER_MS, t -> request.connection().close());
      request.handler(discarded -> { });
      request.endHandler(v -> {
        ctx.vertx().cancelTimer(timer);
        request.connection().close();
      });
      request.resume();
    });
  }

  /** The Content-Length of a request without Transfer-Encoding, or -1. */
  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** True when the client may still be sending a body this handler will not read. */
  private static boolean bodyStillComing(HttpServerRequest request) {
    return !request.isEnded() && Requests.hasBody(request);
  }

  private ApiException toProblem(RoutingContext ctx, int statusCode) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof PayloadTooLargeException tooLarge) {
      return new ApiException(ProblemType.PAYLOAD_TOO_LARGE,
          "the payload exceeds the limit of " + tooLarge.limit() + " bytes per artifact");
    }
    if (failure instanceof DecodeException) {
      return new ApiException(ProblemType.MALFORMED_JSON, "the request body is not valid JSON");
    }
    if (failure instanceof io.netty.handler.codec.DecoderException) {
      // Netty could not decode what the client sent (framing, a line or header too long): its fault, not a bug.
      faults.log("undecodable request " + ctx.request().method() + " " + ctx.request().path(), failure);
      return new ApiException(ProblemType.INVALID_REQUEST, "the request could not be decoded: "
          + ClientFaults.reason(failure));
    }
    if (failure instanceof ReplyException reply && fromReply(reply) != null) {
      return fromReply(reply);
    }
    if (failure instanceof StoreFullException) {
      return storageFull();
    }
    if (failure instanceof StoreUnavailableException || MongoErrors.isUnavailable(failure)) {
      return ApiException.retryLater("the store is busy, unreachable or did not answer in time; retry later");
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : statusCode;
    return switch (status) {
      case 400 -> new ApiException(ProblemType.INVALID_REQUEST, "the request could not be read");
      case 404 -> new ApiException(ProblemType.NOT_FOUND, "no resource at " + ctx.request().path());
      case 405 -> new ApiException(ProblemType.METHOD_NOT_ALLOWED,
          ctx.request().method() + " is not supported on " + ctx.request().path());
      case 413 -> new ApiException(ProblemType.PAYLOAD_TOO_LARGE, "the request body is too large for this endpoint");
      case 415 -> new ApiException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
          "this endpoint does not accept Content-Type '" + ctx.request().getHeader(HttpHeaders.CONTENT_TYPE) + "'");
      case 503 -> new ApiException(ProblemType.SERVICE_UNAVAILABLE, "the gateway cannot serve this request now");
      // Any other client error Vert.x raises (417 for an Expect it does not meet, say): the request as sent.
      default -> status >= 400 && status < 500 ? new ApiException(ProblemType.INVALID_REQUEST, "the request cannot "
          + "be served as sent (HTTP " + status + ")") : internal(ctx, failure);
    };
  }

  /** A failure nothing above explains: a bug, logged with its stack trace. */
  private static ApiException internal(RoutingContext ctx, Throwable failure) {
    LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
    return new ApiException(ProblemType.INTERNAL_ERROR, "an unexpected error occurred; it has been logged");
  }

  private static ApiException storageFull() {
    return new ApiException(ProblemType.STORAGE_FULL, "the store's disk is full; nothing of this request was"
        + " written, and writes resume once space is freed");
  }

  /**
   * A verticle's refusal (507 disk full, 503 saturated) or a request it did not answer in time; null for any other
   * failure a verticle replied with, which is a bug there, not a reason to tell the client to retry.
   */
  private static ApiException fromReply(ReplyException reply) {
    if (reply.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return ApiException.retryLater("an internal component did not answer in time; retry later");
    }
    return switch (reply.failureCode()) {
      case 507 -> storageFull();
      case 503 -> ApiException.retryLater("a storage backend is saturated or unavailable; retry later");
      default -> null;
    };
  }

  /** Refusals are audited best-effort: a saturated log must not turn a clear 4xx into a different error. */
  private void audit(RoutingContext ctx, ApiException problem) {
    int status = problem.type().status();
    Operation op = Operation.of(ctx);
    AuditRecord record = new AuditRecord(op.actor(), op.product(), op.name(), op.artifactId(), op.version(), null,
        status >= 500 ? Outcome.FAILED : Outcome.REFUSED, status, problem.type().slug(),
        new JsonObject().put("method", ctx.request().method().name()).put("path", ctx.request().path()));
    audit.appendAccepted(record).onFailure(e -> LOG.warn("refusal not audited ({}): {} {}", e.getMessage(),
        status, op.name()));
  }
}
