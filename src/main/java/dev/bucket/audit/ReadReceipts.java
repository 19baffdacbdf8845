package dev.bucket.audit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;

/**
 * Read receipts: successful reads reach the audit log as one entry per reader, product and operation per window
 * (see {@link ReceiptWindow}), not one entry per read, so a read costs a counter instead of a log entry and the
 * reads ceiling is not bounded by the log's write rate (docs/decisions/0008-read-receipts.md).
 *
 * <p>A read is served only once {@link #record} has taken it: its receipt then waits in memory for the window to
 * close, exactly as a single entry used to wait in the audit writer's queue. Memory is bounded by {@code capacity}
 * distinct targets (open window plus closed receipts not yet accepted by the log); when it is full, {@link #record}
 * refuses, and the caller answers 503 rather than serve a read it cannot record. A receipt the log refuses (queue
 * full) or does not answer in time is kept and offered again at the next tick, in order, so none is lost; after a
 * timeout the log may hold it twice, which overstates a count and never hides a read.
 *
 * <p>Thread-safe: any event loop may record; the flush runs on the context that called {@link #start()}.
 */
public final class ReadReceipts {

  /** One successful read: who read which target ({@code artifactId} null and {@code version} 0 for a listing). */
  public record Read(String actor, String product, String operation, String artifactId, int version,
                     String contentHash) {
  }

  /** Most targets one entry lists, which keeps every receipt entry small. */
  static final int MAX_ITEMS_PER_ENTRY = 100;

  private static final Logger LOG = LoggerFactory.getLogger(ReadReceipts.class);

  private final Vertx vertx;
  private final AuditClient audit;
  private final Clock clock;
  private final long windowMs;
  private final int capacity;

  // Guarded by this.
  private ReceiptWindow open;
  private final ArrayDeque<ReceiptWindow.Receipt> closed = new ArrayDeque<>();
  private int closedTargets;
  private long refused;
  /** Set by {@link #stop()}: a read recorded after the last flush would go unrecorded, so none is taken. */
  private boolean stopped;

  /** How long {@link #stop()} keeps offering receipts to a log that refuses them. */
  static final long STOP_DEADLINE_MS = 10_000;

  // Only on the flushing context.
  private io.vertx.core.Context context;
  private long timer = -1;
  private long stopDeadline;
  private boolean sending;
  private boolean failing;
  private Promise<Void> drained;

  /**
   * @param windowMs how long reads are gathered before their receipts go to the log
   * @param capacity most distinct targets held at once (open window plus receipts the log has not yet accepted)
   */
  public ReadReceipts(Vertx vertx, AuditClient audit, Clock clock, long windowMs, int capacity) {
    if (windowMs < 1 || capacity < 1) {
      throw new IllegalArgumentException("window and capacity must be positive");
    }
    this.vertx = vertx;
    this.audit = audit;
    this.clock = clock;
    this.windowMs = windowMs;
    this.capacity = capacity;
    this.open = new ReceiptWindow(clock.instant());
  }

  /** Starts closing a window every {@code windowMs} on the calling context. */
  public void start() {
    context = vertx.getOrCreateContext();
    timer = vertx.setPeriodic(windowMs, id -> flush());
  }

  /**
   * Takes a read into the open window. False when the buffer is full (the audit log has fallen behind) or receipts
   * have stopped: the caller must not serve the read.
   */
  public synchronized boolean record(Read read) {
    if (stopped || open.targets() + closedTargets >= capacity && open.isNew(read)) {
      refused++;
      return false;
    }
    open.add(read);
    return true;
  }

  /** Distinct targets held (open window plus receipts not yet accepted by the log). */
  public synchronized int pending() {
    return open.targets() + closedTargets;
  }

  /** Reads refused because the buffer was full, since start. */
  public synchronized long refused() {
    return refused;
  }

  /**
   * Stops the timer and completes once every receipt held has been accepted by the log, retrying each window; fails
   * after {@link #STOP_DEADLINE_MS} if the log keeps refusing, saying how many reads went unrecorded.
   */
  public Future<Void> stop() {
    synchronized (this) {
      stopped = true;
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      stopDeadline = System.currentTimeMillis() + STOP_DEADLINE_MS;
      drained = done;
      flush();
    });
    return done.future();
  }

  private void flush() {
    synchronized (this) {
      if (!open.isEmpty()) {
        for (ReceiptWindow.Receipt receipt : open.close(clock.instant(), MAX_ITEMS_PER_ENTRY)) {
          closed.add(receipt);
          closedTargets += receipt.targets();
        }
        open = new ReceiptWindow(clock.instant());
      }
    }
    if (!sending) {
      sendNext();
    }
  }

  /** Offers the oldest receipt to the log; one at a time, so receipts reach the log in the order they closed. */
  private void sendNext() {
    ReceiptWindow.Receipt next;
    synchronized (this) {
      next = closed.peek();
    }
    if (next == null) {
      sending = false;
      if (drained != null) {
        drained.tryComplete();
      }
      return;
    }
    sending = true;
    audit.appendAccepted(next.record()).onComplete(result -> {
      if (result.succeeded()) {
        synchronized (this) {
          closed.poll();
          closedTargets -= next.targets();
        }
        failing = false;
        sendNext();
        return;
      }
      if (!failing) {
        LOG.warn("read receipts wait for the audit log ({}); reads are refused once {} targets are held",
            result.cause().getMessage(), capacity);
        failing = true;
      }
      sending = false;
      if (drained != null) {
        // Stopping: no timer any more, so retry on our own, within the deadline.
        if (System.currentTimeMillis() < stopDeadline) {
          vertx.setTimer(windowMs, id -> flush());
        } else {
          int lost = pending();
          LOG.error("stopping with {} read receipt targets the audit log did not accept", lost);
          drained.tryFail(new IllegalStateException(lost + " read receipt targets were not recorded"));
        }
      }
    });
  }
}
