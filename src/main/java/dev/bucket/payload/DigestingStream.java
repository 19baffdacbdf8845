package dev.bucket.payload;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Wraps an upload so that every buffer is digested before it is passed on and the stream fails with
 * {@link PayloadTooLargeException} the moment more than {@code maxBytes} arrive. After that failure the source stays
 * paused and anything it still delivers is dropped, so nothing past the limit is ever written.
 */
final class DigestingStream implements ReadStream<Buffer> {

  private final ReadStream<Buffer> source;
  private final long maxBytes;
  private final PayloadDigest digest;
  private Handler<Throwable> exceptionHandler;
  private boolean failed;

  DigestingStream(ReadStream<Buffer> source, long maxBytes, PayloadDigest digest) {
    this.source = source;
    this.maxBytes = maxBytes;
    this.digest = digest;
  }

  @Override
  public DigestingStream handler(Handler<Buffer> handler) {
    if (handler == null) {
      source.handler(null);
      return this;
    }
    source.handler(buffer -> {
      if (failed) {
        return;
      }
      if (digest.size() + buffer.length() > maxBytes) {
        fail(new PayloadTooLargeException(maxBytes));
        return;
      }
      digest.update(buffer);
      handler.handle(buffer);
    });
    return this;
  }

  @Override
  public DigestingStream exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    source.exceptionHandler(handler == null ? null : this::fail);
    return this;
  }

  @Override
  public DigestingStream endHandler(Handler<Void> handler) {
    source.endHandler(handler);
    return this;
  }

  @Override
  public DigestingStream pause() {
    source.pause();
    return this;
  }

  @Override
  public DigestingStream resume() {
    if (!failed) {
      source.resume();
    }
    return this;
  }

  @Override
  public DigestingStream fetch(long amount) {
    if (!failed) {
      source.fetch(amount);
    }
    return this;
  }

  private void fail(Throwable cause) {
    if (failed) {
      return;
    }
    failed = true;
    source.pause();
    Handler<Throwable> handler = exceptionHandler;
    if (handler != null) {
      handler.handle(cause);
    }
  }
}
