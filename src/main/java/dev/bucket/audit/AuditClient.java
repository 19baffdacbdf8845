package dev.bucket.audit;

import dev.bucket.bus.Addresses;
import dev.bucket.logging.RequestIds;
import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.Space;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * How every other capability talks to the audit verticle: typed, with an explicit send timeout. An entry appended
 * while a request is being served records that request's id. A key the log found taken comes back as the
 * {@link KeyConflictException} it was, not as a reply code.
 */
public final class AuditClient {

  /** Failure code of an append the log refused because it is saturated. */
  public static final int SATURATED = 503;
  /**
   * Failure code of an append refused because a key it inserts is taken (a version's commit entry exists or is
   * landing; a version or Idempotency-Key stored by another writer); the message is {@link #describe}'s.
   */
  static final int TAKEN = 409;

  private final Vertx vertx;
  private final DeliveryOptions options;

  public AuditClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** Completes once the entry is durable. */
  public Future<AuditReceipt> appendDurable(AuditRecord record) {
    return commit(record, new Batch());
  }

  /**
   * Completes once the entry and {@code with} are durable, committed together; fails with
   * {@link KeyConflictException} (and writes nothing) if a key either inserts is taken.
   */
  public Future<AuditReceipt> commit(AuditRecord record, Batch with) {
    return append(new AuditAppend(ofCurrentRequest(record), true, with));
  }

  /** Completes once the entry is accepted into the bounded commit queue; fails (503) when it is full. */
  public Future<AuditReceipt> appendAccepted(AuditRecord record) {
    return append(new AuditAppend(ofCurrentRequest(record), false, new Batch()));
  }

  private static AuditRecord ofCurrentRequest(AuditRecord record) {
    String id = RequestIds.current();
    return record.requestId() != null || id == null ? record : record.withRequestId(id);
  }

  public Future<AuditHead> head() {
    return vertx.eventBus().<AuditHead>request(Addresses.AUDIT_HEAD, null, options).map(m -> m.body());
  }

  private Future<AuditReceipt> append(AuditAppend request) {
    return vertx.eventBus().<AuditReceipt>request(Addresses.AUDIT_APPEND, request, options)
        .map(m -> m.body())
        .recover(failure -> Future.failedFuture(taken(failure)));
  }

  /** {@code <space> <key>}: how a taken key crosses the bus. */
  static String describe(KeyConflictException conflict) {
    return conflict.space().name() + " " + conflict.key();
  }

  private static Throwable taken(Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == TAKEN && reply.getMessage() != null) {
      int space = reply.getMessage().indexOf(' ');
      if (space > 0) {
        return new KeyConflictException(Space.valueOf(reply.getMessage().substring(0, space)),
            reply.getMessage().substring(space + 1));
      }
    }
    return failure;
  }
}
