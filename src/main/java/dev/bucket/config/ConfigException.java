package dev.bucket.config;

/** Invalid configuration: the message is one line that names the offending key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
