package dev.bucket.payload;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Payloads in MongoDB using the standard GridFS layout ({@code <bucket>.files}, {@code <bucket>.chunks}) so that
 * ordinary GridFS tools can read them, written with the plain client because uploads need a pre-assigned id (to
 * clean up partial uploads) and chunk-aligned range reads. The files document is written last: its presence marks a
 * complete upload. {@code ref} is {@code gridfs:<ObjectId hex>}.
 *
 * <p>Chunk {@code _id}s are deterministic, {@code "<files_id hex>/<n>"} (the spec only requires them to be unique), and
 * this store reaches chunks only through them, {@code {_id: {$in: [...]}}} for the chunk numbers it needs, and files
 * documents by {@code _id} too, so no index beyond {@code _id} is needed on any MongoDB-wire server (the tests'
 * in-memory stand-in implements no other). Standard drivers still find the chunks by {@code files_id, n}. The chunk count comes from the files document's
 * {@code length} (or, for a range, from the range), and a chunk id that is not found is a missing chunk.
 *
 * <p>Uploads and sends must be started from the Vert.x context that delivers the source's or response's events.
 */
public final class GridFsPayloadStore implements PayloadStore {

  static final String REF_PREFIX = "gridfs:";
  /** Chunks fetched per round trip when reading: 1 MiB, so a slow client holds little memory. */
  private static final int READ_BATCH_CHUNKS = 4;
  /** Chunk ids per delete when cleaning up: about 30 KiB of query. */
  private static final int REMOVE_BATCH_CHUNKS = 1000;

  private final MongoClient mongo;
  private final String filesCollection;
  private final String chunksCollection;

  public GridFsPayloadStore(MongoClient mongo, String bucketName) {
    this.mongo = mongo;
    this.filesCollection = bucketName + ".files";
    this.chunksCollection = bucketName + ".chunks";
  }

  /**
   * Creates the spec's unique {@code files_id, n} index on chunks, which rejects a duplicated chunk and serves GridFS
   * drivers and tools on a real MongoDB (this store itself reads chunks by {@code _id}). The spec's
   * {@code filename, uploadDate} index on files is left out: nothing here looks files up by name, and the embedded
   * server does not implement non-unique secondary indexes.
   */
  public Future<Void> init() {
    return mongo.createIndexWithOptions(chunksCollection, new JsonObject().put("files_id", 1).put("n", 1),
      new IndexOptions().unique(true));
  }

  @Override
  public Future<StoredPayload> store(ReadStream<Buffer> source, long maxBytes) {
    ObjectId id = new ObjectId();
    PayloadDigest digest = new PayloadDigest();
    GridFsChunkWriter writer = new GridFsChunkWriter(mongo, chunksCollection, id);
    // Not ended on failure: a failed upload must not flush its last partial batch.
    Future<Void> written = new DigestingStream(source, maxBytes, digest).pipe().endOnFailure(false).to(writer);
    return complete(written, id, digest, writer);
  }

  @Override
  public Future<StoredPayload> store(Buffer bytes) {
    ObjectId id = new ObjectId();
    PayloadDigest digest = new PayloadDigest();
    digest.update(bytes);
    GridFsChunkWriter writer = new GridFsChunkWriter(mongo, chunksCollection, id);
    return complete(writer.end(bytes), id, digest, writer);
  }

  /** Fetches only the chunks the range covers; the files document is not consulted, the range says which. */
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
      return new RangeSender(id, offset, length, firstChunk, lastChunk, response).send();
    });
  }

  @Override
  public Future<Buffer> read(String ref, long size) {
    return idOf(ref).compose(id -> filesDocument(id).compose(files -> {
      if (files == null) {
        return Future.failedFuture(new PayloadMissingException(ref));
      }
      long length = lengthOf(files);
      if (length != size) {
        return Future.failedFuture(new IllegalStateException(ref + " is " + length + " bytes, not " + size));
      }
      Buffer bytes = Buffer.buffer(Math.toIntExact(size));
      return eachChunk(id, chunkCount(length), (n, data) -> {
        if (data == null) {
          throw new IllegalStateException("chunk " + n + " of " + ref + " is missing");
        }
        bytes.appendBytes(data);
      }).compose(v -> bytes.length() == size
        ? Future.succeededFuture(bytes)
        : Future.failedFuture(new IllegalStateException(ref + " holds " + bytes.length() + " of " + size + " bytes")));
    }));
  }

  /**
   * Digests every chunk up to the larger of the stored and the expected length, so both a truncated and an extended
   * payload show. A missing chunk followed by a present one is recorded as missing; missing trailing chunks are simply
   * absent from the digest, which the comparison reports as damaged all the same.
   */
  @Override
  public Future<IntegrityReport> verify(String ref, long size, String contentHash, List<String> chunkHashes) {
    return idOf(ref).compose(id -> filesDocument(id).compose(files -> {
      if (files == null) {
        return Future.succeededFuture(PayloadDigest.missing(contentHash, size, chunkHashes));
      }
      int count = Math.max(chunkCount(lengthOf(files)), Math.max(chunkCount(size), chunkHashes.size()));
      PayloadDigest digest = new PayloadDigest();
      int[] missingSoFar = {0};
      return eachChunk(id, count, (n, data) -> {
        if (data == null) {
          missingSoFar[0]++;
          return;
        }
        for (; missingSoFar[0] > 0; missingSoFar[0]--) {
          digest.missingChunk();
        }
        digest.chunk(data);
      }).map(v -> digest.compareWith(contentHash, size, chunkHashes));
    }));
  }

  /**
   * Removes the files document and, by id, the chunks its {@code length} accounts for. If the files document is
   * already gone (an earlier discard or cleanup stopped half way) the chunks are found by {@code files_id}, the one
   * query here that is not served by the {@code _id} index on every server.
   */
  @Override
  public Future<Void> discard(String ref) {
    return idOf(ref).compose(id -> mongo
      .findOneAndDeleteWithOptions(filesCollection, idQuery(id), new FindOptions().setFields(lengthField()))
      .compose(files -> files == null
        ? mongo.removeDocuments(chunksCollection, new JsonObject().put("files_id", oid(id))).mapEmpty()
        : removeChunks(id, chunkCount(lengthOf(files)))));
  }

  /**
   * Removes the chunks by id first and the files document last. Each write is majority-acknowledged, so durable when answered. The files document carries
   * the length that names the chunk ids, so a purge interrupted half way is completed by a retry without ever
   * querying by {@code files_id}; once the files document is gone the payload is gone. Refs are unique per upload,
   * so no other upload can claim these documents.
   */
  @Override
  public Future<Void> purge(String ref) {
    return idOf(ref).compose(id -> filesDocument(id).compose(files -> files == null
        ? Future.<Void>succeededFuture()
        : removeChunks(id, chunkCount(lengthOf(files)))
          .compose(v -> mongo.removeDocuments(filesCollection, idQuery(id)))
          .<Void>mapEmpty()));
  }

  @Override
  public String kind() {
    return "gridfs";
  }

  /**
   * After the chunks: write the files document (the completion marker; majority-acknowledged, so durable). On any failure,
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
      .map(v -> new StoredPayload(REF_PREFIX + id.toHexString(), digest.finish(), digest.size(), digest.chunkHashes()))
      .recover(err -> writer.settled()
        .compose(v -> mongo.removeDocuments(filesCollection, idQuery(id)))
        .compose(v -> removeChunks(id, writer.chunksCut()))
        .transform(cleaned -> Future.<StoredPayload>failedFuture(err)));
  }

  /** Removes chunks {@code 0 .. count - 1} by id, {@link #REMOVE_BATCH_CHUNKS} per delete; absent ones are skipped. */
  private Future<Void> removeChunks(ObjectId id, int count) {
    Future<Void> removed = Future.succeededFuture();
    for (int first = 0; first < count; first += REMOVE_BATCH_CHUNKS) {
      JsonObject query = chunkIdsQuery(id, first, Math.min(count, first + REMOVE_BATCH_CHUNKS));
      removed = removed.compose(v -> mongo.removeDocuments(chunksCollection, query).mapEmpty());
    }
    return removed;
  }

  private Future<JsonObject> filesDocument(ObjectId id) {
    return mongo.findOne(filesCollection, idQuery(id), lengthField());
  }

  /** Receives chunk {@code n}'s bytes, or {@code null} if it is missing; may throw to stop the walk. */
  @FunctionalInterface
  private interface ChunkVisitor {
    void visit(int n, byte[] data);
  }

  /**
   * Visits chunks {@code 0 .. count - 1} in order, fetching {@link #READ_BATCH_CHUNKS} per round trip; fails with
   * the first fetch error or the first exception the visitor throws.
   */
  private Future<Void> eachChunk(ObjectId id, int count, ChunkVisitor visitor) {
    Promise<Void> done = Promise.promise();
    visitFrom(id, 0, count, visitor, done);
    return done.future();
  }

  private void visitFrom(ObjectId id, int first, int count, ChunkVisitor visitor, Promise<Void> done) {
    if (first >= count) {
      done.complete();
      return;
    }
    int end = Math.min(count, first + READ_BATCH_CHUNKS);
    fetchChunks(id, first, end).onComplete(fetched -> {
      if (fetched.failed()) {
        done.fail(fetched.cause());
        return;
      }
      try {
        byte[][] chunks = fetched.result();
        for (int i = 0; i < chunks.length; i++) {
          visitor.visit(first + i, chunks[i]);
        }
      } catch (RuntimeException e) {
        done.fail(e);
        return;
      }
      // Each step continues from a database reply, so the walk does not deepen the stack.
      visitFrom(id, end, count, visitor, done);
    });
  }

  /**
   * Chunks {@code first .. end - 1} by {@code _id}, in chunk order; an element is {@code null} where the chunk is
   * missing. {@code $in} promises no order, so the documents are placed by their id.
   */
  private Future<byte[][]> fetchChunks(ObjectId id, int first, int end) {
    Map<String, Integer> positions = new HashMap<>();
    for (int n = first; n < end; n++) {
      positions.put(GridFsChunkWriter.chunkId(id, n), n - first);
    }
    FindOptions options = new FindOptions().setFields(new JsonObject().put("data", 1)).setBatchSize(end - first);
    return mongo.findWithOptions(chunksCollection, chunkIdsQuery(id, first, end), options).map(documents -> {
      byte[][] chunks = new byte[end - first][];
      for (JsonObject document : documents) {
        Integer position = positions.get(String.valueOf(document.getValue("_id")));
        if (position != null) {
          chunks[position] = GridFsChunkWriter.bytesOf(document);
        }
      }
      return chunks;
    });
  }

  private static JsonObject chunkIdsQuery(ObjectId id, int first, int end) {
    List<String> ids = new ArrayList<>(end - first);
    for (int n = first; n < end; n++) {
      ids.add(GridFsChunkWriter.chunkId(id, n));
    }
    return new JsonObject().put("_id", new JsonObject().put("$in", ids));
  }

  private static int chunkCount(long length) {
    return Math.toIntExact((length + CHUNK_SIZE - 1) / CHUNK_SIZE);
  }

  private static long lengthOf(JsonObject filesDocument) {
    return filesDocument.getLong("length", 0L);
  }

  private static JsonObject lengthField() {
    return new JsonObject().put("length", 1);
  }

  private static JsonObject idQuery(ObjectId id) {
    return new JsonObject().put("_id", oid(id));
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
   * Writes the requested slice of consecutive chunks to a response, fetching the next batch only once the response's
   * write queue has room. A missing or short chunk fails the send; if bytes already went out the response is reset,
   * because a truncated body with a correct status would look like a complete one.
   */
  private final class RangeSender {
    private final ObjectId id;
    private final long offset;
    private final long end;
    private final int lastChunk;
    private final HttpServerResponse response;
    private final Promise<Void> done = Promise.promise();
    private int nextChunk;
    private long written;

    RangeSender(ObjectId id, long offset, long length, int firstChunk, int lastChunk, HttpServerResponse response) {
      this.id = id;
      this.offset = offset;
      this.end = offset + length;
      this.nextChunk = firstChunk;
      this.lastChunk = lastChunk;
      this.response = response;
    }

    Future<Void> send() {
      fetchNext();
      return done.future();
    }

    private void fetchNext() {
      if (done.future().isComplete()) {
        return;
      }
      if (nextChunk > lastChunk) {
        finish();
        return;
      }
      int first = nextChunk;
      int batchEnd = Math.min(lastChunk + 1, first + READ_BATCH_CHUNKS);
      nextChunk = batchEnd;
      fetchChunks(id, first, batchEnd).onComplete(fetched -> {
        if (fetched.failed()) {
          fail(fetched.cause());
          return;
        }
        try {
          byte[][] chunks = fetched.result();
          for (int i = 0; i < chunks.length; i++) {
            if (!write(first + i, chunks[i])) {
              return;
            }
          }
          if (response.writeQueueFull()) {
            response.drainHandler(v -> {
              response.drainHandler(null);
              fetchNext();
            });
          } else {
            fetchNext();
          }
        } catch (RuntimeException e) {
          fail(e);
        }
      });
    }

    /** Writes this chunk's part of the range; {@code false} once the send has failed. */
    private boolean write(int n, byte[] data) {
      if (done.future().isComplete()) {
        return false;
      }
      if (data == null) {
        fail(new IllegalStateException("chunk " + n + " is missing"));
        return false;
      }
      long chunkStart = (long) n * CHUNK_SIZE;
      int from = (int) (Math.max(offset, chunkStart) - chunkStart);
      int to = (int) (Math.min(end, chunkStart + CHUNK_SIZE) - chunkStart);
      // Checked before writing: a short chunk inside the range would shift every byte after it.
      if (data.length < to) {
        fail(new IllegalStateException("chunk " + n + " is shorter than the requested range"));
        return false;
      }
      written += to - from;
      response.write(Buffer.buffer(data).slice(from, to)).onFailure(this::fail);
      return true;
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
      if (response.headWritten() && !response.ended()) {
        response.reset();
      }
    }
  }
}
