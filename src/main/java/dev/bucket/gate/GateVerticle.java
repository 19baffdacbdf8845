package dev.bucket.gate;

import dev.bucket.Node;
import dev.bucket.limit.ConcurrencyCap;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front: binds the port and dispatches to the route groups. One instance runs per event loop; they share
 * the listening socket. Domain logic lives in the capability packages, not here.
 *
 * <p>With TLS configured, the same router is also served over HTTPS on a second socket (shared the same way); plain
 * HTTP stays available on its own port for local use.
 */
public final class GateVerticle extends VerticleBase {

  private static final java.util.Set<String> CATCH_ALL = java.util.Set.of("request_id", "request.watch", "authenticate",
      "artifact.admit", "artifact.ceiling");
  private static final Logger LOG = LoggerFactory.getLogger(GateVerticle.class);

  private final Node node;
  private final PublicTraffic shared;
  private final ClientFaults faults = new ClientFaults();
  /** Connections of this instance (one event loop) that failed and are about to close; see {@link #admit}. */
  private final java.util.Set<HttpConnection> failing = new java.util.HashSet<>();
  private final int port;
  private final int httpsPort;
  private final TlsServerOptions tls;
  private final Buffer contract;
  private Router router;
  private FailureHandler failures;
  private SlowClients slow;
  private HttpServer server;
  private HttpServer httpsServer;

  /**
   * Plain HTTP on {@code port}, and HTTPS on {@code httpsPort} when {@code tls} is not null; {@code shared} is the
   * public traffic state every instance of the node shares; {@code contract} is what {@code GET /openapi.json} serves
   * ({@link ApiContract#json}).
   */
  public GateVerticle(Node node, int port, int httpsPort, TlsServerOptions tls, PublicTraffic shared,
                      Buffer contract) {
    this.node = node;
    this.shared = shared;
    this.port = port;
    this.httpsPort = httpsPort;
    this.tls = tls;
    this.contract = contract;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    FailureHandler failures = new FailureHandler(node.auditClient(), node.scaleMonitor().unauthenticated(),
        node.scaleMonitor().unavailable(), faults, request -> failing.contains(request.connection()));
    slow = new SlowClients(vertx, node.config().requestHeaderTimeoutMs(), node.config().requestBodyIdleTimeoutMs(),
        node.config().minUploadBytesPerSecond(), node.config().uploadRateWindowMs(), faults,
        node.meters().registry());
    router.route().setName("request_id").handler(new RequestIdHandler(node.config().accessLog()));
    router.route().setName("request.watch").handler(slow::handle);
    router.route().setName("authenticate").handler(new Authentication(node.principals(),
        node.config().metricsPublic() ? java.util.Set.of(MetricsRoutes.SCRAPE) : java.util.Set.of(), shared));
    RetentionRoutes retention = new RetentionRoutes(node.artifacts(), node.retention(), node.tombstoner(),
        node.governance().store(), node.auditClient());
    new ArtifactRoutes(vertx, node.config(), node.artifacts(), node.payloads(), node.payloadCache(),
        node.readReceipts(), node.governance(), retention, new CeilingHandler(vertx, node.scaleMonitor()))
        .mount(router);
    retention.mount(router);
    new AuditRoutes(node.auditQueries(), node.auditClient(), node.chainVerifier(), node.validator()).mount(router);
    new KeyRoutes(node.principals(), node.auditClient()).mount(router);
    new GovernanceRoutes(node.config(), node.governance(), node.principals(), node.auditClient(),
        node.chainVerifier(), node.clock(), node.artifacts(), node.payloads()).mount(router);
    new ScaleGuideRoutes(node.config(), node.scaleMonitor()).mount(router);
    new LogRoutes(node.auditQueries(), node.logReader()).mount(router);
    new MetricsRoutes(node.scaleMonitor(), node.config().metricsPublic(), node.auditClient(), node.chainVerifier(),
        node.clock(), node.config().alertThresholds()).mount(router);
    new EvidenceRoutes(node.artifacts(), node.auditQueries(), node.logReader(), node.auditClient(), retention)
        .mount(router);
    router.get(ApiContract.PATH).setName("contract").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON).end(contract));
    shared.health.mount(router);
    // Per route, so the failure handler sees which operation failed (its name goes into the audit entry). Not on the
    // catch-all routes that run first: a failure is handed to the first matching route with a failure handler, and
    // that must be the operation's own route; a path no route serves falls through to the router's error handler.
    router.getRoutes().stream().filter(route -> !CATCH_ALL.contains(route.getName()))
        .forEach(route -> route.failureHandler(failures));
    for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, failures.forStatus(status));
    }
    this.router = router;
    this.failures = failures;
    server = vertx.createHttpServer(options(port)).connectionHandler(this::admit).requestHandler(router)
        .invalidRequestHandler(failures::invalidRequest);
    if (tls == null) {
      return server.listen();
    }
    httpsServer = vertx.createHttpServer(tls.applyTo(options(httpsPort))).connectionHandler(this::admit)
        .requestHandler(router).invalidRequestHandler(failures::invalidRequest)
        // Failed handshakes (no or untrusted client certificate, old protocol, plain HTTP on the TLS port) never
        // reach the router; they are only worth a debug line, or every port scan would fill the log.
        .exceptionHandler(e -> LOG.debug("HTTPS connection failed: {}{}", e,
            e.getCause() == null ? "" : " (" + e.getCause() + ")"));
    String where = node.config().httpHost() + ":" + node.config().httpsPort();
    return server.listen().compose(http -> httpsServer.listen().recover(e -> Future.failedFuture(
        new IllegalStateException("HTTPS listener on " + where + ": " + e.getMessage(), e))));
  }

  /**
   * Closes a connection at once when {@code max_connections} are already open. Every connection holds a file
   * descriptor, and so do the store's sockets and payload files: a load generator that opened nearly 20,000
   * connections once exhausted the process's descriptors, and the store's connections failed with it. Refused
   * connections are counted (metric {@code bucket_connections_refused_total}).
   */
  private void admit(HttpConnection connection) {
    ConcurrencyCap cap = node.connections();
    if (!cap.tryAcquire()) {
      connection.close();
      return;
    }
    // Broken framing fails the connection, then the request being read with the same exception, then closes it.
    connection.exceptionHandler(e -> {
      faults.log("connection failed", e);
      failing.add(connection);
    });
    slow.connected(connection);
    connection.closeHandler(closed -> {
      failing.remove(connection);
      slow.closed(connection);
      cap.release();
    });
    // Vert.x answers a request of an HTTP version it does not speak with a bare 501 before any handler sees it; the
    // connection's own handler (Vert.x's internal interface, the one place it can be reached) lets it get a problem
    // answer like every other refusal.
    if (connection instanceof io.vertx.core.http.impl.HttpServerConnection served) {
      served.handler(request -> {
        if (request.version() == null) {
          failures.unsupportedVersion(request);
        } else {
          router.handle(request);
        }
      });
    }
  }

  private HttpServerOptions options(int listenPort) {
    return new HttpServerOptions()
        .setHost(node.config().httpHost())
        .setPort(listenPort)
        .setCompressionSupported(false)
        // HTTP/1.1 only: with cleartext HTTP/2 on, a connection exists (and its head timer runs) only once its first
        // bytes arrive, so a socket that sends nothing would be held until the idle timeout.
        .setHttp2ClearTextEnabled(false)
        // No byte either way for this long: an idle connection, or a client that stopped reading its answer.
        .setIdleTimeout((int) node.config().connectionIdleTimeoutMs())
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Every route this gate serves, in routing order: what the hostile-input tests generate their requests from, and
   * what the contract test holds against docs/openapi.yaml.
   */
  public java.util.List<io.vertx.ext.web.Route> routes() {
    return router.getRoutes();
  }

  /** The bound port (useful when configured with port 0). */
  public int port() {
    return server.actualPort();
  }

  /** The bound HTTPS port, or -1 without TLS. */
  public int httpsPort() {
    return httpsServer == null ? -1 : httpsServer.actualPort();
  }
}
