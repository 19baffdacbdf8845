package dev.bucket.payload;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import io.vertx.junit5.VertxTestContext;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.bucket.payload.PayloadStore.CHUNK_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

class GridFsPayloadStoreTest extends PayloadStoreContractTest {

  private static final String FILES = "payloads.files";
  private static final String CHUNKS = "payloads.chunks";

  private MongoServer server;
  private MongoClient mongo;
  /** Chunk reads the store issued, counted by a proxy between the store and the client. */
  private final AtomicInteger chunkFetches = new AtomicInteger();

  @Override
  protected Future<PayloadStore> createStore(Vertx vertx) {
    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    int port = server.getLocalAddress().getPort();
    mongo = MongoClient.create(vertx, new JsonObject()
      .put("connection_string", "mongodb://127.0.0.1:" + port)
      .put("db_name", "test"));
    GridFsPayloadStore created = new GridFsPayloadStore(countingChunkFetches(mongo), "payloads");
    return created.init().map(created);
  }

  private MongoClient countingChunkFetches(MongoClient target) {
    return (MongoClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{MongoClient.class},
      (proxy, method, args) -> {
        if (method.getName().startsWith("find") && args != null && CHUNKS.equals(args[0])) {
          chunkFetches.incrementAndGet();
        }
        try {
          return method.invoke(target, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });
  }

  @AfterEach
  void stopMongo() {
    mongo.close();
    server.shutdownNow();
  }

  @Override
  protected Future<Void> assertNothingStored() {
    return mongo.count(FILES, new JsonObject())
      .compose(files -> mongo.count(CHUNKS, new JsonObject()).map(chunks -> {
        assertThat(files).as("files documents").isZero();
        assertThat(chunks).as("chunk documents").isZero();
        return null;
      }));
  }

  @Override
  protected Future<Void> tamper(StoredPayload payload, long position) {
    JsonObject chunk = new JsonObject().put("files_id", filesId(payload)).put("n", (int) (position / CHUNK_SIZE));
    return mongo.findOne(CHUNKS, chunk, null).compose(document -> {
      byte[] data = GridFsChunkWriter.bytesOf(document);
      data[(int) (position % CHUNK_SIZE)] ^= (byte) 0xFF;
      JsonObject update = new JsonObject().put("$set", new JsonObject().put("data", GridFsChunkWriter.binary(data)));
      return mongo.updateCollection(CHUNKS, chunk, update).mapEmpty();
    });
  }

  @Test
  void documentsFollowTheGridFsSpecAndTheBarrierRunsBeforeCompletion(VertxTestContext test) {
    long size = 2L * CHUNK_SIZE + 10;
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> mongo.findOne(FILES, new JsonObject(), null)
        .compose(files -> mongo.find(CHUNKS, new JsonObject()).map(chunks -> {
          assertThat(payload.ref()).isEqualTo("gridfs:" + filesId(payload).getString("$oid"));
          assertThat(files.fieldNames())
            .containsExactlyInAnyOrder("_id", "length", "chunkSize", "uploadDate", "filename", "metadata");
          assertThat(files.getJsonObject("_id")).isEqualTo(filesId(payload));
          assertThat(files.getLong("length")).isEqualTo(size);
          assertThat(files.getInteger("chunkSize")).isEqualTo(CHUNK_SIZE);
          assertThat(files.getJsonObject("uploadDate").getString("$date")).isNotBlank();
          assertThat(files.getString("filename")).isEqualTo(payload.contentHash());
          assertThat(files.getJsonObject("metadata").getString("contentHash")).isEqualTo(payload.contentHash());
          assertThat(chunks).hasSize(3);
          for (JsonObject chunk : chunks) {
            assertThat(chunk.fieldNames()).containsExactlyInAnyOrder("_id", "files_id", "n", "data");
            assertThat(chunk.getJsonObject("files_id")).isEqualTo(filesId(payload));
            int n = chunk.getInteger("n");
            assertThat(GridFsChunkWriter.bytesOf(chunk)).hasSize(n < 2 ? CHUNK_SIZE : 10);
          }
          return null;
        })))
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void verifyReportsAMissingChunkAsDamagedAndLeavesTheOthersIntact(VertxTestContext test) {
    long size = 3L * CHUNK_SIZE + 1;
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> removeChunk(payload, 1)
        .compose(v -> verify(payload))
        .map(report -> {
          assertThat(report.damaged())
            .containsExactly(new IntegrityReport.DamagedRange(1, CHUNK_SIZE, 2L * CHUNK_SIZE - 1));
          assertThat(report.actualSize()).isEqualTo(size - CHUNK_SIZE);
          return null;
        }))
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void readFailsInsteadOfReturningAPayloadWithAMissingChunk(VertxTestContext test) {
    long size = 3L * CHUNK_SIZE;
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> removeChunk(payload, 0).compose(v -> store.read(payload.ref(), size)))
      .onComplete(test.failing(err -> test.verify(() -> {
        assertThat(err).isInstanceOf(IllegalStateException.class);
        test.completeNow();
      })));
  }

  @Test
  void rangeSendOverAMissingChunkFailsAndResetsTheResponseRatherThanTruncateIt(Vertx vertx, VertxTestContext test) {
    long size = 3L * CHUNK_SIZE;
    Promise<Void> sent = Promise.promise();
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> removeChunk(payload, 1).compose(v -> vertx.createHttpServer()
        .requestHandler(request -> store.send(payload.ref(), 0, size, request.response()).onComplete(sent))
        .listen(0, "127.0.0.1")))
      .compose(server -> vertx.createHttpClient()
        .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        .compose(request -> request.send())
        .compose(response -> response.body()))
      .onComplete(test.failing(clientError -> sent.future().onComplete(test.failing(err -> test.verify(() -> {
        assertThat(err).hasMessageContaining("chunk 1 is missing");
        test.completeNow();
      })))));
  }

  private Future<Void> removeChunk(StoredPayload payload, int n) {
    return mongo.removeDocuments(CHUNKS, new JsonObject().put("files_id", filesId(payload)).put("n", n)).mapEmpty();
  }

  private static JsonObject filesId(StoredPayload payload) {
    return new JsonObject().put("$oid", payload.ref().substring(GridFsPayloadStore.REF_PREFIX.length()));
  }

  @Test
  void aDiscardedUploadIsGoneAndVerifyReportsEveryChunkMissing(VertxTestContext test) {
    long size = 2L * CHUNK_SIZE + 1;
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> store.discard(payload.ref()).compose(v -> verify(payload)).map(report -> {
        assertThat(report.actualHash()).isEqualTo(PayloadDigest.MISSING);
        assertThat(report.damaged()).containsExactly(
          new IntegrityReport.DamagedRange(0, 0, CHUNK_SIZE - 1),
          new IntegrityReport.DamagedRange(1, CHUNK_SIZE, 2L * CHUNK_SIZE - 1),
          new IntegrityReport.DamagedRange(2, 2L * CHUNK_SIZE, size - 1));
        return null;
      }))
      .compose(v -> assertNothingStored())
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void purgeRemovesChunksByIdBeforeTheFilesDocumentAndWaitsForTheBarrier(VertxTestContext test) {
    int size = 3 * CHUNK_SIZE + 1;
    JsonObject unsetFilesId = new JsonObject().put("$unset", new JsonObject().put("files_id", ""));
    storeGenerated(size, Long.MAX_VALUE)
      // Chunks are addressed by their _id alone: without files_id they are still found.
      .compose(payload -> mongo.updateCollectionWithOptions(CHUNKS, new JsonObject(), unsetFilesId,
          new UpdateOptions().setMulti(true))
        .compose(v -> store.purge(payload.ref())))
      .compose(v -> assertNothingStored())
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void aPurgeInterruptedAfterTheChunksIsCompletedByARetry(VertxTestContext test) {
    storeGenerated(2L * CHUNK_SIZE, Long.MAX_VALUE)
      // As if a purge stopped after deleting the chunks: the files document, with the length, is still there.
      .compose(payload -> mongo.removeDocuments(CHUNKS, new JsonObject())
        .compose(v -> store.purge(payload.ref())))
      .compose(v -> assertNothingStored())
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void chunkIdsAreTheFilesIdAndTheChunkNumber(VertxTestContext test) {
    long size = 3L * CHUNK_SIZE + 1;
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> mongo.findWithOptions(CHUNKS, new JsonObject(),
          new FindOptions().setSort(new JsonObject().put("n", 1)))
        .map(chunks -> {
          String hex = filesId(payload).getString("$oid");
          assertThat(chunks).extracting(chunk -> chunk.getValue("_id"))
            .containsExactly(hex + "/0", hex + "/1", hex + "/2", hex + "/3");
          for (JsonObject chunk : chunks) {
            assertThat(chunk.getString("_id"))
              .isEqualTo(GridFsChunkWriter.chunkId(new ObjectId(hex), chunk.getInteger("n")));
          }
          return null;
        }))
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void readVerifyAndDiscardFindChunksByIdNotByFilesId(VertxTestContext test) {
    int size = 3 * CHUNK_SIZE + 12_345;
    byte[] expected = GeneratedSource.bytes(size, PIECE, SEED);
    JsonObject unsetFilesId = new JsonObject().put("$unset", new JsonObject().put("files_id", ""));
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> mongo.updateCollectionWithOptions(CHUNKS, new JsonObject(), unsetFilesId,
          new UpdateOptions().setMulti(true))
        .compose(updated -> {
          assertThat(updated.getDocModified()).isEqualTo(4);
          return store.read(payload.ref(), size);
        })
        .compose(read -> {
          assertThat(read.getBytes()).isEqualTo(expected);
          return verify(payload);
        })
        .compose(report -> {
          assertThat(report.intact()).isTrue();
          return store.discard(payload.ref());
        }))
      .compose(v -> assertNothingStored())
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void discardAfterTheFilesDocumentIsGoneStillRemovesTheChunks(VertxTestContext test) {
    storeGenerated(2L * CHUNK_SIZE + 1, Long.MAX_VALUE)
      .compose(payload -> mongo.removeDocuments(FILES, new JsonObject().put("_id", filesId(payload)))
        .compose(v -> store.discard(payload.ref())))
      .compose(v -> assertNothingStored())
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void readOfAPayloadWithoutAFilesDocumentFails(VertxTestContext test) {
    storeGenerated(10, Long.MAX_VALUE)
      .compose(payload -> mongo.removeDocuments(FILES, new JsonObject().put("_id", filesId(payload)))
        .compose(v -> store.read(payload.ref(), payload.size())))
      .onComplete(test.failing(err -> test.verify(() -> {
        assertThat(err).isInstanceOf(IllegalStateException.class).hasMessageContaining("is missing");
        test.completeNow();
      })));
  }

  @Test
  void rangeSendFetchesNoFurtherChunksWhileTheClientIsNotReading(Vertx vertx, VertxTestContext test) {
    long size = 128L * CHUNK_SIZE;
    int batches = 32;
    // Small socket buffers, so what the kernel absorbs does not depend on the machine's TCP autotuning.
    int socketBuffer = 64 * 1024;
    Promise<Void> sent = Promise.promise();
    int[] fetchesWhilePaused = new int[1];
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> vertx.createHttpServer(new HttpServerOptions().setSendBufferSize(socketBuffer))
        .requestHandler(request -> {
          chunkFetches.set(0);
          store.send(payload.ref(), 0, size, request.response()).onComplete(sent);
        })
        .listen(0, "127.0.0.1"))
      .compose(server -> vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(socketBuffer))
        .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        .compose(request -> request.send()))
      .compose(response -> {
        response.pause();
        Promise<Void> waited = Promise.promise();
        vertx.setTimer(1000, t -> {
          fetchesWhilePaused[0] = chunkFetches.get();
          waited.complete();
        });
        return waited.future().compose(v -> {
          long[] received = new long[1];
          Promise<Long> body = Promise.promise();
          response.handler(buffer -> received[0] += buffer.length());
          response.exceptionHandler(body::tryFail);
          response.endHandler(v2 -> body.tryComplete(received[0]));
          response.resume();
          return body.future();
        });
      })
      .compose(received -> sent.future().map(v -> {
        // Only what fits in the buffers went out: the rest was not even fetched.
        assertThat(fetchesWhilePaused[0]).isPositive().isLessThan(batches / 2);
        assertThat(chunkFetches).hasValue(batches);
        assertThat(received).isEqualTo(size);
        return null;
      }))
      .onComplete(test.succeedingThenComplete());
  }
}
