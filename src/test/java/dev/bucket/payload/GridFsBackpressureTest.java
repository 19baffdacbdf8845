package dev.bucket.payload;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.MongoClientBulkWriteResult;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives the GridFS store against a MongoDB stand-in whose chunk inserts complete only when the test says so, to
 * show that an upload is paused while inserts are outstanding instead of piling up in memory.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class GridFsBackpressureTest {

  private static final long BATCH_BYTES = (long) GridFsChunkWriter.BATCH_CHUNKS * PayloadStore.CHUNK_SIZE;
  private static final int PIECE = 64 * 1024;

  private final Deque<Promise<MongoClientBulkWriteResult>> unacknowledged = new ArrayDeque<>();

  @Test
  void uploadPausesWithAtMostTwoBatchesBufferedWhileInsertsAreUnacknowledged(Vertx vertx, VertxTestContext test) {
    long size = 6 * BATCH_BYTES;
    Context context = vertx.getOrCreateContext();
    GeneratedSource source = new GeneratedSource(context, size, PIECE, 1);
    GridFsPayloadStore store = new GridFsPayloadStore(stalledMongo(), "payloads");
    context.runOnContext(v -> store.store(source, Long.MAX_VALUE)
      .onComplete(test.succeeding(payload -> test.verify(() -> {
        assertThat(payload.size()).isEqualTo(size);
        test.completeNow();
      }))));

    vertx.setTimer(300, stalled -> context.runOnContext(v -> test.verify(() -> {
      // One batch in flight, one full batch queued behind it, and the upload paused right there.
      assertThat(unacknowledged).hasSize(1);
      assertThat(source.emitted()).isGreaterThanOrEqualTo(2 * BATCH_BYTES).isLessThanOrEqualTo(2 * BATCH_BYTES + PIECE);
      vertx.setPeriodic(5, acknowledge -> {
        Promise<MongoClientBulkWriteResult> next = unacknowledged.poll();
        if (next != null) {
          next.complete(new MongoClientBulkWriteResult());
        }
      });
    })));
  }

  /** Answers chunk batches with promises the test completes, and the files document immediately. */
  private MongoClient stalledMongo() {
    return (MongoClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{MongoClient.class},
      (proxy, method, args) -> switch (method.getName()) {
        case "bulkWrite" -> {
          Promise<MongoClientBulkWriteResult> insert = Promise.promise();
          unacknowledged.add(insert);
          yield insert.future();
        }
        case "insert" -> Future.succeededFuture("files");
        default -> throw new UnsupportedOperationException(method.getName());
      });
  }
}
