package dev.bucket.audit;

import dev.bucket.bus.Addresses;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.time.Clock;

/**
 * Serves the audit log on the event bus: {@link Addresses#AUDIT_APPEND} ({@link AuditAppend} → {@link AuditReceipt};
 * a full queue fails the message with 503, a taken key with 409 naming it, anything else with 500) and {@link Addresses#AUDIT_HEAD} (any body →
 * {@link AuditHead}).
 *
 * <p>It owns the log's only {@link AuditLog}, so exactly one instance may run against a given store: deploy it once
 * (never with {@code instances > 1}; entries are inserted, so a second writer's batches would fail rather than fork
 * the log). Everything it depends on is in its messages and the store, and {@link AuditLog#start()} re-reads the
 * head, so it can later run as a cluster-wide singleton (one node holds a lock or lease and deploys it, a successor
 * deploys it after the lease lapses); that requires wire codecs for the three message types instead of the
 * node-local ones registered here.
 */
public final class AuditVerticle extends VerticleBase {

  private final Store store;
  private final DurableFollower follower;
  private final Clock clock;
  private final int queueCapacity;
  private final int maxBatch;
  private volatile AuditLog log;
  private MessageConsumer<AuditAppend> appends;
  private MessageConsumer<Object> heads;

  public AuditVerticle(Store store, Clock clock, int queueCapacity, int maxBatch) {
    this(store, clock, queueCapacity, maxBatch, DurableFollower.NONE);
  }

  public AuditVerticle(Store store, Clock clock, int queueCapacity, int maxBatch, DurableFollower follower) {
    this.follower = follower;
    this.store = store;
    this.clock = clock;
    this.queueCapacity = queueCapacity;
    this.maxBatch = maxBatch;
  }

  @Override
  public Future<?> start() {
    log = new AuditLog(store, clock, queueCapacity, maxBatch);
    log.onDurable(follower::durable);
    return log.start().compose(v -> follower.start(vertx, log.head().size())).compose(v -> {
      appends = vertx.eventBus().consumer(Addresses.AUDIT_APPEND, this::append);
      heads = vertx.eventBus().consumer(Addresses.AUDIT_HEAD, msg -> msg.reply(log.head()));
      return Future.all(appends.completion(), heads.completion());
    });
  }

  /** Entries accepted but not yet durable: the audit writer's lag. Safe from any thread; 0 before start. */
  public int pendingEntries() {
    AuditLog current = log;
    return current == null ? 0 : current.pending();
  }

  /** Stops taking requests first, then lets the log write what it has accepted. */
  @Override
  public Future<?> stop() {
    return Future.all(appends.unregister(), heads.unregister()).compose(v -> log.close());
  }

  private void append(Message<AuditAppend> msg) {
    AuditAppend request = msg.body();
    if (request == null || request.record() == null) {
      msg.fail(500, "audit append without a record");
      return;
    }
    log.append(request.record(), request.awaitDurable(), request.with()).onComplete(result -> {
      if (result.succeeded()) {
        msg.reply(result.result());
      } else if (result.cause() instanceof KeyConflictException conflict) {
        msg.fail(AuditClient.TAKEN, AuditClient.describe(conflict));
      } else {
        msg.fail(result.cause() instanceof AuditBackpressureException ? AuditClient.SATURATED : 500,
            result.cause().getMessage());
      }
    });
  }
}
