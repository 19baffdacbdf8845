package dev.bucket.audit;

import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
 * immediately. Exactly one batch is written at a time, so the log reaches the store in order: while it is in flight
 * new entries accumulate, and when it completes the next (up to {@code maxBatch} entries) is written as one atomic,
 * durable {@link Store#commit} with the entries' secondary keys ({@link AuditIndex}), after which that batch's
 * durable waiters are answered.
 *
 * <p>An entry may carry writes of its own ({@link #append(AuditRecord, boolean, Batch)}): an artifact version, its
 * index keys and its inline payload travel with their commit entry, so a batch of creates is one commit and one
 * durability point for the versions and their entries together, and neither can exist without the other.
 *
 * <p>Each entry is inserted, never overwritten: should another writer have taken an index, the whole batch fails
 * and nothing of it is written. When a batch fails its durable waiters fail, the head is re-read from the store and
 * every queued entry is re-sealed behind the real head, so the log never has a gap or a fork. Receipts already handed
 * to non-durable callers for re-sealed entries are then stale; that is the price of answering them before the write.
 * A batch refused only because one entry inserts a key that is taken (a second commit entry for a version, a version
 * or Idempotency-Key another writer stored first) is the exception: that entry alone fails with the
 * {@link KeyConflictException}, and the rest of the batch is re-sealed and written again.
 *
 * <p>Not thread-safe by design: {@link #start()} binds it to the calling event-loop context, and every method must be
 * called on that context.
 */
public final class AuditLog {

  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  /** How long to wait before re-reading the head again while the store is unavailable. */
  private static final long RECOVERY_RETRY_MS = 1000;

  private final Store store;
  private final Clock clock;
  private final int capacity;
  private final int maxBatch;

  /** Sealed entries not yet handed to the store, in index order. */
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
  /** Refusals to answer once a later batch has been written (see {@link #refuseTaken}). */
  private List<Runnable> afterNextBatch = new ArrayList<>();
  private long batchesWritten;
  /** Set by {@link #close()}: completes once everything accepted has been written. */
  private Promise<Void> drained;
  /** Told of every entry that becomes durable, in order, and of the head after a failed batch. */
  private BiConsumer<AuditHead, List<byte[]>> durableListener = (head, entries) -> { };

  /**
   * @param capacity most entries accepted but not yet written (queued plus in flight); beyond it appends fail with
   *                 {@link AuditBackpressureException}
   * @param maxBatch most entries written by one commit
   */
  public AuditLog(Store store, Clock clock, int capacity, int maxBatch) {
    if (capacity < 1 || maxBatch < 1) {
      throw new IllegalArgumentException("capacity and maxBatch must be positive");
    }
    this.store = store;
    this.clock = clock;
    this.capacity = capacity;
    this.maxBatch = maxBatch;
  }

  /**
   * Binds the log to the calling context and reads the head: the last stored entry, one reverse read. Fails with
   * {@link AuditTamperedException} if that entry does not hash to its stored hash.
   */
  public Future<Void> start() {
    context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      throw new IllegalStateException("AuditLog must be started on an event-loop context");
    }
    thread = Thread.currentThread();
    return readHead().map(head -> {
      durable = head;
      tip = head;
      return null;
    });
  }

  /**
   * Seals and queues one entry. With {@code awaitDurable} the receipt comes once the entry is committed; otherwise at
   * once.
   */
  public Future<AuditReceipt> append(AuditRecord record, boolean awaitDurable) {
    return append(record, awaitDurable, new Batch());
  }

  /**
   * Seals and queues one entry whose batch also commits {@code with}, all or nothing. With {@code awaitDurable} the
   * receipt comes once both are durable; a key {@code with} inserts that is taken fails this entry alone with
   * {@link KeyConflictException}.
   */
  public Future<AuditReceipt> append(AuditRecord record, boolean awaitDurable, Batch with) {
    requireLogThread();
    if (!awaitDurable && !with.isEmpty()) {
      // A caller answered before the write could not learn that its writes were refused.
      throw new IllegalArgumentException("writes that go with an entry need a durable append");
    }
    if (drained != null) {
      return Future.failedFuture(new IllegalStateException("audit log is closed"));
    }
    if (queue.size() + inFlight >= capacity) {
      return Future.failedFuture(new AuditBackpressureException(capacity));
    }
    Pending pending = new Pending(record, with, clock.instant(), awaitDurable ? Promise.promise() : null);
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
   * new head and the leaf hashes of the batch's entries, and after a failed batch with the re-read head and none.
   */
  public void onDurable(BiConsumer<AuditHead, List<byte[]>> listener) {
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

  /** Batches written successfully so far: each one store commit. */
  public long batchesWritten() {
    requireLogThread();
    return batchesWritten;
  }

  /**
   * Refuses further appends and completes once every accepted entry has been written. Fails, answering the
   * remaining waiters, if the store is unavailable at the time.
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
    Batch writes = new Batch();
    while (batch.size() < maxBatch && !queue.isEmpty()) {
      Pending pending = queue.poll();
      batch.add(pending);
      writes.addAll(pending.writes);
    }
    inFlight = batch.size();
    // Started inside compose so that a store that throws (e.g. once closed) fails the batch instead of leaving it in
    // flight forever.
    Future.succeededFuture()
        .compose(v -> store.commit(writes))
        .onComplete(result -> batchDone(batch, result));
  }

  private void batchDone(List<Pending> batch, AsyncResult<Void> result) {
    List<Runnable> deferred = afterNextBatch;
    afterNextBatch = new ArrayList<>();
    try {
      batchEnded(batch, result);
    } finally {
      // Held over while batches keep failing and another is under way: the winner is stored by the first that lands.
      if (result.succeeded() || inFlight == 0) {
        deferred.forEach(Runnable::run);
      } else {
        afterNextBatch.addAll(0, deferred);
      }
    }
  }

  private void batchEnded(List<Pending> batch, AsyncResult<Void> result) {
    inFlight = 0;
    publishPending();
    if (result.succeeded()) {
      batchesWritten++;
      durable = HashChain.headAfter(batch.get(batch.size() - 1).entry);
      durableListener.accept(durable, batch.stream().map(pending -> pending.leafHash).toList());
      // Waiters may append from their callbacks; that starts the next batch, and the writeNext below is a no-op.
      batch.stream().filter(Pending::durable).forEach(pending -> pending.waiter.complete(pending.entry.receipt()));
      writeNext();
      publishPending();
      return;
    }
    // Mark recovery first so appends from the failed waiters' callbacks queue up instead of writing behind a
    // head that may be wrong.
    recovering = true;
    Pending taken = refusedBy(batch, result.cause());
    if (taken != null) {
      refuseTaken(batch, taken, (KeyConflictException) result.cause());
      return;
    }
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

  /**
   * The entry of {@code batch} that inserts the key {@code failure} names as taken, or null if the batch failed for
   * another reason. The last such entry: when two entries of a batch insert the same key the first may stand.
   */
  private static Pending refusedBy(List<Pending> batch, Throwable failure) {
    // A taken entry index is no one entry's fault: another writer appended, and the head must be re-read.
    if (!(failure instanceof KeyConflictException conflict) || conflict.space() == Space.AUDIT) {
      return null;
    }
    for (int i = batch.size() - 1; i >= 0; i--) {
      if (batch.get(i).writes.inserts(conflict.space(), conflict.key())) {
        return batch.get(i);
      }
    }
    return null;
  }

  /**
   * Nothing of the batch was written, so the durable head stands: the entry whose insert was taken alone is
   * refused, and the rest goes back to the head of the queue to be re-sealed and written again.
   */
  private void refuseTaken(List<Pending> batch, Pending taken, KeyConflictException conflict) {
    // A writer that lost a race is routine (the client gets 409, 412 or its replay); a second commit entry is not.
    if (conflict.space() == Space.AUDIT_INDEX) {
      LOG.error("audit entry {} refused: a commit entry for {} exists already", taken.entry.index(),
          taken.entry.commitKey());
    }
    for (int i = batch.size() - 1; i >= 0; i--) {
      if (batch.get(i) != taken) {
        queue.addFirst(batch.get(i));
      }
    }
    publishPending();
    if (taken.durable()) {
      // The key may be taken by another entry of this very batch, which is only now written again: its loser must
      // not hear of the refusal before the winner is stored, or its lookup of the winner finds nothing.
      if (batch.size() > 1) {
        afterNextBatch.add(() -> taken.waiter.fail(conflict));
      } else {
        taken.waiter.fail(conflict);
      }
    }
    reseal();
  }

  /** Re-reads the head and re-seals the queue behind it; retries while the store is unavailable. */
  private void recover() {
    readHead().onComplete(result -> {
      if (result.succeeded()) {
        durable = result.result();
        durableListener.accept(durable, List.of());
        reseal();
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
    });
  }

  /** Re-seals the queue behind the durable head and resumes writing. */
  private void reseal() {
    recovering = false;
    tip = durable;
    // At another index an entry's canonical form changes length, so one just under the size limit may now be over
    // it; such an entry is refused rather than left sealed behind the wrong head.
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
  }

  /** The head after the entry under the largest key: one reverse read, however long the log. */
  private Future<AuditHead> readHead() {
    return Future.succeededFuture()
        .compose(v -> store.scan(Space.AUDIT, null, null, 1, true))
        .map(last -> last.isEmpty() ? HashChain.EMPTY
            : HashChain.headAfter(HashChain.verifiedEntry(last.get(0).key(), last.get(0).value())));
  }

  private void requireLogThread() {
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException("AuditLog must be called on the event-loop context that started it");
    }
  }

  /**
   * One accepted entry: what was asked and when, the writes that go with it, its current seal and writes, and who
   * awaits its durability.
   */
  private static final class Pending {
    final AuditRecord record;
    final Batch with;
    final Instant at;
    /** Null for a caller that was answered at once. */
    final Promise<AuditReceipt> waiter;
    AuditEntry entry;
    byte[] leafHash;
    Batch writes;

    Pending(AuditRecord record, Batch with, Instant at, Promise<AuditReceipt> waiter) {
      this.record = record;
      this.with = with;
      this.at = at;
      this.waiter = waiter;
    }

    void sealAfter(AuditHead head) {
      HashChain.Sealed sealed = HashChain.seal(head, record, at);
      entry = sealed.entry();
      leafHash = sealed.leafHash();
      // The entry's own writes go last: a store names the first insert it finds taken, and a version (or its
      // Idempotency-Key) that another writer stored is what its caller needs to hear of, not the commit key that
      // follows from it.
      writes = new Batch().addAll(with).addAll(AuditIndex.write(sealed));
    }

    boolean durable() {
      return waiter != null;
    }
  }
}
