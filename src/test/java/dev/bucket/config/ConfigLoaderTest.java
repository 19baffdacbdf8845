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
    assertThat(config.embeddedMongo()).isTrue();
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
    assertThat(config.embeddedMongo()).isFalse();
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
  }
}
