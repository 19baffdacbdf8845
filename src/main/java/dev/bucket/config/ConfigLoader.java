package dev.bucket.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Layers configuration sources in a fixed, documented order, each overriding the previous one:
 * <ol>
 *   <li>the JSON file ({@code conf/bucket.json} by default),</li>
 *   <li>environment variables {@code BUCKET_<KEY>} (e.g. {@code BUCKET_HTTP_PORT}),</li>
 *   <li>system properties {@code bucket.<key>} (e.g. {@code -Dbucket.http_port=9090}),</li>
 *   <li>command-line flags.</li>
 * </ol>
 * Loading happens before Vert.x exists (its options depend on the configuration), so this is plain blocking code.
 */
public final class ConfigLoader {

  private static final String ENV_PREFIX = "BUCKET_";
  private static final String PROPERTY_PREFIX = "bucket.";

  private ConfigLoader() {
  }

  public static BucketConfig load(Path file, Map<String, String> env, Map<Object, Object> properties,
                                  Map<String, String> flags) {
    Map<String, Object> merged = new LinkedHashMap<>(readFile(file));
    env.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX)) {
        merged.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT), value);
      }
    });
    properties.forEach((name, value) -> {
      if (name.toString().startsWith(PROPERTY_PREFIX)) {
        merged.put(name.toString().substring(PROPERTY_PREFIX.length()), value);
      }
    });
    merged.putAll(flags);
    return BucketConfig.from(merged);
  }

  private static Map<String, Object> readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("config file " + file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    try {
      return new JsonObject(text).getMap();
    } catch (DecodeException e) {
      throw new ConfigException("config file " + file + ": not valid JSON");
    }
  }
}
