package dev.bucket.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.h2.mvstore.MVStore;

/**
 * Group-commit barrier for the embedded store: one commit + fsync covers every caller that arrived before it
 * started, so N concurrent writers cost one fsync, not N. Runs on worker threads; callers get a Future bound to
 * their own context.
 */
final class MvStoreBarrier implements DurabilityBarrier {

  private final Vertx vertx;
  private final MVStore store;
  private long requested;
  private long durable;
  private boolean syncing;

  MvStoreBarrier(Vertx vertx, MVStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  @Override
  public Future<Void> sync() {
    return vertx.executeBlocking(() -> {
      awaitDurable();
      return null;
    }, false);
  }

  private void awaitDurable() throws InterruptedException {
    long target;
    synchronized (this) {
      long ticket = ++requested;
      while (durable < ticket && syncing) {
        wait();
      }
      if (durable >= ticket) {
        return;
      }
      syncing = true;
      target = requested;
    }
    try {
      store.commit();
      store.sync();
    } finally {
      synchronized (this) {
        syncing = false;
        notifyAll();
      }
    }
    synchronized (this) {
      durable = Math.max(durable, target);
    }
  }
}
