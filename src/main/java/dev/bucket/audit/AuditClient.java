package dev.bucket.audit;

import dev.bucket.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/** How every other capability talks to the audit verticle: typed, with an explicit send timeout. */
public final class AuditClient {

  private final Vertx vertx;
  private final DeliveryOptions options;

  public AuditClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** Completes once the entry is durable. */
  public Future<AuditReceipt> appendDurable(AuditRecord record) {
    return append(new AuditAppend(record, true));
  }

  /** Completes once the entry is accepted into the bounded commit queue; fails (503) when it is full. */
  public Future<AuditReceipt> appendAccepted(AuditRecord record) {
    return append(new AuditAppend(record, false));
  }

  public Future<AuditHead> head() {
    return vertx.eventBus().<AuditHead>request(Addresses.AUDIT_HEAD, null, options).map(m -> m.body());
  }

  private Future<AuditReceipt> append(AuditAppend request) {
    return vertx.eventBus().<AuditReceipt>request(Addresses.AUDIT_APPEND, request, options).map(m -> m.body());
  }
}
