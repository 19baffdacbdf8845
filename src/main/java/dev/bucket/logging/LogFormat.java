package dev.bucket.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** {@code log_format}: lines of text (the default) or one JSON object per line, each with the request's id. */
public enum LogFormat {
  TEXT, JSON;

  /** The variable bucket-logback.xml picks the console's encoder by: {@code logback/console-<format>.xml}. */
  static final String VARIABLE = "bucketLogFormat";

  /**
   * Switches the console to this format. Logging starts as text, before the configuration is read, so for JSON the
   * logging configuration file is read again with the JSON encoder.
   */
  public void apply() {
    if (this == TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.reset();
    context.putProperty(VARIABLE, name().toLowerCase(Locale.ROOT));
    try {
      // The same search for logback-test.xml / logback.xml as at start-up, now with the variable set.
      new ContextInitializer(context).autoConfig();
    } catch (JoranException e) {
      throw new IllegalStateException("cannot read the logging configuration again: " + e.getMessage(), e);
    }
  }
}
