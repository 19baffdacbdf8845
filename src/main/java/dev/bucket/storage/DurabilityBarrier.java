package dev.bucket.storage;

import io.vertx.core.Future;

/**
 * Makes every write that has completed so far durable on stable storage.
 *
 * <p>An external MongoDB replica set is written with a journaled majority write concern, so its barrier is a
 * no-op. The embedded mongo-java-server keeps writes in an H2 MVStore that commits in the background about once a
 * second; its barrier commits and fsyncs the store. Callers await the barrier after their writes and before they
 * acknowledge anything.
 */
public interface DurabilityBarrier {

  /** Completes once every write that completed before this call is on stable storage. */
  Future<Void> sync();

  DurabilityBarrier NONE = Future::succeededFuture;
}
