package dev.bucket.storage;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on an external MongoDB (replica set), through the Vert.x MongoDB client, written with a majority
 * write concern. Each {@link Space} is a collection of {@code {_id: key, v: value}} documents; the {@code _id} index
 * is the key order (MongoDB compares strings by their UTF-8 bytes), so scans are {@code _id} range queries.
 *
 * <p>A batch is made atomic by a write-ahead intent ({@link MongoIntent}): stored whole as one document, applied,
 * then deleted. The intents of a node that died are applied on open, and any other node applies them once they are
 * {@link #STALE_INTENT_MS} old: by then their writer is taken to be gone, since its writes time out much sooner. A
 * batch whose writes failed on this node (MongoDB unreachable) is applied again in the background, and until that
 * succeeds new batches are refused: applied later, its puts would overwrite theirs. Readers may see a batch half
 * applied while it is being written.
 *
 * <p>Batches of this node writing a common key are applied in the order they arrived (counter increments, which
 * commute, excepted). At most {@link #MAX_WRITING} are written at once and {@link #MAX_PENDING} accepted (written or
 * waiting); beyond that, commits fail fast with {@link StoreUnavailableException}, as do calls MongoDB does not
 * answer (socket failures, timeouts).
 */
public final class MongoStore implements Store {

  private static final Logger LOG = LoggerFactory.getLogger(MongoStore.class);
  /** Batches written at once: each costs a few round trips, so this many keep the replica set busy. */
  static final int MAX_WRITING = 64;
  /** Batches accepted, written or waiting (as many as the embedded store queues). */
  static final int MAX_PENDING = 20_000;
  /** Age from which another node's intent is taken as abandoned and applied here. */
  static final long STALE_INTENT_MS = 30_000;
  /** Pause between attempts at this node's own failed batches. */
  private static final long RETRY_MS = 1_000;
  /** Intents applied per recovery pass; a pass is followed by another while some are left. */
  private static final int RECOVERY_PAGE = 1_000;
  private static final JsonObject VALUE = new JsonObject().put("v", 1);
  private static final JsonObject ID_AND_AGE = new JsonObject().put("_id", 1).put("at", 1);
  private static final JsonObject ID_AGE_DONE = ID_AND_AGE.copy().put("done", 1);

  private final Vertx vertx;
  private final MongoClient client;
  private final int maxWriting;
  private final int maxPending;
  private final SecureRandom ids = new SecureRandom();
  /** Commits accepted and background work running; close waits for none. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Promise<Void> drained = Promise.promise();
  /** The last commit writing each key ({@code space/key}), for per-key order. Guarded by itself. */
  private final Map<String, Future<Void>> lastWriter = new HashMap<>();
  /** Commits ready to write while {@link #maxWriting} are writing. Guarded by itself. */
  private final ArrayDeque<Promise<Void>> waitingToWrite = new ArrayDeque<>();
  private int writing;
  /** Batches this store is applying now: no recovery pass applies them too. */
  private final Set<Long> applying = ConcurrentHashMap.newKeySet();
  /** This store's batches whose writes failed and whose intents may be left: new commits wait for their repair. */
  private final Set<Long> unrepaired = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean recovering = new AtomicBoolean();
  private final AtomicBoolean retryScheduled = new AtomicBoolean();
  private volatile long sweepTimer = -1;
  private volatile boolean closed;
  private Future<Void> closing;

  private MongoStore(Vertx vertx, MongoClient client, int maxWriting, int maxPending) {
    this.vertx = vertx;
    this.client = client;
    this.maxWriting = maxWriting;
    this.maxPending = maxPending;
  }

  /**
   * Connects to {@code connectionString} (a replica set, for majority writes to mean anything) and applies the
   * intents left by a node that died, before the store is used.
   */
  public static Future<MongoStore> open(Vertx vertx, String connectionString, String database) {
    return open(vertx, new JsonObject().put("connection_string", connectionString).put("db_name", database),
        MAX_WRITING, MAX_PENDING);
  }

  static Future<MongoStore> open(Vertx vertx, JsonObject clientOptions, int maxWriting, int maxPending) {
    // Majority (journaled by the server's default) so an acknowledged batch survives the loss of a node.
    MongoClient client = MongoClient.create(vertx, clientOptions.copy().put("writeConcern", "MAJORITY"));
    MongoStore store = new MongoStore(vertx, client, maxWriting, maxPending);
    return store.recoverLeftovers().map(v -> {
          store.sweepTimer = vertx.setPeriodic(STALE_INTENT_MS, id -> store.recover());
          return store;
        })
        .recover(e -> store.close().transform(v -> Future.failedFuture(unavailableOr(e))));
  }

  /** The client, for GridFS payloads in the same database. */
  public MongoClient client() {
    return client;
  }

  @Override
  public Future<Void> commit(Batch batch) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    MongoIntent intent;
    try {
      intent = MongoIntent.of(batch, ids.nextLong(), System.currentTimeMillis());
    } catch (KeyConflictException | IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (!unrepaired.isEmpty()) {
      return Future.failedFuture(new StoreUnavailableException("an earlier batch is being written again"));
    }
    if (!enter(maxPending)) {
      return Future.failedFuture(new StoreUnavailableException(closed ? "store closed"
          : "more than " + maxPending + " batches waiting to be written"));
    }
    Context caller = vertx.getOrCreateContext();
    Promise<Void> result = Promise.promise();
    // A commit takes a writing slot only once its earlier writers are done, so no slot waits on a waiting commit.
    afterEarlierWriters(intent, result.future())
        .compose(v -> slotToWrite())
        .compose(v -> (unrepaired.isEmpty() ? write(intent)
            : Future.<Void>failedFuture(new StoreUnavailableException("an earlier batch is being written again")))
            .onComplete(ar -> releaseSlot()))
        .onComplete(ar -> {
          result.handle(ar);
          exit();
        });
    return onContext(caller, result.future());
  }

  private Future<Void> slotToWrite() {
    synchronized (waitingToWrite) {
      if (writing < maxWriting) {
        writing++;
        return Future.succeededFuture();
      }
      Promise<Void> slot = Promise.promise();
      waitingToWrite.add(slot);
      return slot.future();
    }
  }

  /** Hands the slot to the next waiting commit, if any. */
  private void releaseSlot() {
    Promise<Void> next;
    synchronized (waitingToWrite) {
      next = waitingToWrite.poll();
      if (next == null) {
        writing--;
      }
    }
    if (next != null) {
      next.complete();
    }
  }

  /**
   * Completes when every earlier commit writing a key of {@code intent} has completed, and makes {@code done} the
   * last writer of its keys.
   */
  private Future<Void> afterEarlierWriters(MongoIntent intent, Future<Void> done) {
    Set<String> keys = new LinkedHashSet<>();
    for (Batch.Op op : intent.ops()) {
      if (op.kind() != Batch.Kind.INCREMENT) { // counters commute: a hot counter must not serialise the node
        keys.add(op.space().storeName() + '/' + op.key());
      }
    }
    List<Future<Void>> earlier = new ArrayList<>();
    synchronized (lastWriter) {
      for (String key : keys) {
        Future<Void> previous = lastWriter.put(key, done);
        if (previous != null) {
          earlier.add(previous);
        }
      }
    }
    done.onComplete(ar -> {
      synchronized (lastWriter) {
        keys.forEach(key -> lastWriter.remove(key, done));
      }
    });
    return earlier.isEmpty() ? Future.succeededFuture() : Future.join(earlier).transform(ar -> Future.succeededFuture());
  }

  private Future<Void> write(MongoIntent intent) {
    long id = intent.id();
    applying.add(id);
    return client.insert(MongoIntent.COLLECTION, intent.document())
        .recover(e -> {
          if (MongoErrors.isUnavailable(e)) {
            unrepaired.add(id); // it may have been stored all the same
            scheduleRetry();
          }
          return Future.failedFuture(unavailableOr(e));
        })
        .compose(v -> intent.apply(client).recover(e -> {
          if (!(e instanceof KeyConflictException)) {
            LOG.warn("batch {} half written; it is written again in the background", id, e);
            unrepaired.add(id);
            scheduleRetry();
          }
          return Future.failedFuture(unavailableOr(e));
        }))
        .onSuccess(v -> cleanUp(intent))
        .eventually(() -> {
          applying.remove(id);
          return Future.succeededFuture();
        });
  }

  /**
   * Finishes a committed batch in the background, even while closing (its commit still holds a slot, so close has
   * not drained yet); if that fails, the intent is done and the sweep finishes it.
   */
  private void cleanUp(MongoIntent intent) {
    inFlight.incrementAndGet();
    intent.cleanUp(client)
        .onFailure(e -> LOG.debug("batch {} committed; its clean-up is left to the next sweep", intent.id(), e))
        .onComplete(ar -> exit());
  }

  @Override
  public Future<JsonObject> get(Space space, String key) {
    return client.findOne(space.storeName(), new JsonObject().put("_id", key), VALUE)
        .map(doc -> doc == null ? null : doc.getJsonObject("v"))
        .recover(MongoStore::failed);
  }

  @Override
  public Future<Map<String, JsonObject>> getAll(Space space, Collection<String> keys) {
    Set<String> wanted = new LinkedHashSet<>(keys);
    if (wanted.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    JsonObject query = new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(List.copyOf(wanted))));
    return client.findWithOptions(space.storeName(), query, new FindOptions().setFields(VALUE)
            .setBatchSize(wanted.size()))
        .map(docs -> {
          Map<String, JsonObject> found = new HashMap<>();
          docs.forEach(doc -> found.put(doc.getString("_id"), doc.getJsonObject("v")));
          Map<String, JsonObject> ordered = new LinkedHashMap<>();
          for (String key : wanted) {
            JsonObject value = found.get(key);
            if (value != null) {
              ordered.put(key, value);
            }
          }
          return ordered;
        })
        .recover(MongoStore::failed);
  }

  @Override
  public Future<List<KeyValue>> scan(Space space, String from, String to, int limit, boolean reverse) {
    if (limit <= 0) {
      return Future.succeededFuture(List.of()); // a MongoDB limit of 0 means none
    }
    JsonObject range = new JsonObject();
    if (from != null) {
      range.put("$gte", from);
    }
    if (to != null) {
      range.put("$lt", to);
    }
    JsonObject query = range.isEmpty() ? new JsonObject() : new JsonObject().put("_id", range);
    FindOptions options = new FindOptions().setFields(VALUE).setSort(new JsonObject().put("_id", reverse ? -1 : 1))
        .setLimit(limit).setBatchSize(limit);
    return client.findWithOptions(space.storeName(), query, options)
        .map(docs -> docs.stream().map(doc -> new KeyValue(doc.getString("_id"), doc.getJsonObject("v"))).toList())
        .recover(MongoStore::failed);
  }

  @Override
  public Future<Void> backup(Path target) {
    return Future.failedFuture(new UnsupportedOperationException("back up an external MongoDB with mongodump "
        + "(or a snapshot of a replica set member); Bucket does not copy it"));
  }

  @Override
  public Future<Void> ping() {
    return client.runCommand("ping", new JsonObject().put("ping", 1)).<Void>mapEmpty().recover(MongoStore::failed);
  }

  @Override
  public String mode() {
    return "external";
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      closed = true;
      vertx.cancelTimer(sweepTimer);
      if (inFlight.get() == 0) {
        drained.tryComplete();
      }
      closing = drained.future().compose(v -> client.close());
    }
    return closing;
  }

  /**
   * Applies every intent found now, oldest first. Those younger than {@link #STALE_INTENT_MS} and not done may belong
   * to a live node that is applying them: they are applied once they are that old, if they are still there.
   */
  private Future<Void> recoverLeftovers() {
    FindOptions oldestFirst = new FindOptions().setFields(ID_AGE_DONE).setSort(new JsonObject().put("at", 1));
    return client.findWithOptions(MongoIntent.COLLECTION, new JsonObject(), oldestFirst).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture();
      }
      long youngest = found.stream().filter(doc -> !doc.getBoolean("done", false))
          .mapToLong(doc -> doc.getLong("at")).max().orElse(0);
      long wait = youngest + STALE_INTENT_MS - System.currentTimeMillis();
      List<Long> leftovers = found.stream().map(doc -> doc.getLong("_id")).toList();
      LOG.warn("{} batches were left half written; applying them{}", leftovers.size(),
          wait > 0 ? " in " + wait + " ms, unless the node writing them finishes first" : "");
      Future<Void> ready = Future.succeededFuture();
      if (wait > 0) {
        Promise<Void> timer = Promise.promise();
        vertx.setTimer(wait, id -> timer.complete());
        ready = timer.future();
      }
      return ready.compose(v -> applyAll(leftovers));
    });
  }

  /** Applies this store's failed batches and every stale intent, unless a pass is running. */
  private void recover() {
    if (!recovering.compareAndSet(false, true)) {
      return;
    }
    if (!enter(Integer.MAX_VALUE)) {
      recovering.set(false);
      return;
    }
    List<Long> own = List.copyOf(unrepaired);
    JsonObject query = new JsonObject().put("$or", new JsonArray()
        .add(new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(own))))
        .add(new JsonObject().put("at", new JsonObject().put("$lt", System.currentTimeMillis() - STALE_INTENT_MS))));
    FindOptions page = new FindOptions().setFields(ID_AND_AGE).setSort(new JsonObject().put("at", 1))
        .setLimit(RECOVERY_PAGE);
    client.findWithOptions(MongoIntent.COLLECTION, query, page)
        .compose(found -> {
          Set<Long> left = new HashSet<>();
          found.forEach(doc -> left.add(doc.getLong("_id")));
          own.stream().filter(id -> !left.contains(id)).forEach(unrepaired::remove); // nothing of it was stored
          left.removeAll(applying);
          return applyAll(found.stream().map(doc -> doc.getLong("_id")).filter(left::contains).toList())
              .map(found.size() == RECOVERY_PAGE);
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.warn("half-written batches not applied yet; retrying", ar.cause());
          }
          recovering.set(false);
          exit();
          if (ar.succeeded() && ar.result() || !unrepaired.isEmpty()) {
            scheduleRetry();
          }
        });
  }

  /** Applies the intents {@code ids}, one after the other; an intent no longer there was finished by its writer. */
  private Future<Void> applyAll(List<Long> ids) {
    Future<Void> chain = Future.succeededFuture();
    for (long id : ids) {
      chain = chain.compose(v -> client.findOne(MongoIntent.COLLECTION, new JsonObject().put("_id", id), null))
          .compose(doc -> doc == null ? Future.succeededFuture() : replay(MongoIntent.fromDocument(doc)))
          .onSuccess(v -> unrepaired.remove(id));
    }
    return chain;
  }

  private Future<Void> replay(MongoIntent intent) {
    return intent.apply(client).compose(v -> intent.cleanUp(client)).recover(e -> {
      if (e instanceof KeyConflictException conflict) {
        LOG.warn("half-written batch {} undone: {}", intent.id(), conflict.getMessage());
        return Future.succeededFuture();
      }
      return Future.failedFuture(e);
    });
  }

  private void scheduleRetry() {
    if (!closed && retryScheduled.compareAndSet(false, true)) {
      vertx.setTimer(RETRY_MS, id -> {
        retryScheduled.set(false);
        recover();
      });
    }
  }

  /** Takes a slot of the {@code max} in flight, unless the store is closed. */
  private boolean enter(int max) {
    if (closed) {
      return false;
    }
    if (inFlight.incrementAndGet() > max || closed) {
      exit();
      return false;
    }
    return true;
  }

  private void exit() {
    if (inFlight.decrementAndGet() == 0 && closed) {
      drained.tryComplete();
    }
  }

  /** {@code result}, completing on {@code context}. */
  private static <T> Future<T> onContext(Context context, Future<T> result) {
    Promise<T> promise = Promise.promise();
    result.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        promise.handle(ar);
      } else {
        context.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }

  private static <T> Future<T> failed(Throwable e) {
    return Future.failedFuture(unavailableOr(e));
  }

  private static Throwable unavailableOr(Throwable e) {
    return MongoErrors.isUnavailable(e) ? new StoreUnavailableException("MongoDB unavailable", e) : e;
  }
}
