package dev.bucket.payload;

import dev.bucket.storage.DurabilityBarrier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import org.bson.types.ObjectId;

import java.time.Instant;
import java.util.List;

/**
 * Payloads in MongoDB using the standard GridFS layout ({@code <bucket>.files}, {@code <bucket>.chunks}) so that
 * ordinary GridFS tools can read them, written with the plain client because uploads need a pre-assigned id (to
 * clean up partial uploads) and chunk-aligned range reads. The files document is written last: its presence marks a
 * complete upload. {@code ref} is {@code gridfs:<ObjectId hex>}.
 *
 * <p>Uploads and sends must be started from the Vert.x context that delivers the source's or response's events.
 */
public final class GridFsPayloadStore implements PayloadStore {

  static final String REF_PREFIX = "gridfs:";
  /** Chunks fetched per cursor batch when reading: 1 MiB, so a slow client holds little memory. */
  private static final int READ_BATCH_CHUNKS = 4;

  private final MongoClient mongo;
  private final DurabilityBarrier barrier;
  private final String filesCollection;
  private final String chunksCollection;

  public GridFsPayloadStore(MongoClient mongo, DurabilityBarrier barrier, String bucketName) {
    this.mongo = mongo;
    this.barrier = barrier;
    this.filesCollection = bucketName + ".files";
    this.chunksCollection = bucketName + ".chunks";
  }

  /**
   * Creates the spec's unique {@code files_id, n} index on chunks, which serves every chunk query here and rejects a
   * duplicated chunk. The spec's {@code filename, uploadDate} index on files is left out: nothing here looks files up
   * by name, and the embedded server does not implement non-unique secondary indexes.
   */
  public Future<Void> init() {
    return mongo.createIndexWithOptions(chunksCollection, new JsonObject().put("files_id", 1).put("n", 1),
      new IndexOptions().unique(true));
  }

  @Override
  public Future<StoredPayload> store(ReadStream<Buffer> source, long maxBytes) {
    ObjectId id = new ObjectId();
    PayloadDigest digest = new PayloadDigest();
    GridFsChunkWriter writer = new GridFsChunkWriter(mongo, chunksCollection, oid(id));
    // Not ended on failure: a failed upload must not flush its last partial batch.
    Future<Void> written = new DigestingStream(source, maxBytes, digest).pipe().endOnFailure(false).to(writer);
    return complete(written, id, digest, writer);
  }

  @Override
  public Future<StoredPayload> store(Buffer bytes) {
    ObjectId id = new ObjectId();
    PayloadDigest digest = new PayloadDigest();
    digest.update(bytes);
    GridFsChunkWriter writer = new GridFsChunkWriter(mongo, chunksCollection, oid(id));
    return complete(writer.end(bytes), id, digest, writer);
  }

  @Override
  public Future<Void> send(String ref, long offset, long length, HttpServerResponse response) {
    if (offset < 0 || length < 0) {
      return Future.failedFuture(new IllegalArgumentException("negative range " + offset + "+" + length));
    }
    return idOf(ref).compose(id -> {
      if (!response.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
      }
      if (length == 0) {
        return response.end();
      }
      int firstChunk = Math.toIntExact(offset / CHUNK_SIZE);
      int lastChunk = Math.toIntExact((offset + length - 1) / CHUNK_SIZE);
      JsonObject query = new JsonObject()
        .put("files_id", oid(id))
        .put("n", new JsonObject().put("$gte", firstChunk).put("$lte", lastChunk));
      return new RangeSender(offset, length, firstChunk, response).send(chunks(query));
    });
  }

  @Override
  public Future<Buffer> read(String ref, long size) {
    return idOf(ref)
      .compose(id -> mongo.findWithOptions(chunksCollection, new JsonObject().put("files_id", oid(id)), chunkOptions()))
      .compose(documents -> {
        Buffer bytes = Buffer.buffer(Math.toIntExact(size));
        for (JsonObject document : documents) {
          bytes.appendBytes(GridFsChunkWriter.bytesOf(document));
        }
        return bytes.length() == size
          ? Future.succeededFuture(bytes)
          : Future.failedFuture(new IllegalStateException(ref + " holds " + bytes.length() + " of " + size + " bytes"));
      });
  }

  @Override
  public Future<IntegrityReport> verify(String ref, long size, String contentHash, List<String> chunkHashes) {
    return idOf(ref).compose(id -> mongo
      .findOne(filesCollection, new JsonObject().put("_id", oid(id)), new JsonObject().put("_id", 1))
      .compose(filesDocument -> filesDocument == null
        ? Future.succeededFuture(PayloadDigest.missing(contentHash, size, chunkHashes))
        : digestChunks(id).map(digest -> digest.compareWith(contentHash, size, chunkHashes))));
  }

  @Override
  public Future<Void> discard(String ref) {
    return idOf(ref).compose(this::removeAll);
  }

  @Override
  public String kind() {
    return "gridfs";
  }

  /**
   * After the chunks: write the files document (the completion marker), then wait for durability. On any failure,
   * wait for in-flight inserts and remove everything written under this id.
   */
  private Future<StoredPayload> complete(Future<Void> written, ObjectId id, PayloadDigest digest,
                                         GridFsChunkWriter writer) {
    return written
      .compose(v -> {
        String hash = digest.finish();
        JsonObject filesDocument = new JsonObject()
          .put("_id", oid(id))
          .put("length", digest.size())
          .put("chunkSize", CHUNK_SIZE)
          .put("uploadDate", new JsonObject().put("$date", Instant.now().toString()))
          .put("filename", hash)
          .put("metadata", new JsonObject().put("contentHash", hash));
        return mongo.insert(filesCollection, filesDocument);
      })
      .compose(v -> barrier.sync())
      .map(v -> new StoredPayload(REF_PREFIX + id.toHexString(), digest.finish(), digest.size(), digest.chunkHashes()))
      .recover(err -> writer.settled()
        .compose(v -> removeAll(id))
        .transform(cleaned -> Future.<StoredPayload>failedFuture(err)));
  }

  /** Files document first, so a half-removed payload never looks complete. */
  private Future<Void> removeAll(ObjectId id) {
    return mongo.removeDocuments(filesCollection, new JsonObject().put("_id", oid(id)))
      .compose(v -> mongo.removeDocuments(chunksCollection, new JsonObject().put("files_id", oid(id))))
      .mapEmpty();
  }

  /** Digests chunk documents one by one; a gap in {@code n} is a missing chunk. */
  private Future<PayloadDigest> digestChunks(ObjectId id) {
    Promise<PayloadDigest> done = Promise.promise();
    PayloadDigest digest = new PayloadDigest();
    ReadStream<JsonObject> documents = chunks(new JsonObject().put("files_id", oid(id)));
    int[] expectedN = {0};
    documents.exceptionHandler(done::tryFail);
    documents.endHandler(v -> done.tryComplete(digest));
    documents.handler(document -> {
      int n = document.getInteger("n");
      for (; expectedN[0] < n; expectedN[0]++) {
        digest.missingChunk();
      }
      digest.chunk(GridFsChunkWriter.bytesOf(document));
      expectedN[0] = n + 1;
    });
    return done.future();
  }

  private ReadStream<JsonObject> chunks(JsonObject query) {
    return mongo.findBatchWithOptions(chunksCollection, query, chunkOptions());
  }

  private static FindOptions chunkOptions() {
    return new FindOptions()
      .setSort(new JsonObject().put("n", 1))
      .setFields(new JsonObject().put("_id", 0).put("n", 1).put("data", 1))
      .setBatchSize(READ_BATCH_CHUNKS);
  }

  private static JsonObject oid(ObjectId id) {
    return new JsonObject().put("$oid", id.toHexString());
  }

  private static Future<ObjectId> idOf(String ref) {
    if (ref == null || !ref.startsWith(REF_PREFIX) || !ObjectId.isValid(ref.substring(REF_PREFIX.length()))) {
      return Future.failedFuture(new IllegalArgumentException("not a GridFS payload ref: " + ref));
    }
    return Future.succeededFuture(new ObjectId(ref.substring(REF_PREFIX.length())));
  }

  /**
   * Writes the requested slice of consecutive chunks to a response, pausing the cursor while the response is
   * backed up. A gap or a short chunk fails the send; if bytes already went out the response is reset, because a
   * truncated body with a correct status would look like a complete one.
   */
  private static final class RangeSender {
    private final long offset;
    private final long end;
    private final HttpServerResponse response;
    private final Promise<Void> done = Promise.promise();
    private long expectedN;
    private long written;
    private ReadStream<JsonObject> documents;

    RangeSender(long offset, long length, long firstChunk, HttpServerResponse response) {
      this.offset = offset;
      this.end = offset + length;
      this.expectedN = firstChunk;
      this.response = response;
    }

    Future<Void> send(ReadStream<JsonObject> documents) {
      this.documents = documents;
      documents.exceptionHandler(this::fail);
      documents.endHandler(v -> finish());
      documents.handler(this::write);
      return done.future();
    }

    private void write(JsonObject document) {
      long n = document.getLong("n");
      if (n != expectedN) {
        fail(new IllegalStateException("chunk " + expectedN + " is missing"));
        return;
      }
      expectedN++;
      byte[] data = GridFsChunkWriter.bytesOf(document);
      long chunkStart = n * CHUNK_SIZE;
      int from = (int) (Math.max(offset, chunkStart) - chunkStart);
      int to = (int) (Math.min(end, chunkStart + data.length) - chunkStart);
      if (to <= from) {
        fail(new IllegalStateException("chunk " + n + " is shorter than the requested range"));
        return;
      }
      written += to - from;
      response.write(Buffer.buffer(data).slice(from, to)).onFailure(this::fail);
      if (response.writeQueueFull()) {
        documents.pause();
        response.drainHandler(v -> documents.resume());
      }
    }

    private void finish() {
      if (written != end - offset) {
        fail(new IllegalStateException("payload ends after " + written + " of " + (end - offset) + " bytes"));
        return;
      }
      response.end().onComplete(done);
    }

    private void fail(Throwable cause) {
      if (!done.tryFail(cause)) {
        return;
      }
      documents.handler(null);
      if (response.headWritten() && !response.ended()) {
        response.reset();
      }
    }
  }
}
