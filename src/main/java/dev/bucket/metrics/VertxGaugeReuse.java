package dev.bucket.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" warning for Vert.x's own meters, and only for them.
 *
 * <p>Why it appeared on every start: vertx-micrometer-metrics shares one gauge among all the event-bus handlers,
 * pools, connections and requests that carry the same tags, and looks up the gauge's counter by registering the
 * gauge again each time one of them is created (its {@code LongGaugeBuilder}); Micrometer 1.14 and later warns on
 * the second registration of any gauge (vertx-micrometer-metrics issue 259, Micrometer issue 6931, both open). The
 * second event-bus consumer of a start-up is the first such registration. Nothing is lost: the gauge is the one
 * Vert.x keeps counting in. Bucket's own meters live on a registry of their own and are registered once each
 * ({@link GatewayMeters#gauge}); a warning naming any other meter passes.
 */
public final class VertxGaugeReuse extends TurboFilter {

  private static final String REGISTRY_LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String VERTX_REREGISTRATION = "has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                            Throwable t) {
    return format != null && REGISTRY_LOGGER.equals(logger.getName()) && format.contains(VERTX_REREGISTRATION)
        ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
