package dev.bucket;

import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.artifact.PayloadCache;
import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditQueries;
import dev.bucket.audit.AuditVerticle;
import dev.bucket.audit.ChainVerifier;
import dev.bucket.audit.ReadReceipts;
import dev.bucket.bus.Codecs;
import dev.bucket.config.BucketConfig;
import dev.bucket.gate.ApiContract;
import dev.bucket.gate.GateVerticle;
import dev.bucket.gate.PublicTraffic;
import dev.bucket.gate.GovernanceGate;
import dev.bucket.governance.GovernanceStore;
import dev.bucket.governance.UsageMeter;
import dev.bucket.governance.threat.LockPolicy;
import dev.bucket.identity.PrincipalRegistry;
import dev.bucket.logging.RequestIds;
import dev.bucket.retention.RetentionRepository;
import dev.bucket.retention.Tombstoner;
import dev.bucket.gate.TlsServerOptions;
import dev.bucket.ingest.IngestRecovery;
import dev.bucket.ingest.IngestVerticle;
import dev.bucket.integrity.ImmutabilityValidator;
import dev.bucket.limit.Ceilings;
import dev.bucket.limit.ConcurrencyCap;
import dev.bucket.limit.LimitSettings;
import dev.bucket.limit.RedisLeases;
import dev.bucket.metrics.GatewayMeters;
import dev.bucket.metrics.ScaleMonitor;
import dev.bucket.payload.FilesystemPayloadStore;
import dev.bucket.payload.GridFsPayloadStore;
import dev.bucket.payload.InlinePayloads;
import dev.bucket.payload.PayloadStore;
import dev.bucket.storage.MongoStore;
import dev.bucket.storage.Store;
import dev.bucket.storage.Stores;
import dev.bucket.storage.RedisProbe;
import dev.bucket.transparency.LogReader;
import dev.bucket.transparency.SigningKeys;
import dev.bucket.transparency.TransparencyLog;
import dev.bucket.transparency.TreeStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.redis.client.RedisOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One gateway node: opens the stores, deploys the audit, ingest and gate verticles in dependency order, and holds the
 * shared services they use. Start-up repairs what a crash may have left (see {@link IngestRecovery}) before the
 * HTTP port opens, so no request sees a half-written state. TLS material is read and checked before anything else,
 * so a bad certificate or key stops start-up with the offending path rather than failing handshakes later.
 */
public final class Node {

  public static final String VERSION = "1.0.0";
  private static final long MAX_CACHED_VERSIONS = 200_000;
  private static final long GOVERNANCE_REFRESH_MS = 2_000;

  private final Vertx vertx;
  private final BucketConfig config;
  private final Clock clock;
  private final Instant startedAt;
  private Store store;
  private RedisProbe redis;
  private PayloadStore payloads;
  private PayloadCache payloadCache;
  private ArtifactRepository artifacts;
  private AuditClient auditClient;
  private AuditQueries auditQueries;
  private ReadReceipts readReceipts;
  private ChainVerifier chainVerifier;
  private TreeStore treeStore;
  private LogReader logReader;
  private ImmutabilityValidator validator;
  private PrincipalRegistry principals;
  private GovernanceGate governance;
  private long governanceRefresh = -1;
  private RetentionRepository retention;
  private Tombstoner tombstoner;
  private int httpPort;
  private int httpsPort = -1;
  private TlsServerOptions tlsOptions;
  private final GatewayMeters meters;
  private AuditVerticle auditVerticle;
  private RedisLeases leases;
  private Ceilings ceilings;
  private ScaleMonitor scaleMonitor;
  private final ConcurrencyCap connections;
  private List<GateVerticle> gates = List.of();

  private Node(Vertx vertx, BucketConfig config, Clock clock, PrometheusMeterRegistry vertxMeters) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.meters = new GatewayMeters(vertxMeters);
    this.connections = new ConcurrencyCap(config.maxConnections());
    meters.connections(connections);
  }

  /**
   * A node on {@code vertx}. When that Vert.x instance reports metrics into a Prometheus registry (built with
   * {@code vertx-micrometer-metrics} options, as tests do through {@code vertx.parameter.filename}), that registry
   * is found and served with the node's own; otherwise {@code /metrics} carries the node's meters and the JVM's.
   */
  public static Future<Node> start(Vertx vertx, BucketConfig config, Clock clock) {
    return start(vertx, config, clock, GatewayMeters.vertxRegistry(vertx));
  }

  /** A node whose {@code /metrics} also serves {@code vertxMeters}, the registry Vert.x reports into (or null). */
  public static Future<Node> start(Vertx vertx, BucketConfig config, Clock clock,
                                   PrometheusMeterRegistry vertxMeters) {
    Node node = new Node(vertx, config, clock, vertxMeters);
    return node.boot().map(node);
  }

  private Future<Void> boot() {
    // TLS material first: a bad certificate or key stops start-up before anything is opened.
    Future<TlsServerOptions> tlsLoaded = config.tls().isEmpty() ? Future.succeededFuture()
        : vertx.executeBlocking(() -> TlsServerOptions.load(vertx, config.tls().get()));
    return tlsLoaded.compose(tls -> {
      tlsOptions = tls;
      return openStores();
    });
  }

  private Future<Void> openStores() {
    Codecs.registerAll(vertx);
    RequestIds.propagate(vertx.eventBus());
    auditClient = new AuditClient(vertx, config.busTimeoutMs());
    redis = RedisProbe.create(vertx, config.redisUri());
    return Stores.open(vertx, config).compose(opened -> {
      store = opened;
      artifacts = new ArtifactRepository(this.store, MAX_CACHED_VERSIONS);
      auditQueries = new AuditQueries(this.store);
      principals = new PrincipalRegistry(this.store, clock);
      retention = new RetentionRepository(this.store, clock, MAX_CACHED_VERSIONS);
      return openPayloadStore().compose(v -> bootstrapOwner())
          .compose(v -> {
            tombstoner = new Tombstoner(retention, artifacts, payloads);
            return openGovernance();
          });
    }).compose(v -> vertx.executeBlocking(() -> SigningKeys.loadOrCreate(config.logSigningKeyPath(),
        config.logOrigin()))).compose(signer -> {
          treeStore = new TreeStore(store);
          logReader = new LogReader(vertx, treeStore, signer.verifier(), config.busTimeoutMs());
          TransparencyLog transparency = new TransparencyLog(store, treeStore, signer, config.logOrigin());
          auditVerticle = new AuditVerticle(store, clock, config.auditQueueCapacity(), config.auditMaxBatch(),
              transparency);
          return vertx.deployVerticle(auditVerticle);
        })
        .compose(id -> {
          readReceipts = new ReadReceipts(vertx, auditClient, clock, config.readReceiptWindowMs(),
              config.readReceiptCapacity());
          readReceipts.start();
          return new IngestRecovery(artifacts, auditClient, auditQueries).run();
        })
        .compose(recovered -> vertx.deployVerticle(() -> new IngestVerticle(artifacts, auditClient, auditQueries,
            clock), new DeploymentOptions().setInstances(eventLoops())))
        .compose(id -> {
          chainVerifier = new ChainVerifier(store);
          validator = new ImmutabilityValidator(artifacts, payloads, auditQueries, chainVerifier, auditClient,
              retention);
          openCeilings();
          return deployGate(tlsOptions);
        })
        .andThen(started -> {
          if (started.succeeded()) {
            scaleMonitor.start();
          }
        });
  }

  /**
   * The gateway ceilings every gate instance shares, cluster-wide through Redis leases when {@code redis_uri} is
   * set, and the once-a-second monitor that audits shed requests and evaluates the scale alerts.
   */
  private void openCeilings() {
    LimitSettings limits = config.limitSettings();
    if (config.redisUri().isEmpty()) {
      ceilings = Ceilings.local(limits);
    } else {
      leases = RedisLeases.start(vertx, new RedisOptions().setConnectionString(config.redisUri()), limits,
          RedisLeases.Settings.defaults().withExpectedNodes(config.clusterExpectedNodes()));
      ceilings = Ceilings.clustered(limits, leases);
    }
    AuditVerticle writer = auditVerticle;
    scaleMonitor = new ScaleMonitor(vertx, ceilings, meters, governance.usage(),
        () -> governance.store().rules().products().keySet(), writer::pendingEntries, auditClient, clock, leases,
        new ScaleMonitor.Limits(config.maxStorageBytes(), config.maxArtifacts(), config.maxArtifactsPerProduct(),
            config.maxProducts(), config.auditQueueCapacity()),
        config.alertThresholds());
  }

  /**
   * An empty store gets its owner: BUCKET_OWNER_KEY when given, else a new key printed once to the console (stdout,
   * not the log, so no log file or collector ever holds it).
   */
  private Future<Void> bootstrapOwner() {
    return principals.bootstrapOwner(config.ownerKey()).compose(generated -> {
      generated.ifPresent(key -> System.out.println("""

          ==== Bucket owner API key (shown once; store it now, it cannot be recovered) ====
          %s
          ==================================================================================
          """.formatted(key)));
      if (config.ownerKey().isEmpty() || generated.isPresent()) {
        return Future.<Void>succeededFuture();
      }
      return principals.isOwnerKey(config.ownerKey()).map(matches -> {
        if (!matches) {
          org.slf4j.LoggerFactory.getLogger(Node.class).warn("owner_key is set but this store already has a "
              + "different owner key; the configured value is ignored (it only seeds an empty store)");
        }
        return null;
      });
    });
  }

  /** Rules and schemas (files, then approved changes), and the usage each product already has. */
  private Future<Void> openGovernance() {
    UsageMeter usage = new UsageMeter();
    return GovernanceStore.open(store, clock, config.governanceRules(),
            config.schemasDir(), config.maxProducts())
        .compose(store -> artifacts.usageByProduct().map(found -> {
          found.forEach((product, counts) -> usage.add(product, counts[0], counts[1]));
          governance = new GovernanceGate(store, principals, auditClient, usage, clock, config.maxArtifactBytes(),
              new LockPolicy(config.lockViolationThreshold(), java.time.Duration.ofSeconds(config.lockWindowSeconds())));
          // Other nodes' rule changes and schema approvals arrive within this period.
          governanceRefresh = vertx.setPeriodic(GOVERNANCE_REFRESH_MS, id -> store.refresh().onFailure(e ->
              org.slf4j.LoggerFactory.getLogger(Node.class).warn("governance state not refreshed: {}", e.toString())));
          return null;
        }));
  }

  /** Files or GridFS for payloads, behind the inline store that keeps small in-memory payloads in the store. */
  private Future<Void> openPayloadStore() {
    Future<PayloadStore> files;
    if (config.effectivePayloadStore() == BucketConfig.PayloadStoreKind.FILESYSTEM) {
      FilesystemPayloadStore filesystem = new FilesystemPayloadStore(vertx, config.dataDir().resolve("payloads"));
      files = filesystem.cleanTemp().map(filesystem);
    } else {
      // Configuration refuses gridfs without mongo_uri, so the store here is MongoDB's.
      GridFsPayloadStore gridFs = new GridFsPayloadStore(((MongoStore) this.store).client(), "payloads");
      files = gridFs.init().map(gridFs);
    }
    return files.map(opened -> {
      payloads = new InlinePayloads(store, opened, config.inlinePayloadMaxBytes());
      createPayloadCache();
      return null;
    });
  }

  private void createPayloadCache() {
    payloadCache = new PayloadCache(payloads, config.cacheMaxBytes(), config.cachePayloadMaxBytes());
  }

  /**
   * One gate per event loop, sharing one listening socket (two with TLS: HTTP and HTTPS). Port 0 (any free port)
   * becomes a negative port, Vert.x's "one random port shared by every server bound to that same negative port";
   * plain 0 would give each instance its own port. HTTP uses -1 and HTTPS -2, or both would share one random port.
   */
  private Future<Void> deployGate(TlsServerOptions tls) {
    PublicTraffic shared = new PublicTraffic(this);
    int port = config.httpPort() == 0 ? -1 : config.httpPort();
    int tlsPort = config.httpsPort() == 0 ? -2 : config.httpsPort();
    gates = new ArrayList<>();
    // The API contract is read once, off the event loop, for every gate to serve.
    return vertx.executeBlocking(ApiContract::json).compose(contract -> vertx.deployVerticle(() -> {
      GateVerticle gate = new GateVerticle(this, port, tlsPort, tls, shared, contract);
      gates.add(gate);
      return gate;
    }, new DeploymentOptions().setInstances(eventLoops()))).map(id -> {
      httpPort = gates.get(0).port();
      httpsPort = gates.get(0).httpsPort();
      if (gates.stream().anyMatch(g -> g.port() != httpPort || g.httpsPort() != httpsPort)) {
        throw new IllegalStateException("gate instances bound different ports");
      }
      return null;
    });
  }

  private static int eventLoops() {
    return Math.max(1, Math.min(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Writes the read receipts and shed counts still pending, undeploys everything, then closes the stores so the
   * embedded store is committed cleanly.
   */
  public Future<Void> stop() {
    if (governanceRefresh >= 0) {
      vertx.cancelTimer(governanceRefresh);
      governanceRefresh = -1;
    }
    if (redis != null) {
      redis.close();
    }
    // Receipts first: reads refused once they stop are 503s, which the scale monitor's last drain then audits.
    Future<Void> receipted = readReceipts == null ? Future.succeededFuture() : readReceipts.stop().otherwiseEmpty();
    return receipted
        .transform(v -> scaleMonitor == null ? Future.succeededFuture() : scaleMonitor.stop().otherwiseEmpty())
        .transform(v -> leases == null ? Future.succeededFuture() : leases.close().otherwiseEmpty())
        .transform(v -> Future.all(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
        .transform(ignored -> store == null ? Future.succeededFuture() : store.close())
        .andThen(v -> meters.close());
  }

  /** The writes and reads ceilings, writer cap and shed counters shared by every gate instance. */
  public Ceilings ceilings() {
    return ceilings;
  }

  /** Bucket's meters (and, when Vert.x reports into a Prometheus registry, access to its text too). */
  public GatewayMeters meters() {
    return meters;
  }

  /** The once-a-second evaluation of the scale limits and alerts; the metrics API reads from it. */
  public ScaleMonitor scaleMonitor() {
    return scaleMonitor;
  }

  /** The HTTP routes the gateway serves (each gate instance serves the same ones); empty before start. */
  public List<io.vertx.ext.web.Route> routes() {
    return gates.isEmpty() ? List.of() : gates.get(0).routes();
  }

  /** Open client connections, HTTP and HTTPS together, bounded by {@code max_connections}. */
  public ConcurrencyCap connections() {
    return connections;
  }

  /** Audit entries accepted but not yet durable. */
  public int auditPending() {
    return auditVerticle == null ? 0 : auditVerticle.pendingEntries();
  }

  public BucketConfig config() {
    return config;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** Everything but payload bytes: the embedded RocksDB store or an external MongoDB. */
  public Store store() {
    return store;
  }

  /** Null when no Redis is configured. */
  public RedisProbe redis() {
    return redis;
  }

  public PayloadStore payloads() {
    return payloads;
  }

  public PayloadCache payloadCache() {
    return payloadCache;
  }

  public ArtifactRepository artifacts() {
    return artifacts;
  }

  public AuditClient auditClient() {
    return auditClient;
  }

  /** Where the gate records successful reads; their receipts reach the audit log once per window. */
  public ReadReceipts readReceipts() {
    return readReceipts;
  }

  public AuditQueries auditQueries() {
    return auditQueries;
  }

  /** Checkpoints and proofs of the transparency log; its verifier checks this node's signatures. */
  public LogReader logReader() {
    return logReader;
  }

  public RetentionRepository retention() {
    return retention;
  }

  public Tombstoner tombstoner() {
    return tombstoner;
  }

  public GovernanceGate governance() {
    return governance;
  }

  public Clock clock() {
    return clock;
  }

  public PrincipalRegistry principals() {
    return principals;
  }

  public ChainVerifier chainVerifier() {
    return chainVerifier;
  }

  public ImmutabilityValidator validator() {
    return validator;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The bound HTTPS port, or -1 when no TLS is configured. */
  public int httpsPort() {
    return httpsPort;
  }
}
