package dev.bucket.audit;

import dev.bucket.storage.DurabilityBarrier;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.IndexModel;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The single writer of the audit log, with group commit.
 *
 * <p>{@link #append} seals the entry at once (index, timestamp, hashes), because the log is single-threaded and the
 * queue then holds entries in their final order; a caller that does not await durability gets its receipt
 * immediately. Exactly one batch is written at a time, so the log reaches MongoDB in order: while it is in flight new
 * entries accumulate, and when it completes the next (up to {@code maxBatch} entries) is inserted in one ordered bulk
 * write, followed by {@link DurabilityBarrier#sync()}, after which that batch's durable waiters are answered.
 *
 * <p>When a batch fails its durable waiters fail (some of its entries may nevertheless have landed), the head is
 * re-read from MongoDB and every queued entry is re-sealed behind the real head, so the log never has a gap or a
 * fork. Receipts already handed to non-durable callers for re-sealed entries are then stale; that is the price of
 * answering them before the write.
 *
 * <p>Not thread-safe by design: {@link #start()} binds it to the calling event-loop context, and every method must be
 * called on that context.
 */
public final class AuditLog {

  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  /** How long to wait before re-reading the head again while MongoDB is unreachable. */
  private static final long RECOVERY_RETRY_MS = 1000;

  private static final BulkWriteOptions ORDERED = new BulkWriteOptions().setOrdered(true);

  private final MongoClient mongo;
  private final DurabilityBarrier barrier;
  private final Clock clock;
  private final int capacity;
  private final int maxBatch;

  /** Sealed entries not yet handed to MongoDB, in index order. */
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private Context context;
  private Thread thread;
  /** Head after the last durable batch. */
  private AuditHead durable;
  /** Head after the last sealed entry: what the next append links to. */
  private AuditHead tip;
  /** Entries in the batch being written; 0 when none is. */
  private int inFlight;
  /** {@code queue.size() + inFlight} as of the last change, readable from any thread (the audit lag metric). */
  private volatile int pending;
  private boolean recovering;
  private long batchesWritten;
  /** Set by {@link #close()}: completes once everything accepted has been written. */
  private Promise<Void> drained;
  /** Told of every entry that becomes durable, in order, and of the head after a failed batch. */
  private BiConsumer<AuditHead, List<AuditEntry>> durableListener = (head, entries) -> { };

  /**
   * @param capacity most entries accepted but not yet written (queued plus in flight); beyond it appends fail with
   *                 {@link AuditBackpressureException}
   * @param maxBatch most entries inserted by one round trip
   */
  public AuditLog(MongoClient mongo, DurabilityBarrier barrier, Clock clock, int capacity, int maxBatch) {
    if (capacity < 1 || maxBatch < 1) {
      throw new IllegalArgumentException("capacity and maxBatch must be positive");
    }
    this.mongo = mongo;
    this.barrier = barrier;
    this.clock = clock;
    this.capacity = capacity;
    this.maxBatch = maxBatch;
  }

  /**
   * Binds the log to the calling context, reads the head from MongoDB and creates the query indexes. Fails with
   * {@link AuditTamperedException} if the last stored entry does not hash to its stored hash.
   *
   * <p>The unique sparse index on {@code commit_key} serves {@link AuditQueries#commitEntry} (also on the embedded
   * server, which implements unique indexes only) and makes MongoDB refuse a second commit entry for an artifact
   * version: the batch holding it then fails like any failed batch (its waiters fail, the entries after it in the
   * batch are not written). The compound indexes serve {@link AuditQueries}' filtered listings on MongoDB only.
   */
  public Future<Void> start() {
    context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      throw new IllegalStateException("AuditLog must be started on an event-loop context");
    }
    thread = Thread.currentThread();
    return readHead().compose(head -> {
      durable = head;
      tip = head;
      return mongo.createIndexes(AuditEntry.COLLECTION, List.of(
          index("artifact_id"), index("actor"), index("outcome"), index("product"),
          new IndexModel().setKey(new JsonObject().put(AuditEntry.COMMIT_KEY, 1))
              .setOptions(new IndexOptions().unique(true).sparse(true)),
          // Not unique: a unique index is the one kind the embedded server maintains, and at one entry per
          // request its upkeep halves the log's throughput there; MongoDB uses this index, the embedded server
          // scans for this rare forensic lookup.
          index(AuditEntry.LEAF_HASH)));
    });
  }

  /**
   * Seals and queues one entry. With {@code awaitDurable} the receipt comes once the entry is written and the
   * barrier synced; otherwise at once.
   */
  public Future<AuditReceipt> append(AuditRecord record, boolean awaitDurable) {
    requireLogThread();
    if (drained != null) {
      return Future.failedFuture(new IllegalStateException("audit log is closed"));
    }
    if (queue.size() + inFlight >= capacity) {
      return Future.failedFuture(new AuditBackpressureException(capacity));
    }
    Pending pending = new Pending(record, clock.instant(), awaitDurable ? Promise.promise() : null);
    // Sealing validates the record: refused here, it can never poison a batch that others share.
    try {
      pending.sealAfter(tip);
    } catch (IllegalArgumentException | NullPointerException e) {
      return Future.failedFuture(new IllegalArgumentException("audit record refused: " + e.getMessage(), e));
    }
    tip = HashChain.headAfter(pending.entry);
    queue.add(pending);
    writeNext();
    publishPending();
    return awaitDurable ? pending.waiter.future() : Future.succeededFuture(pending.entry.receipt());
  }

  /**
   * Follows the durable log (the Merkle tree does): called on the log's context after each durable batch with the
   * new head and the batch's entries, and after a failed batch with the re-read head and no entries.
   */
  public void onDurable(BiConsumer<AuditHead, List<AuditEntry>> listener) {
    this.durableListener = listener;
  }

  /** Entries accepted but not yet durable (queued plus in flight) as last published; safe from any thread. */
  public int pending() {
    return pending;
  }

  private void publishPending() {
    pending = queue.size() + inFlight;
  }

  /** The last durable entry. */
  public AuditHead head() {
    requireLogThread();
    return durable;
  }

  /** Batches written successfully so far: each one MongoDB round trip plus one barrier sync. */
  public long batchesWritten() {
    requireLogThread();
    return batchesWritten;
  }

  /**
   * Refuses further appends and completes once every accepted entry has been written. Fails, answering the
   * remaining waiters, if MongoDB is unreachable at the time.
   */
  public Future<Void> close() {
    requireLogThread();
    if (drained == null) {
      drained = Promise.promise();
      writeNext();
    }
    return drained.future();
  }

  private void writeNext() {
    if (inFlight > 0 || recovering) {
      return;
    }
    if (queue.isEmpty()) {
      if (drained != null) {
        drained.tryComplete();
      }
      return;
    }
    List<Pending> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
    List<BulkOperation> inserts = new ArrayList<>(Math.min(maxBatch, queue.size()));
    while (batch.size() < maxBatch && !queue.isEmpty()) {
      Pending pending = queue.poll();
      batch.add(pending);
      inserts.add(BulkOperation.createInsert(pending.entry.toDocument()));
    }
    inFlight = batch.size();
    // One ordered bulk write of inserts is one insert command (the driver only splits past 100,000 documents or
    // 48 MB), and ordered means a failure leaves a prefix of the batch written, never a hole.
    // Started inside compose so that a client that throws (e.g. once closed) fails the batch instead of leaving
    // it in flight forever.
    Future.succeededFuture()
        .compose(v -> mongo.bulkWriteWithOptions(AuditEntry.COLLECTION, inserts, ORDERED))
        .compose(written -> barrier.sync())
        .onComplete(result -> onLogThread(() -> batchDone(batch, result)));
  }

  private void batchDone(List<Pending> batch, AsyncResult<Void> result) {
    inFlight = 0;
    publishPending();
    if (result.succeeded()) {
      batchesWritten++;
      durable = HashChain.headAfter(batch.get(batch.size() - 1).entry);
      durableListener.accept(durable, batch.stream().map(pending -> pending.entry).toList());
      // Waiters may append from their callbacks; that starts the next batch, and the writeNext below is a no-op.
      batch.stream().filter(Pending::durable).forEach(pending -> pending.waiter.complete(pending.entry.receipt()));
      writeNext();
      publishPending();
      return;
    }
    // Mark recovery first so appends from the failed waiters' callbacks queue up instead of writing behind a
    // head that may be wrong.
    recovering = true;
    long first = batch.get(0).entry.index();
    LOG.error("audit batch of entries {}..{} failed; re-reading the head", first, first + batch.size() - 1,
        result.cause());
    long acknowledged = batch.stream().filter(pending -> !pending.durable()).count();
    if (acknowledged > 0) {
      LOG.error("{} already-acknowledged audit entries of that batch may not have been written", acknowledged);
    }
    batch.stream().filter(Pending::durable).forEach(pending -> pending.waiter.fail(result.cause()));
    recover();
  }

  /** Re-reads the head and re-seals the queue behind it; retries while MongoDB is unreachable. */
  private void recover() {
    readHead().onComplete(result -> onLogThread(() -> {
      if (result.succeeded()) {
        recovering = false;
        durable = result.result();
        tip = durable;
        durableListener.accept(durable, List.of());
        // At another index an entry's canonical form changes length, so one just under the size limit may now be
        // over it; such an entry is refused rather than left sealed behind the wrong head.
        Map<Pending, IllegalArgumentException> refused = new LinkedHashMap<>();
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
          Pending pending = it.next();
          try {
            pending.sealAfter(tip);
            tip = HashChain.headAfter(pending.entry);
          } catch (IllegalArgumentException e) {
            it.remove();
            refused.put(pending, e);
          }
        }
        writeNext();
        publishPending();
        refused.forEach((pending, reason) -> {
          LOG.error("audit entry dropped on re-sealing: {}", reason.getMessage());
          if (pending.durable()) {
            pending.waiter.fail(reason);
          }
        });
        return;
      }
      LOG.error("cannot re-read the audit log head; {} entries wait", queue.size(), result.cause());
      // Durable callers learn now rather than at their timeout; their entries must then never be written. Removed
      // before failing them, because their callbacks may append to the queue.
      List<Pending> refused = queue.stream().filter(Pending::durable).toList();
      queue.removeIf(Pending::durable);
      refused.forEach(pending -> pending.waiter.fail(result.cause()));
      publishPending();
      if (drained != null) {
        if (!queue.isEmpty()) {
          LOG.error("closing with {} audit entries unwritten", queue.size());
        }
        queue.clear();
        drained.tryFail(result.cause());
        return;
      }
      context.owner().setTimer(RECOVERY_RETRY_MS, timer -> recover());
    }));
  }

  private Future<AuditHead> readHead() {
    FindOptions last = new FindOptions().setSort(new JsonObject().put("_id", -1)).setLimit(1);
    return Future.succeededFuture()
        .compose(v -> mongo.findWithOptions(AuditEntry.COLLECTION, new JsonObject(), last))
        .map(docs -> docs.isEmpty() ? HashChain.EMPTY : HashChain.headAfter(HashChain.verifiedEntry(docs.get(0))));
  }

  private static IndexModel index(String field) {
    return new IndexModel().setKey(new JsonObject().put(field, 1).put("_id", 1));
  }

  /** MongoDB answers on the log's context, but a barrier may complete on any thread (e.g. a worker's). */
  private void onLogThread(Runnable action) {
    if (Thread.currentThread() == thread) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private void requireLogThread() {
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException("AuditLog must be called on the event-loop context that started it");
    }
  }

  /** One accepted entry: what was asked and when, its current seal, and who awaits its durability. */
  private static final class Pending {
    final AuditRecord record;
    final Instant at;
    /** Null for a caller that was answered at once. */
    final Promise<AuditReceipt> waiter;
    AuditEntry entry;

    Pending(AuditRecord record, Instant at, Promise<AuditReceipt> waiter) {
      this.record = record;
      this.at = at;
      this.waiter = waiter;
    }

    void sealAfter(AuditHead head) {
      entry = HashChain.next(head, record, at);
    }

    boolean durable() {
      return waiter != null;
    }
  }
}
