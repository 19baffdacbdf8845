package dev.bucket.config;

import dev.bucket.identity.ApiKeys;
import dev.bucket.limit.LimitSettings;
import dev.bucket.logging.LogFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every setting of a gateway node, validated once at start-up. Keys are the snake_case names used in
 * {@code conf/bucket.json}; see {@link ConfigLoader} for how the sources are layered.
 */
public record BucketConfig(
    String httpHost,
    int httpPort,
    Path dataDir,
    String mongoUri,
    String mongoDb,
    String redisUri,
    PayloadStoreKind payloadStore,
    long maxArtifactBytes,
    int maxJsonBodyBytes,
    int maxMetadataBytes,
    int pageLimitMax,
    long cacheMaxBytes,
    int cachePayloadMaxBytes,
    int auditQueueCapacity,
    int auditMaxBatch,
    long readReceiptWindowMs,
    int readReceiptCapacity,
    long busTimeoutMs,
    String logOrigin,
    String logSigningKey,
    String ownerKey,
    Path governanceRules,
    Path schemasDir,
    long maxWritesPerSecond,
    long maxReadsPerSecond,
    int maxBatchSize,
    long maxArtifacts,
    long maxArtifactsPerProduct,
    int maxProducts,
    int maxConcurrentWriters,
    long maxStorageBytes,
    int lockViolationThreshold,
    long lockWindowSeconds,
    int httpsPort,
    Optional<Tls> tls,
    long rateLimitMaxDelayMs,
    long writeBurst,
    long readBurst,
    int clusterExpectedNodes,
    boolean metricsPublic,
    List<Integer> alertThresholds,
    int maxConnections,
    long storeCacheBytes,
    int storeMaxOpenFiles,
    int inlinePayloadMaxBytes,
    LogFormat logFormat,
    boolean accessLog,
    long anonymousRequestsPerSecond,
    long requestHeaderTimeoutMs,
    long requestBodyIdleTimeoutMs,
    long minUploadBytesPerSecond,
    long uploadRateWindowMs,
    long connectionIdleTimeoutMs) {

  public enum PayloadStoreKind { AUTO, FILESYSTEM, GRIDFS }

  /** Whether the HTTPS listener asks for, or insists on, a client certificate signed by the client CA. */
  public enum ClientAuthMode { NONE, REQUEST, REQUIRED }

  /**
   * The HTTPS listener's material: PEM server certificate chain and private key, and optionally a PEM CA bundle that
   * client certificates must chain to ({@code clientCaPath} empty means no client certificates are asked for, and
   * {@code clientAuth} is then {@link ClientAuthMode#NONE}).
   */
  public record Tls(Path certPath, Path keyPath, Optional<Path> clientCaPath, ClientAuthMode clientAuth) {
  }

  static final Set<String> KEYS = Set.of("http_host", "http_port", "data_dir", "mongo_uri", "mongo_db", "redis_uri",
      "payload_store", "max_artifact_bytes", "max_json_body_bytes", "max_metadata_bytes", "page_limit_max",
      "cache_max_bytes", "cache_payload_max_bytes", "audit_queue_capacity", "audit_max_batch",
      "read_receipt_window_ms", "read_receipt_capacity", "bus_timeout_ms",
      "log_origin", "log_signing_key", "owner_key", "governance_rules", "schemas_dir",
      "max_writes_per_second", "max_reads_per_second", "max_batch_size", "max_artifacts", "max_artifacts_per_product",
      "max_products", "max_concurrent_writers", "max_storage_bytes", "lock_violation_threshold",
      "lock_window_seconds", "https_port", "tls_cert_path", "tls_key_path", "tls_client_ca_path",
      "tls_client_auth", "rate_limit_max_delay_ms", "write_burst", "read_burst", "cluster_expected_nodes",
      "metrics_public", "alert_thresholds", "max_connections", "store_cache_bytes", "store_max_open_files",
      "inline_payload_max_bytes", "log_format", "access_log",
      "anonymous_requests_per_second", "request_header_timeout_ms",
      "request_body_idle_timeout_ms", "min_upload_bytes_per_second", "upload_rate_window_ms",
      "connection_idle_timeout_ms");

  /** Records print every component; this one must never show the owner key (logs must carry no secrets). */
  @Override
  public String toString() {
    return "BucketConfig[http=" + httpHost + ":" + httpPort + ", data_dir=" + dataDir + ", mongo="
        + (mongoUri.isEmpty() ? "embedded" : "external") + ", payload_store=" + payloadStore + ", owner_key="
        + (ownerKey.isEmpty() ? "unset" : "set") + "]";
  }

  /** Where the checkpoint signing key lives: the configured path, or {@code log-signing.key} in the data dir. */
  public Path logSigningKeyPath() {
    return logSigningKey.isEmpty() ? dataDir.resolve("log-signing.key") : Path.of(logSigningKey);
  }

  /**
   * The gateway ceilings as the limiter takes them: a burst of 0 means the default, 1/20 of the rate (at least 1),
   * so lowering or lifting a rate without touching its burst keeps every one-second window within 5 % of it.
   */
  public LimitSettings limitSettings() {
    return new LimitSettings(maxWritesPerSecond, maxReadsPerSecond,
        writeBurst > 0 ? writeBurst : Math.max(1, maxWritesPerSecond / 20),
        readBurst > 0 ? readBurst : Math.max(1, maxReadsPerSecond / 20),
        rateLimitMaxDelayMs, maxProducts, maxConcurrentWriters);
  }

  /** True when no MongoDB URI is configured and the embedded store (RocksDB in the data dir) is used. */
  public boolean embeddedStore() {
    return mongoUri.isEmpty();
  }

  /** The payload store in effect: AUTO means the filesystem store when embedded, GridFS with an external MongoDB. */
  public PayloadStoreKind effectivePayloadStore() {
    if (payloadStore != PayloadStoreKind.AUTO) {
      return payloadStore;
    }
    return embeddedStore() ? PayloadStoreKind.FILESYSTEM : PayloadStoreKind.GRIDFS;
  }

  /** Builds and validates the typed configuration from merged raw values (strings or JSON scalars). */
  static BucketConfig from(Map<String, Object> raw) {
    for (String key : raw.keySet()) {
      if (!KEYS.contains(key)) {
        throw new ConfigException("unknown configuration key '" + key + "'");
      }
    }
    Values v = new Values(raw);
    BucketConfig config = new BucketConfig(
        v.string("http_host", false),
        (int) v.number("http_port", 0, 65535),
        Path.of(v.string("data_dir", false)),
        v.string("mongo_uri", true),
        v.string("mongo_db", false),
        v.string("redis_uri", true),
        v.choice("payload_store", PayloadStoreKind.class),
        v.number("max_artifact_bytes", 1, Long.MAX_VALUE),
        (int) v.number("max_json_body_bytes", 1024, 16 * 1024 * 1024),
        (int) v.number("max_metadata_bytes", 256, 1024 * 1024),
        (int) v.number("page_limit_max", 1, 10_000),
        v.number("cache_max_bytes", 0, Long.MAX_VALUE),
        (int) v.number("cache_payload_max_bytes", 0, 16 * 1024 * 1024),
        (int) v.number("audit_queue_capacity", 1, 10_000_000),
        (int) v.number("audit_max_batch", 1, 100_000),
        v.number("read_receipt_window_ms", 1, 60_000),
        (int) v.number("read_receipt_capacity", 1, 10_000_000),
        v.number("bus_timeout_ms", 10, 600_000),
        v.string("log_origin", false),
        v.string("log_signing_key", true),
        v.string("owner_key", true),
        Path.of(v.string("governance_rules", false)),
        Path.of(v.string("schemas_dir", false)),
        v.number("max_writes_per_second", 1, 10_000_000),
        v.number("max_reads_per_second", 1, 10_000_000),
        (int) v.number("max_batch_size", 1, 1_000_000),
        v.number("max_artifacts", 1, Long.MAX_VALUE),
        v.number("max_artifacts_per_product", 1, Long.MAX_VALUE),
        (int) v.number("max_products", 1, 100_000),
        (int) v.number("max_concurrent_writers", 1, 100_000),
        v.number("max_storage_bytes", 1, Long.MAX_VALUE),
        (int) v.number("lock_violation_threshold", 1, 1_000_000),
        v.number("lock_window_seconds", 1, 31_536_000),
        (int) v.number("https_port", 0, 65535),
        tls(v),
        v.number("rate_limit_max_delay_ms", 0, 60_000),
        v.number("write_burst", 0, 10_000_000),
        v.number("read_burst", 0, 10_000_000),
        (int) v.number("cluster_expected_nodes", 1, 10_000),
        v.bool("metrics_public"),
        thresholds(v.string("alert_thresholds", false)),
        (int) v.number("max_connections", 1, 1_000_000),
        v.number("store_cache_bytes", 8L << 20, 1L << 40),
        (int) v.number("store_max_open_files", 64, 1_000_000),
        (int) v.number("inline_payload_max_bytes", 0, 1024 * 1024),
        v.choice("log_format", LogFormat.class),
        v.bool("access_log"),
        v.number("anonymous_requests_per_second", 1, 1_000_000),
        v.number("request_header_timeout_ms", 100, 3_600_000),
        v.number("request_body_idle_timeout_ms", 100, 3_600_000),
        v.number("min_upload_bytes_per_second", 0, 1L << 30),
        v.number("upload_rate_window_ms", 100, 3_600_000),
        v.number("connection_idle_timeout_ms", 1_000, 86_400_000));
    if (!config.ownerKey.isEmpty() && !ApiKeys.plausible(config.ownerKey)) {
      // The message must not echo the value: it is a secret.
      throw new ConfigException("owner_key: must be " + ApiKeys.MIN_LENGTH + " to 256 printable characters without "
          + "spaces (generate one with: openssl rand -base64 32)");
    }
    if (!config.mongoUri.isEmpty() && !config.mongoUri.startsWith("mongodb://")
        && !config.mongoUri.startsWith("mongodb+srv://")) {
      throw new ConfigException("mongo_uri: must start with mongodb:// or mongodb+srv://");
    }
    if (config.mongoUri.isEmpty() && config.payloadStore == PayloadStoreKind.GRIDFS) {
      throw new ConfigException("payload_store: gridfs needs mongo_uri (GridFS lives in MongoDB; the embedded store"
          + " keeps payloads in the filesystem)");
    }
    if (!config.logOrigin.matches("[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+)*")) {
      throw new ConfigException("log_origin: must look like host/path (no scheme, no spaces or '+'), got '"
          + config.logOrigin + "'");
    }
    if (!config.redisUri.isEmpty() && !config.redisUri.matches("rediss?://.+")) {
      throw new ConfigException("redis_uri: must start with redis:// or rediss://");
    }
    if (config.tls.isPresent() && config.httpsPort != 0 && config.httpsPort == config.httpPort) {
      throw new ConfigException("https_port: must differ from http_port (" + config.httpPort + ")");
    }
    return config;
  }

  /** {@code "80,90,100"}: whole percentages of a limit, ascending, each within 1..100. */
  static List<Integer> thresholds(String value) {
    List<Integer> out = new ArrayList<>();
    for (String part : value.split(",")) {
      int percent;
      try {
        percent = Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException("alert_thresholds: must be whole percentages separated by commas, such as "
            + "80,90,100; got '" + value + "'");
      }
      if (percent < 1 || percent > 100) {
        throw new ConfigException("alert_thresholds: each must be between 1 and 100, got " + percent);
      }
      if (!out.isEmpty() && percent <= out.get(out.size() - 1)) {
        throw new ConfigException("alert_thresholds: must be strictly ascending, got '" + value + "'");
      }
      out.add(percent);
    }
    return List.copyOf(out);
  }

  /**
   * Both tls_cert_path and tls_key_path set: HTTPS; neither: no HTTPS listener; one alone is a mistake. The client
   * CA only makes sense with HTTPS, and asking for client certificates only with a CA to check them against.
   */
  private static Optional<Tls> tls(Values v) {
    String cert = v.string("tls_cert_path", true);
    String key = v.string("tls_key_path", true);
    String ca = v.string("tls_client_ca_path", true);
    String auth = v.string("tls_client_auth", true);
    if (cert.isEmpty() != key.isEmpty()) {
      String missing = cert.isEmpty() ? "tls_cert_path" : "tls_key_path";
      String present = cert.isEmpty() ? "tls_key_path" : "tls_cert_path";
      throw new ConfigException(missing + ": must be set when " + present + " is set (HTTPS needs both)");
    }
    ClientAuthMode mode = auth.isEmpty() ? null : v.choice("tls_client_auth", ClientAuthMode.class);
    if (cert.isEmpty()) {
      if (!ca.isEmpty()) {
        throw new ConfigException("tls_client_ca_path: needs tls_cert_path and tls_key_path (client certificates are"
            + " only checked over HTTPS)");
      }
      if (mode != null && mode != ClientAuthMode.NONE) {
        throw new ConfigException("tls_client_auth: '" + auth + "' needs tls_cert_path, tls_key_path and"
            + " tls_client_ca_path");
      }
      return Optional.empty();
    }
    if (ca.isEmpty()) {
      if (mode != null && mode != ClientAuthMode.NONE) {
        throw new ConfigException("tls_client_auth: '" + auth + "' needs tls_client_ca_path (the CA client"
            + " certificates are checked against)");
      }
      return Optional.of(new Tls(Path.of(cert), Path.of(key), Optional.empty(), ClientAuthMode.NONE));
    }
    return Optional.of(new Tls(Path.of(cert), Path.of(key), Optional.of(Path.of(ca)),
        mode == null ? ClientAuthMode.REQUEST : mode));
  }

  /** Typed reads over raw values that may come from JSON, environment, system properties or flags. */
  private record Values(Map<String, Object> raw) {

    private Object require(String key) {
      Object value = raw.get(key);
      if (value == null) {
        throw new ConfigException(key + ": missing (every key needs a value; see conf/bucket.json)");
      }
      return value;
    }

    String string(String key, boolean mayBeEmpty) {
      Object raw = require(key);
      if (raw instanceof io.vertx.core.json.JsonArray array) {
        raw = array.getList();
      }
      // A JSON array in the file (["80", "90"] or [80, 90]) reads like its comma-separated form.
      String value = (raw instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
          : raw.toString()).trim();
      if (value.isEmpty() && !mayBeEmpty) {
        throw new ConfigException(key + ": must not be empty");
      }
      return value;
    }

    long number(String key, long min, long max) {
      Object value = require(key);
      long n;
      try {
        n = value instanceof Number num && num.doubleValue() == num.longValue()
            ? num.longValue() : Long.parseLong(value.toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key + ": must be a whole number, got '" + value + "'");
      }
      if (n < min || n > max) {
        throw new ConfigException(key + ": must be between " + min + " and " + max + ", got " + n);
      }
      return n;
    }

    boolean bool(String key) {
      Object value = require(key);
      if (value instanceof Boolean b) {
        return b;
      }
      String text = value.toString().trim();
      if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(text);
      }
      throw new ConfigException(key + ": must be true or false, got '" + value + "'");
    }

    <E extends Enum<E>> E choice(String key, Class<E> type) {
      String value = string(key, false);
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(value)) {
          return e;
        }
      }
      throw new ConfigException(key + ": must be one of " + java.util.Arrays.toString(type.getEnumConstants())
          .toLowerCase(java.util.Locale.ROOT) + ", got '" + value + "'");
    }
  }
}
