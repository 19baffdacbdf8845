package dev.bucket.audit;

import dev.bucket.bus.Addresses;
import dev.bucket.logging.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * How every other capability talks to the audit verticle: typed, with an explicit send timeout. An entry appended
 * while a request is being served records that request's id.
 */
public final class AuditClient {

  /** Failure code of an append the log refused because it is saturated. */
  public static final int SATURATED = 503;
  /** Failure code of a commit entry the log refused because that version's commit entry exists (or is landing). */
  public static final int DUPLICATE_COMMIT = 409;

  private final Vertx vertx;
  private final DeliveryOptions options;

  public AuditClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** Completes once the entry is durable. */
  public Future<AuditReceipt> appendDurable(AuditRecord record) {
    return append(new AuditAppend(ofCurrentRequest(record), true));
  }

  /** Completes once the entry is accepted into the bounded commit queue; fails (503) when it is full. */
  public Future<AuditReceipt> appendAccepted(AuditRecord record) {
    return append(new AuditAppend(ofCurrentRequest(record), false));
  }

  private static AuditRecord ofCurrentRequest(AuditRecord record) {
    String id = RequestIds.current();
    return record.requestId() != null || id == null ? record : record.withRequestId(id);
  }

  public Future<AuditHead> head() {
    return vertx.eventBus().<AuditHead>request(Addresses.AUDIT_HEAD, null, options).map(m -> m.body());
  }

  private Future<AuditReceipt> append(AuditAppend request) {
    return vertx.eventBus().<AuditReceipt>request(Addresses.AUDIT_APPEND, request, options).map(m -> m.body());
  }
}
