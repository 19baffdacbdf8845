package dev.bucket.payload;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.MongoClient;
import org.bson.types.ObjectId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a byte stream into GridFS chunk documents ({@code _id, files_id, n, data}) and inserts them
 * {@link #BATCH_CHUNKS} at a time. Each chunk's {@code _id} is {@link #chunkId deterministic}, so readers and cleanup
 * address chunks through the {@code _id} index alone. Batches run one after another; while one is in flight and the
 * next is full the queue reports full, so a pipe pauses the upload and memory stays at about two batches.
 */
final class GridFsChunkWriter implements WriteStream<Buffer> {

  /** 16 × 256 KiB = 4 MiB per round trip, well under MongoDB's 16 MiB document and 48 MB message limits. */
  static final int BATCH_CHUNKS = 16;
  private static final int MAX_PENDING_BATCHES = 2;

  private final MongoClient mongo;
  private final String collection;
  private final ObjectId filesId;
  private final JsonObject filesIdJson;
  private byte[] chunk = new byte[PayloadStore.CHUNK_SIZE];
  private int chunkFill;
  private int nextN;
  private List<BulkOperation> batch = new ArrayList<>();
  private int pendingBatches;
  private Future<Void> inFlight = Future.succeededFuture();
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private boolean failed;

  GridFsChunkWriter(MongoClient mongo, String collection, ObjectId filesId) {
    this.mongo = mongo;
    this.collection = collection;
    this.filesId = filesId;
    this.filesIdJson = new JsonObject().put("$oid", filesId.toHexString());
  }

  /**
   * The {@code _id} of chunk {@code n} of a payload: {@code "<files_id hex>/<n>"}. The GridFS spec only asks chunk ids
   * to be unique; making them computable lets every chunk access be an {@code _id} lookup.
   */
  static String chunkId(ObjectId filesId, int n) {
    return filesId.toHexString() + "/" + n;
  }

  /**
   * How many chunks this writer has cut so far, flushed or not: chunks {@code 0 .. chunksCut() - 1} are every chunk
   * that may have reached the database, which is what cleanup of a failed upload removes.
   */
  int chunksCut() {
    return nextN;
  }

  /** Mongo's JSON codec turns {@code {"$binary": byte[]}} into BSON binary (subtype 0) and reads it back the same way. */
  static JsonObject binary(byte[] data) {
    return new JsonObject().put("$binary", data);
  }

  static byte[] bytesOf(JsonObject chunkDocument) {
    return chunkDocument.getJsonObject("data").getBinary("$binary");
  }

  /** The returned future fails once any batch has failed, which is how a pipe learns of a write error. */
  @Override
  public Future<Void> write(Buffer data) {
    int position = 0;
    while (position < data.length()) {
      int take = Math.min(PayloadStore.CHUNK_SIZE - chunkFill, data.length() - position);
      data.getBytes(position, position + take, chunk, chunkFill);
      chunkFill += take;
      position += take;
      if (chunkFill == PayloadStore.CHUNK_SIZE) {
        addChunk(chunk);
        chunk = new byte[PayloadStore.CHUNK_SIZE];
        chunkFill = 0;
      }
    }
    return inFlight;
  }

  /** Writes the trailing partial chunk and completes once every chunk is stored. */
  @Override
  public Future<Void> end() {
    if (chunkFill > 0) {
      addChunk(Arrays.copyOf(chunk, chunkFill));
      chunkFill = 0;
    }
    if (!batch.isEmpty()) {
      flush();
    }
    return inFlight;
  }

  /**
   * Completes, successfully, once no insert is in flight any more. Cleanup after a failed upload waits for this so
   * that no chunk lands after the chunks were deleted.
   */
  Future<Void> settled() {
    return inFlight.transform(ignored -> Future.succeededFuture());
  }

  @Override
  public boolean writeQueueFull() {
    return pendingBatches >= MAX_PENDING_BATCHES;
  }

  @Override
  public GridFsChunkWriter drainHandler(Handler<Void> handler) {
    drainHandler = handler;
    return this;
  }

  @Override
  public GridFsChunkWriter exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    return this;
  }

  /** The bound is fixed at {@link #MAX_PENDING_BATCHES} batches. */
  @Override
  public GridFsChunkWriter setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  private void addChunk(byte[] data) {
    int n = nextN++;
    JsonObject document = new JsonObject()
      .put("_id", chunkId(filesId, n))
      .put("files_id", filesIdJson)
      .put("n", n)
      .put("data", binary(data));
    batch.add(BulkOperation.createInsert(document));
    if (batch.size() == BATCH_CHUNKS) {
      flush();
    }
  }

  private void flush() {
    List<BulkOperation> operations = batch;
    batch = new ArrayList<>(BATCH_CHUNKS);
    pendingBatches++;
    // Chained, so a failed batch stops every later one and inserts never overlap a cleanup.
    inFlight = inFlight
      .compose(v -> mongo.bulkWrite(collection, operations))
      .<Void>mapEmpty()
      .andThen(result -> {
        boolean wasFull = writeQueueFull();
        pendingBatches--;
        if (result.failed()) {
          // Later batches fail with the same cause; report it once.
          if (!failed && exceptionHandler != null) {
            exceptionHandler.handle(result.cause());
          }
          failed = true;
        } else if (wasFull && drainHandler != null) {
          drainHandler.handle(null);
        }
      });
  }
}
