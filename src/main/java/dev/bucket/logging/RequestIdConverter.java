package dev.bucket.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %requestId}: {@code [<id>] } on a line logged while serving a request, nothing otherwise. Read
 * when the line is encoded, so it needs a synchronous appender (the console appender is).
 */
public final class RequestIdConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    String id = RequestIds.current();
    return id == null ? "" : "[" + id + "] ";
  }
}
