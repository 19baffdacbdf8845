/**
 * Live scale metrics of one gateway node.
 *
 * <ul>
 *   <li>{@link dev.bucket.metrics.GatewayMeters}: Bucket's Micrometer meters on a Prometheus registry the node owns
 *       (so they exist whether or not Vert.x was built with metrics), scraped together with Vert.x's registry.
 *   <li>{@link dev.bucket.metrics.ScaleMonitor}: the once-a-second tick: admitted rates, {@code ceiling.shed} audit
 *       summaries, every {@link dev.bucket.metrics.Limit}'s {@link dev.bucket.metrics.Reading}, alert evaluation.
 *   <li>{@link dev.bucket.metrics.AlertEvaluator} and {@link dev.bucket.metrics.SecondSeries}: plain Java, no Vert.x.
 * </ul>
 *
 * <p>The HTTP side ({@code /metrics}, {@code /metrics/*}, {@code /governance/scale/*}) is {@code gate.MetricsRoutes}.
 */
package dev.bucket.metrics;
