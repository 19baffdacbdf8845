package dev.bucket.gate;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * One multipart part's bytes as a {@link ReadStream}, fed by {@link MultipartParser} from the request. Bytes its
 * reader has no demand for wait here, and the request is paused until they are taken: backpressure from the payload
 * store reaches the client's socket, and at most a chunk or two is ever held. {@link #fail} aborts the reader (the
 * payload store then deletes what it wrote). Runs on the request's event loop only.
 */
final class PartStream implements ReadStream<Buffer> {

  private final HttpServerRequest request;
  private final SlowClients.Hold hold;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private boolean ended;
  private boolean finished;
  private boolean pausedRequest;

  /** {@code hold} is told while this stream keeps the request paused: that time is the gateway's, not the client's. */
  PartStream(HttpServerRequest request, SlowClients.Hold hold) {
    this.request = request;
    this.hold = hold;
  }

  /** The next bytes of the part. */
  void write(Buffer bytes) {
    if (finished) {
      return;
    }
    queue.add(bytes);
    drain();
    if (!queue.isEmpty() && !pausedRequest) {
      pausedRequest = true;
      hold.held(true);
      request.pause();
    }
  }

  /** The part is complete. */
  void end() {
    ended = true;
    drain();
  }

  /** The upload failed elsewhere (a malformed body, the client gone): the reader is told and nothing more flows. */
  void fail(Throwable cause) {
    if (finished) {
      return;
    }
    finished = true;
    queue.clear();
    if (exceptionHandler != null) {
      exceptionHandler.handle(cause);
    }
  }

  private void drain() {
    while (demand > 0 && !queue.isEmpty() && handler != null && !finished) {
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(queue.poll());
    }
    if (!queue.isEmpty() || finished) {
      return;
    }
    if (pausedRequest) {
      pausedRequest = false;
      hold.held(false);
      request.resume();
    }
    if (ended && demand > 0 && endHandler != null) {
      finished = true;
      endHandler.handle(null);
    }
  }

  @Override
  public PartStream exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    return this;
  }

  @Override
  public PartStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    return this;
  }

  @Override
  public PartStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public PartStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public PartStream fetch(long amount) {
    demand = Long.MAX_VALUE - demand <= amount ? Long.MAX_VALUE : demand + amount;
    drain();
    return this;
  }

  @Override
  public PartStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }
}
