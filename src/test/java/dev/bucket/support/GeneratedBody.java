package dev.bucket.support;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * A request body made on demand: a head, {@code payloadSize} pseudo-random bytes, a tail. It honours pause, resume
 * and fetch, so a large upload costs the test a few small buffers, and it hashes the payload as it goes.
 */
public final class GeneratedBody implements ReadStream<Buffer> {

  private static final int SLICE = 64 * 1024;

  private final Context context;
  private final Buffer head;
  private final long payloadSize;
  private final Buffer tail;
  private final Random random = new Random(42);
  private final MessageDigest digest;
  private long demand = Long.MAX_VALUE;
  private long produced;
  private int stage;
  private boolean scheduled;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;

  public GeneratedBody(Context context, Buffer head, long payloadSize, Buffer tail) {
    this.context = context;
    this.head = head;
    this.payloadSize = payloadSize;
    this.tail = tail;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public long length() {
    return head.length() + payloadSize + tail.length();
  }

  /** The payload's content hash, valid once the body has been fully produced. */
  public String payloadHash() {
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public GeneratedBody handler(Handler<Buffer> handler) {
    this.handler = handler;
    schedule();
    return this;
  }

  @Override
  public GeneratedBody endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public GeneratedBody exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public GeneratedBody pause() {
    demand = 0;
    return this;
  }

  @Override
  public GeneratedBody resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public GeneratedBody fetch(long amount) {
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    schedule();
    return this;
  }

  private void schedule() {
    if (!scheduled && handler != null) {
      scheduled = true;
      context.runOnContext(v -> {
        scheduled = false;
        pump();
      });
    }
  }

  private void pump() {
    for (int i = 0; i < 16 && demand > 0 && stage < 3; i++) {
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(next());
    }
    if (stage == 3) {
      stage = 4;
      if (endHandler != null) {
        endHandler.handle(null);
      }
    } else if (stage < 3 && demand > 0) {
      schedule();
    }
  }

  private Buffer next() {
    if (stage == 0) {
      stage = 1;
      return head;
    }
    if (stage == 1 && produced < payloadSize) {
      byte[] bytes = new byte[(int) Math.min(SLICE, payloadSize - produced)];
      random.nextBytes(bytes);
      digest.update(bytes);
      produced += bytes.length;
      if (produced == payloadSize) {
        stage = 2;
      }
      return Buffer.buffer(bytes);
    }
    stage = 3;
    return tail;
  }
}
