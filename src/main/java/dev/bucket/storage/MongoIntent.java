package dev.bucket.storage;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A {@link Batch} as {@link MongoStore} writes it: without multi-document transactions, the whole batch is first
 * stored as ONE intent document in {@value #COLLECTION} (a single-document insert is atomic), then applied to the
 * space collections, then the intent is deleted. An intent left behind by a crash or a failed write is applied again
 * by {@link #apply}, which is idempotent:
 * <ul>
 *   <li>an inserted record carries the batch id ({@code b}), so a duplicate key holding our id is our own earlier
 *       insert, and any other holder is a conflict; a conflict deletes only the records carrying our id;</li>
 *   <li>puts ({@code $set} with upsert) and deletes are idempotent as they are;</li>
 *   <li>a counter update is conditional on the batch id not being in the counter's {@code a} list and pushes it
 *       there, so it applies once however often it is replayed. The ids leave the list again only after the intent
 *       is marked {@code done} (from then on no replay touches counters), so the list holds only the ids of batches
 *       still pending: it stays bounded without forgetting an id a replay may still need.</li>
 * </ul>
 * The batch is reduced first to one net operation per key (an insert followed by a delete keeps both), so the phases
 * (inserts, then puts, deletes and counters) can each run as one unordered bulk write per collection.
 */
final class MongoIntent {

  static final String COLLECTION = "store_batches";
  /** MongoDB's largest document: the whole batch must fit in its intent. */
  static final int MAX_BYTES = 16 * 1024 * 1024;
  private static final int DUPLICATE_KEY = 11000;
  /** Attempts at a counter update that lost an upsert race to another batch creating the same counter. */
  private static final int COUNTER_ATTEMPTS = 3;
  private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().setOrdered(false);
  private static final UpdateOptions MULTI = new UpdateOptions().setMulti(true);
  private static final UpdateOptions UPSERT = new UpdateOptions().setUpsert(true);
  private static final JsonObject ID_ONLY = new JsonObject().put("_id", 1);

  private final long id;
  private final List<Batch.Op> ops;
  private final boolean done;
  private final JsonObject document;

  private MongoIntent(long id, List<Batch.Op> ops, boolean done, JsonObject document) {
    this.id = id;
    this.ops = ops;
    this.done = done;
    this.document = document;
  }

  /**
   * The intent of {@code batch}, written at {@code at} (epoch millis).
   *
   * @throws KeyConflictException when the batch inserts a key an earlier operation of it wrote
   * @throws IllegalArgumentException when the batch does not fit in one document or names a counter field MongoDB
   *     cannot address
   */
  static MongoIntent of(Batch batch, long id, long at) {
    List<Batch.Op> ops = reduce(batch.ops());
    JsonArray encoded = new JsonArray();
    for (Batch.Op op : ops) {
      JsonObject entry = new JsonObject().put("o", op.kind().name()).put("s", op.space().storeName())
          .put("k", op.key());
      encoded.add(op.value() == null ? entry : entry.put("v", op.value()));
    }
    JsonObject document = new JsonObject().put("_id", id).put("at", at).put("ops", encoded);
    int size = BsonSize.of(document);
    if (size > MAX_BYTES) {
      throw new IllegalArgumentException("batch of " + size + " bytes exceeds MongoDB's " + MAX_BYTES
          + "-byte document limit");
    }
    return new MongoIntent(id, ops, false, document);
  }

  /** The intent stored as {@code document}. */
  static MongoIntent fromDocument(JsonObject document) {
    List<Batch.Op> ops = new ArrayList<>();
    for (Object element : document.getJsonArray("ops")) {
      JsonObject entry = (JsonObject) element;
      ops.add(new Batch.Op(Batch.Kind.valueOf(entry.getString("o")), space(entry.getString("s")),
          entry.getString("k"), entry.getJsonObject("v")));
    }
    return new MongoIntent(document.getLong("_id"), ops, document.getBoolean("done", false), document);
  }

  long id() {
    return id;
  }

  /** The document to insert into {@value #COLLECTION}. */
  JsonObject document() {
    return document;
  }

  /** The net operations, inserts first. */
  List<Batch.Op> ops() {
    return ops;
  }

  /**
   * Applies the intent. Completes once the batch is durable and no replay can repeat or undo it: its intent deleted,
   * or, when it counted, marked done (then {@link #cleanUp} finishes). Fails with {@link KeyConflictException} after
   * undoing its inserts and deleting the intent when a key it inserts is held by another batch; on any other failure
   * the intent stays, to be applied again.
   */
  Future<Void> apply(MongoClient client) {
    if (done) {
      return Future.succeededFuture();
    }
    return insert(client).compose(v -> writeOthers(client)).compose(v -> counts()
        ? client.updateCollection(COLLECTION, new JsonObject().put("_id", id),
            new JsonObject().put("$set", new JsonObject().put("done", true))).mapEmpty()
        : deleteIntent(client));
  }

  /**
   * After {@link #apply}: takes the batch's id off its counters and deletes its intent. Off the commit's path: the
   * marks only keep a replay from counting again, and a done intent is never replayed.
   */
  Future<Void> cleanUp(MongoClient client) {
    if (!counts()) {
      return Future.succeededFuture();
    }
    List<Future<?>> pulls = new ArrayList<>();
    bySpace(op -> op.kind() == Batch.Kind.INCREMENT).forEach((space, increments) -> {
      JsonArray keys = new JsonArray(increments.stream().map(Batch.Op::key).toList());
      pulls.add(client.updateCollectionWithOptions(space.storeName(),
          new JsonObject().put("_id", new JsonObject().put("$in", keys)),
          new JsonObject().put("$pull", new JsonObject().put("a", id)), MULTI));
    });
    return Future.all(pulls).compose(v -> deleteIntent(client));
  }

  private boolean counts() {
    return ops.stream().anyMatch(op -> op.kind() == Batch.Kind.INCREMENT);
  }

  private Future<Void> insert(MongoClient client) {
    Map<Space, List<Batch.Op>> bySpace = bySpace(op -> op.kind() == Batch.Kind.INSERT);
    List<Future<List<String>>> writes = new ArrayList<>();
    bySpace.forEach((space, inserts) -> {
      List<BulkOperation> bulk = new ArrayList<>();
      for (Batch.Op op : inserts) {
        bulk.add(BulkOperation.createInsert(new JsonObject().put("_id", op.key()).put("v", op.value()).put("b", id)));
      }
      writes.add(client.bulkWriteWithOptions(space.storeName(), bulk, UNORDERED)
          .map(result -> List.<String>of())
          .recover(e -> duplicates(e, inserts))
          .compose(taken -> taken.isEmpty() ? Future.succeededFuture(taken) : foreign(client, space, taken))
          .map(keys -> keys.stream().map(key -> space.storeName() + '/' + key).toList()));
    });
    return Future.all(writes).compose(all -> {
      Set<String> foreign = new HashSet<>();
      all.<List<String>>list().forEach(foreign::addAll);
      for (Batch.Op op : ops) {
        if (op.kind() == Batch.Kind.INSERT && foreign.contains(op.space().storeName() + '/' + op.key())) {
          return undoInserts(client, bySpace).compose(v -> deleteIntent(client))
              .compose(v -> Future.failedFuture(new KeyConflictException(op.space(), op.key())));
        }
      }
      return Future.succeededFuture();
    });
  }

  /** The keys an unordered insert found taken; any other failure fails the insert. */
  private static Future<List<String>> duplicates(Throwable e, List<Batch.Op> inserts) {
    if (!(e instanceof MongoBulkWriteException bulk)) {
      return Future.failedFuture(e);
    }
    List<String> taken = new ArrayList<>();
    for (BulkWriteError error : bulk.getWriteErrors()) {
      if (error.getCode() != DUPLICATE_KEY) {
        return Future.failedFuture(e);
      }
      taken.add(inserts.get(error.getIndex()).key());
    }
    return Future.succeededFuture(taken);
  }

  /** Those of the {@code taken} keys that another batch holds, not this one in an earlier attempt. */
  private Future<List<String>> foreign(MongoClient client, Space space, List<String> taken) {
    JsonObject ours = new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(taken))).put("b", id);
    return client.findWithOptions(space.storeName(), ours, new FindOptions().setFields(ID_ONLY)).map(found -> {
      Set<Object> mine = new HashSet<>();
      found.forEach(doc -> mine.add(doc.getValue("_id")));
      return taken.stream().filter(key -> !mine.contains(key)).toList();
    });
  }

  private Future<Void> undoInserts(MongoClient client, Map<Space, List<Batch.Op>> bySpace) {
    List<Future<?>> deletes = new ArrayList<>();
    bySpace.forEach((space, inserts) -> {
      JsonArray keys = new JsonArray(inserts.stream().map(Batch.Op::key).toList());
      deletes.add(client.removeDocuments(space.storeName(),
          new JsonObject().put("_id", new JsonObject().put("$in", keys)).put("b", id)));
    });
    return Future.all(deletes).mapEmpty();
  }

  /** Puts, deletes and counters: one unordered bulk write per collection (each key has one net operation). */
  private Future<Void> writeOthers(MongoClient client) {
    List<Future<?>> writes = new ArrayList<>();
    bySpace(op -> op.kind() != Batch.Kind.INSERT).forEach((space, spaceOps) -> {
      List<BulkOperation> bulk = spaceOps.stream().map(this::operation).toList();
      writes.add(client.bulkWriteWithOptions(space.storeName(), bulk, UNORDERED)
          .<Void>mapEmpty()
          .recover(e -> retryCounters(client, space, spaceOps, e)));
    });
    return Future.all(writes).mapEmpty();
  }

  private BulkOperation operation(Batch.Op op) {
    JsonObject key = new JsonObject().put("_id", op.key());
    return switch (op.kind()) {
      case PUT -> BulkOperation.createUpdate(key, new JsonObject().put("$set", new JsonObject().put("v", op.value())),
          true, false);
      case DELETE -> BulkOperation.createDelete(key);
      case INCREMENT -> BulkOperation.createUpdate(counterFilter(op.key()), counterUpdate(op.value()), true, false);
      case INSERT -> throw new IllegalStateException("inserts are written first");
    };
  }

  /** The counter at {@code key} unless this batch already counted there. */
  private JsonObject counterFilter(String key) {
    return new JsonObject().put("_id", key).put("a", new JsonObject().put("$ne", id));
  }

  private JsonObject counterUpdate(JsonObject deltas) {
    JsonObject inc = new JsonObject();
    deltas.forEach(field -> inc.put("v." + field.getKey(), field.getValue()));
    return new JsonObject().put("$inc", inc).put("$push", new JsonObject().put("a", id));
  }

  /**
   * A counter upsert fails with a duplicate key when its filter did not match an existing counter: either this batch
   * already counted there, or another batch created the counter at the same moment. Each is told apart and the
   * second retried; every other failure stands.
   */
  private Future<Void> retryCounters(MongoClient client, Space space, List<Batch.Op> spaceOps, Throwable e) {
    if (!(e instanceof MongoBulkWriteException bulk)) {
      return Future.failedFuture(e);
    }
    List<Future<Void>> retries = new ArrayList<>();
    for (BulkWriteError error : bulk.getWriteErrors()) {
      Batch.Op op = spaceOps.get(error.getIndex());
      if (error.getCode() != DUPLICATE_KEY || op.kind() != Batch.Kind.INCREMENT) {
        return Future.failedFuture(e);
      }
      retries.add(countOnce(client, space, op, COUNTER_ATTEMPTS));
    }
    return Future.all(retries).mapEmpty();
  }

  private Future<Void> countOnce(MongoClient client, Space space, Batch.Op op, int attempts) {
    JsonObject counted = new JsonObject().put("_id", op.key()).put("a", id);
    return client.findOne(space.storeName(), counted, ID_ONLY).compose(found -> {
      if (found != null) {
        return Future.succeededFuture();
      }
      return client.updateCollectionWithOptions(space.storeName(), counterFilter(op.key()),
              counterUpdate(op.value()), UPSERT).<Void>mapEmpty()
          .recover(failure -> MongoErrors.isDuplicateKey(failure) && attempts > 1
              ? countOnce(client, space, op, attempts - 1) : Future.failedFuture(failure));
    });
  }

  private Future<Void> deleteIntent(MongoClient client) {
    return client.removeDocument(COLLECTION, new JsonObject().put("_id", id)).mapEmpty();
  }

  private Map<Space, List<Batch.Op>> bySpace(Predicate<Batch.Op> which) {
    Map<Space, List<Batch.Op>> bySpace = new LinkedHashMap<>();
    for (Batch.Op op : ops) {
      if (which.test(op)) {
        bySpace.computeIfAbsent(op.space(), s -> new ArrayList<>()).add(op);
      }
    }
    return bySpace;
  }

  private static Space space(String storeName) {
    for (Space space : Space.values()) {
      if (space.storeName().equals(storeName)) {
        return space;
      }
    }
    throw new IllegalStateException("unknown space in a stored batch: " + storeName);
  }

  /**
   * One net operation per key, with the effect of the batch's operations in order: later writes override earlier
   * ones, counters fold into a put of the same batch, and an insert of a key the batch wrote before conflicts. An
   * insert of a key not known to the batch stays an insert (the store must not hold the key); followed by a delete,
   * it stays an insert and a delete. Inserts come first.
   */
  static List<Batch.Op> reduce(List<Batch.Op> batch) {
    Map<String, NetOp> byKey = new LinkedHashMap<>();
    for (Batch.Op op : batch) {
      NetOp net = byKey.computeIfAbsent(op.space().storeName() + '/' + op.key(), k -> new NetOp(op.space(), op.key()));
      net.add(op);
    }
    List<Batch.Op> inserts = new ArrayList<>();
    List<Batch.Op> others = new ArrayList<>();
    for (NetOp net : byKey.values()) {
      if (net.mustBeAbsent) {
        inserts.add(new Batch.Op(Batch.Kind.INSERT, net.space, net.key,
            net.kind == Batch.Kind.DELETE ? new JsonObject() : net.value));
        if (net.kind == Batch.Kind.DELETE) {
          others.add(new Batch.Op(Batch.Kind.DELETE, net.space, net.key, null));
        }
      } else {
        others.add(new Batch.Op(net.kind, net.space, net.key, net.value));
      }
    }
    inserts.addAll(others);
    return inserts;
  }

  /** What the batch does to one key so far. */
  private static final class NetOp {
    final Space space;
    final String key;
    /** PUT, DELETE or INCREMENT; null before the first operation. */
    Batch.Kind kind;
    JsonObject value;
    /** Whether the key exists at this point of the batch; null while only the store knows. */
    Boolean present;
    /** The batch inserted the key while only the store knew whether it exists. */
    boolean mustBeAbsent;

    NetOp(Space space, String key) {
      this.space = space;
      this.key = key;
    }

    void add(Batch.Op op) {
      switch (op.kind()) {
        case INSERT -> {
          if (Boolean.TRUE.equals(present)) {
            throw new KeyConflictException(space, key);
          }
          mustBeAbsent |= present == null;
          set(Batch.Kind.PUT, op.value());
        }
        case PUT -> set(Batch.Kind.PUT, op.value());
        case DELETE -> set(Batch.Kind.DELETE, null);
        case INCREMENT -> {
          requireAddressable(op.value());
          if (kind == null) {
            set(Batch.Kind.INCREMENT, added(new JsonObject(), op.value()));
          } else {
            set(kind == Batch.Kind.DELETE ? Batch.Kind.PUT : kind,
                added(kind == Batch.Kind.DELETE ? new JsonObject() : value, op.value()));
          }
        }
      }
    }

    private void set(Batch.Kind kind, JsonObject value) {
      this.kind = kind;
      this.value = value;
      this.present = kind != Batch.Kind.DELETE;
    }

    /** {@code base} plus {@code deltas}, field by field, as longs (a missing or non-numeric field counts as 0). */
    private static JsonObject added(JsonObject base, JsonObject deltas) {
      JsonObject sum = base.copy();
      deltas.forEach(field -> {
        long current = sum.getValue(field.getKey()) instanceof Number n ? n.longValue() : 0;
        sum.put(field.getKey(), current + ((Number) field.getValue()).longValue());
      });
      return sum;
    }

    /** Counter fields become paths {@code v.<field>} of an update, so they must be plain names. */
    private static void requireAddressable(JsonObject deltas) {
      for (String field : deltas.fieldNames()) {
        if (field.isEmpty() || field.indexOf('.') >= 0 || field.startsWith("$") || field.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("counter field name not addressable in MongoDB: " + field);
        }
      }
    }
  }
}
