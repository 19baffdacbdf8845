package dev.bucket.payload;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.util.SplittableRandom;

/**
 * An upload body produced on demand: deterministic pseudo-random pieces are generated only while there is demand,
 * a few per event-loop turn, like a network stream. Nothing but the piece being emitted is ever held in memory, so a
 * store that ignored backpressure would show up as buffers piling up on its side, not here. Optionally ends with an
 * error instead of an end, to model a dropped connection.
 */
final class GeneratedSource implements ReadStream<Buffer> {

  private static final int PIECES_PER_TURN = 8;

  private final Context context;
  private final long total;
  private final int pieceSize;
  private final long seed;
  private final Throwable failure;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private long emitted;
  private long pieceIndex;
  private boolean scheduled;
  private boolean finished;

  GeneratedSource(Context context, long total, int pieceSize, long seed, Throwable failure) {
    this.context = context;
    this.total = total;
    this.pieceSize = pieceSize;
    this.seed = seed;
    this.failure = failure;
  }

  GeneratedSource(Context context, long total, int pieceSize, long seed) {
    this(context, total, pieceSize, seed, null);
  }

  /** The bytes such a source emits; for small sizes, to compare against what a store returns. */
  static byte[] bytes(int total, int pieceSize, long seed) {
    byte[] all = new byte[total];
    for (int offset = 0, index = 0; offset < total; offset += pieceSize, index++) {
      byte[] piece = piece(seed, index, Math.min(pieceSize, total - offset));
      System.arraycopy(piece, 0, all, offset, piece.length);
    }
    return all;
  }

  static byte[] piece(long seed, long index, int length) {
    byte[] piece = new byte[length];
    new SplittableRandom(seed * 1_000_003 + index).nextBytes(piece);
    return piece;
  }

  Context context() {
    return context;
  }

  /** Bytes handed to the consumer so far. */
  long emitted() {
    return emitted;
  }

  @Override
  public GeneratedSource handler(Handler<Buffer> handler) {
    this.handler = handler;
    schedule();
    return this;
  }

  @Override
  public GeneratedSource endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public GeneratedSource exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public GeneratedSource pause() {
    demand = 0;
    return this;
  }

  @Override
  public GeneratedSource resume() {
    demand = Long.MAX_VALUE;
    schedule();
    return this;
  }

  @Override
  public GeneratedSource fetch(long amount) {
    demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
    schedule();
    return this;
  }

  private void schedule() {
    if (!scheduled && !finished) {
      scheduled = true;
      context.runOnContext(v -> {
        scheduled = false;
        emit();
      });
    }
  }

  private void emit() {
    for (int turn = 0; turn < PIECES_PER_TURN && demand > 0 && handler != null && emitted < total; turn++) {
      int length = (int) Math.min(pieceSize, total - emitted);
      Buffer piece = Buffer.buffer(piece(seed, pieceIndex++, length));
      emitted += length;
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(piece);
    }
    if (demand == 0 || handler == null) {
      return;
    }
    if (emitted < total) {
      schedule();
    } else if (!finished) {
      finished = true;
      if (failure != null) {
        if (exceptionHandler != null) {
          exceptionHandler.handle(failure);
        }
      } else if (endHandler != null) {
        endHandler.handle(null);
      }
    }
  }
}
