package dev.bucket.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConfigLoaderTest {

  static final Path CONF = Path.of("conf", "bucket.json");

  static BucketConfig load(Map<String, String> env, Properties properties, Map<String, String> flags) {
    return ConfigLoader.load(CONF, env, properties, flags);
  }

  @Test
  void theShippedFileHoldsEveryDefault() {
    BucketConfig config = load(Map.of(), new Properties(), Map.of());
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(config.embeddedStore()).isTrue();
    assertThat(config.effectivePayloadStore()).isEqualTo(BucketConfig.PayloadStoreKind.FILESYSTEM);
    assertThat(config.maxArtifactBytes()).isEqualTo(500_000_000L);
  }

  @Test
  void environmentOverridesTheFileSystemPropertiesOverrideTheEnvironmentAndFlagsOverrideAll() {
    Properties properties = new Properties();
    assertThat(load(Map.of("BUCKET_HTTP_PORT", "9001"), properties, Map.of()).httpPort()).isEqualTo(9001);
    properties.setProperty("bucket.http_port", "9002");
    assertThat(load(Map.of("BUCKET_HTTP_PORT", "9001"), properties, Map.of()).httpPort()).isEqualTo(9002);
    assertThat(load(Map.of("BUCKET_HTTP_PORT", "9001"), properties, Map.of("http_port", "9003")).httpPort())
        .isEqualTo(9003);
  }

  @Test
  void anExternalMongoUriSwitchesPayloadsToGridFs() {
    BucketConfig config = load(Map.of("BUCKET_MONGO_URI", "mongodb://db1,db2/?replicaSet=rs0"), new Properties(),
        Map.of());
    assertThat(config.embeddedStore()).isFalse();
    assertThat(config.effectivePayloadStore()).isEqualTo(BucketConfig.PayloadStoreKind.GRIDFS);
  }

  @Test
  void everyInvalidValueIsRefusedWithAMessageNamingTheKey() {
    assertThatThrownBy(() -> load(Map.of("BUCKET_HTTP_PORT", "eighty"), new Properties(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("http_port:");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("http_port", "70000")))
        .hasMessageStartingWith("http_port:");
    assertThatThrownBy(() -> load(Map.of("BUCKET_HTTP_PROT", "1"), new Properties(), Map.of()))
        .hasMessage("unknown configuration key 'http_prot'");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("payload_store", "s3")))
        .hasMessageStartingWith("payload_store:");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("mongo_uri", "http://x")))
        .hasMessageStartingWith("mongo_uri:");
    assertThatThrownBy(() -> ConfigLoader.load(Path.of("no-such.json"), Map.of(), new Properties(), Map.of()))
        .hasMessageContaining("no-such.json");
  }

  @Test
  void tlsIsOffByDefaultAndOnWithACertificateAndKey() {
    BucketConfig plain = load(Map.of(), new Properties(), Map.of());
    assertThat(plain.httpsPort()).isEqualTo(8443);
    assertThat(plain.tls()).isEmpty();

    BucketConfig tls = load(Map.of("BUCKET_TLS_CERT_PATH", "/etc/bucket/server.pem",
        "BUCKET_TLS_KEY_PATH", "/etc/bucket/server.key"), new Properties(), Map.of("https_port", "9443"));
    assertThat(tls.httpsPort()).isEqualTo(9443);
    assertThat(tls.tls()).hasValueSatisfying(t -> {
      assertThat(t.certPath()).isEqualTo(Path.of("/etc/bucket/server.pem"));
      assertThat(t.keyPath()).isEqualTo(Path.of("/etc/bucket/server.key"));
      assertThat(t.clientCaPath()).isEmpty();
      assertThat(t.clientAuth()).isEqualTo(BucketConfig.ClientAuthMode.NONE);
    });
  }

  @Test
  void aClientCaRequestsClientCertificatesUnlessToldOtherwise() {
    Map<String, String> tls = Map.of("tls_cert_path", "s.pem", "tls_key_path", "s.key", "tls_client_ca_path", "ca.pem");
    assertThat(clientAuth(tls, null)).isEqualTo(BucketConfig.ClientAuthMode.REQUEST);
    assertThat(clientAuth(tls, "required")).isEqualTo(BucketConfig.ClientAuthMode.REQUIRED);
    assertThat(clientAuth(tls, "REQUEST")).isEqualTo(BucketConfig.ClientAuthMode.REQUEST);
    assertThat(clientAuth(tls, "none")).isEqualTo(BucketConfig.ClientAuthMode.NONE);
    assertThat(load(Map.of(), new Properties(), tls).tls().orElseThrow().clientCaPath())
        .contains(Path.of("ca.pem"));
  }

  private static BucketConfig.ClientAuthMode clientAuth(Map<String, String> tls, String mode) {
    Map<String, String> flags = new java.util.HashMap<>(tls);
    if (mode != null) {
      flags.put("tls_client_auth", mode);
    }
    return load(Map.of(), new Properties(), flags).tls().orElseThrow().clientAuth();
  }

  @Test
  void inconsistentTlsSettingsAreRefusedWithAMessageNamingTheKey() {
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("tls_cert_path", "s.pem")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tls_key_path: must be set when tls_cert_path is set (HTTPS needs both)");
    assertThatThrownBy(() -> load(Map.of("BUCKET_TLS_KEY_PATH", "s.key"), new Properties(), Map.of()))
        .hasMessageStartingWith("tls_cert_path:");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("tls_cert_path", "s.pem",
        "tls_key_path", "s.key", "tls_client_ca_path", "ca.pem", "tls_client_auth", "optional")))
        .hasMessage("tls_client_auth: must be one of [none, request, required], got 'optional'");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("tls_cert_path", "s.pem",
        "tls_key_path", "s.key", "tls_client_auth", "required")))
        .hasMessageStartingWith("tls_client_auth:").hasMessageContaining("tls_client_ca_path");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("tls_client_ca_path", "ca.pem")))
        .hasMessageStartingWith("tls_client_ca_path:");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("https_port", "-1")))
        .hasMessageStartingWith("https_port:");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("tls_cert_path", "s.pem",
        "tls_key_path", "s.key", "https_port", "8080")))
        .hasMessage("https_port: must differ from http_port (8080)");
  }

  @Test
  void startUpWithABadValueStopsWithOneLineNamingTheKey() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = new CommandLine(new Main()).execute("serve", "--http-port", "70000");
    } finally {
      System.setErr(original);
    }
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("bucket: invalid configuration: http_port: must be between 0 and 65535, got 70000");
    assertThat(serveWith("--https-port", "70000"))
        .isEqualTo("bucket: invalid configuration: https_port: must be between 0 and 65535, got 70000");
    assertThat(serveWith("--set", "tls_cert_path=server.pem"))
        .isEqualTo("bucket: invalid configuration: tls_key_path: must be set when tls_cert_path is set (HTTPS needs"
            + " both)");
  }

  /** Runs {@code bucket serve} with the given flags, expecting a configuration error, and returns its one line. */
  private static String serveWith(String... flags) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      String[] args = new String[flags.length + 1];
      args[0] = "serve";
      System.arraycopy(flags, 0, args, 1, flags.length);
      exit = new CommandLine(new Main()).execute(args);
    } finally {
      System.setErr(original);
    }
    assertThat(exit).isEqualTo(2);
    return err.toString(StandardCharsets.UTF_8).strip();
  }

  @Test
  void ceilingKeysHaveDefaultsAndABurstOfZeroIsATwentiethOfTheRate() {
    BucketConfig defaults = load(Map.of(), new Properties(), Map.of());
    assertThat(defaults.rateLimitMaxDelayMs()).isEqualTo(50);
    assertThat(defaults.clusterExpectedNodes()).isEqualTo(1);
    assertThat(defaults.metricsPublic()).isFalse();
    assertThat(defaults.alertThresholds()).containsExactly(80, 90, 100);
    assertThat(defaults.limitSettings().writeBurst()).isEqualTo(50);
    assertThat(defaults.limitSettings().readBurst()).isEqualTo(500);
    assertThat(defaults.limitSettings().maxDelayMillis()).isEqualTo(50);

    BucketConfig low = load(Map.of(), new Properties(), Map.of("max_writes_per_second", "20",
        "max_reads_per_second", "5000", "read_burst", "7", "metrics_public", "true", "alert_thresholds", "70, 95"));
    assertThat(low.limitSettings().writeBurst()).isEqualTo(1);
    assertThat(low.limitSettings().readBurst()).isEqualTo(7);
    assertThat(low.metricsPublic()).isTrue();
    assertThat(low.alertThresholds()).containsExactly(70, 95);

    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("alert_thresholds", "90,80")))
        .hasMessageStartingWith("alert_thresholds:");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("alert_thresholds", "80,120")))
        .hasMessageStartingWith("alert_thresholds:");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("metrics_public", "yes")))
        .hasMessageStartingWith("metrics_public:");
    assertThatThrownBy(() -> load(Map.of(), new Properties(), Map.of("rate_limit_max_delay_ms", "-1")))
        .hasMessageStartingWith("rate_limit_max_delay_ms:");
  }
}
