package dev.bucket.payload;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static dev.bucket.payload.PayloadStore.CHUNK_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour every {@link PayloadStore} must show; each store's test extends this and supplies the store plus the
 * store-specific ways to inspect and damage what it holds.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
abstract class PayloadStoreContractTest {

  /** Odd on purpose, so upload buffers never line up with chunk boundaries. */
  static final int PIECE = 10_007;
  static final long SEED = 42;

  protected PayloadStore store;
  private Context context;

  /** Creates an empty, initialised store. */
  protected abstract Future<PayloadStore> createStore(Vertx vertx);

  /** Fails unless the store holds no payload bytes at all, complete or partial. */
  protected abstract Future<Void> assertNothingStored();

  /** Flips the byte at {@code position} directly in the underlying storage, bypassing the store. */
  protected abstract Future<Void> tamper(StoredPayload payload, long position);

  /** Moves the store's clock past any grace it gives recent uploads before a purge may remove their bytes. */
  protected void passClaimGrace() {
  }

  @BeforeEach
  void createStoreAndContext(Vertx vertx, VertxTestContext test) {
    context = vertx.getOrCreateContext();
    createStore(vertx).onComplete(test.succeeding(created -> {
      store = created;
      test.completeNow();
    }));
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 12_345})
  void storedPayloadReadsBackWithIndependentlyComputedHashAndOneDigestPerChunk(int size, VertxTestContext test) {
    byte[] expected = GeneratedSource.bytes(size, PIECE, SEED);
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> store.read(payload.ref(), payload.size()).map(read -> {
        assertThat(payload.size()).isEqualTo(size);
        assertThat(payload.contentHash()).isEqualTo("sha256:" + sha256Hex(expected));
        assertThat(payload.chunkHashes()).hasSize((size + CHUNK_SIZE - 1) / CHUNK_SIZE);
        for (int i = 0; i < payload.chunkHashes().size(); i++) {
          byte[] slice = Arrays.copyOfRange(expected, i * CHUNK_SIZE, Math.min(size, (i + 1) * CHUNK_SIZE));
          assertThat(payload.chunkHashes().get(i)).as("chunk %d", i).isEqualTo(sha256Hex(slice));
        }
        assertThat(read.getBytes()).isEqualTo(expected);
        return null;
      }))
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void storingAnInMemoryBufferGivesTheSameDigestsAsStreamingIt(VertxTestContext test) {
    int size = 2 * CHUNK_SIZE + 99;
    Buffer bytes = Buffer.buffer(GeneratedSource.bytes(size, PIECE, SEED));
    storeGenerated(size, Long.MAX_VALUE)
      .compose(streamed -> onContext(() -> store.store(bytes)).compose(buffered ->
        store.read(buffered.ref(), buffered.size()).map(read -> {
          assertThat(buffered.contentHash()).isEqualTo(streamed.contentHash());
          assertThat(buffered.chunkHashes()).isEqualTo(streamed.chunkHashes());
          assertThat(buffered.size()).isEqualTo(size);
          assertThat(read).isEqualTo(bytes);
          return null;
        })))
      .onComplete(test.succeedingThenComplete());
  }

  @ParameterizedTest(name = "offset {0}, length {1}")
  @CsvSource({
    "0, 799432",            // everything
    "10, 100",              // inside the first chunk
    "262139, 10",           // across the first chunk boundary
    "262144, 262144",       // exactly the second chunk
    "100, 524388",          // spans three chunks
    "524289, 275143",       // from inside the third chunk to the end
    "799431, 1",            // the last byte
  })
  void rangeSendStreamsExactlyTheRequestedBytesOverHttp(long offset, long length, Vertx vertx,
                                                        VertxTestContext test) {
    int size = 3 * CHUNK_SIZE + 13_000;
    assertThat(size).as("the ranges above are written for this size").isEqualTo(799_432);
    byte[] expected = Arrays.copyOfRange(GeneratedSource.bytes(size, PIECE, SEED), (int) offset,
      (int) (offset + length));
    HttpClient client = vertx.createHttpClient();
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> vertx.createHttpServer()
        .requestHandler(request -> store.send(payload.ref(), offset, length, request.response()))
        .listen(0, "127.0.0.1"))
      .compose((HttpServer server) -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        .compose(request -> request.send())
        .compose(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("Content-Length")).isEqualTo(Long.toString(length));
          return response.body();
        }))
      .onComplete(test.succeeding(body -> test.verify(() -> {
        assertThat(body.getBytes()).isEqualTo(expected);
        test.completeNow();
      })));
  }

  @Test
  void uploadOverTheLimitFailsAsTooLargeStopsReadingAndLeavesNothingBehind(VertxTestContext test) {
    // Past the first 16-chunk batch, so the GridFS store has chunks to clean up when the limit trips.
    long total = 24L * CHUNK_SIZE;
    long limit = 18L * CHUNK_SIZE + 5;
    GeneratedSource source = new GeneratedSource(context, total, PIECE, SEED);
    onContext(() -> store.store(source, limit))
      .onComplete(test.failing(err -> test.verify(() -> {
        assertThat(err).isInstanceOf(PayloadTooLargeException.class);
        assertThat(((PayloadTooLargeException) err).limit()).isEqualTo(limit);
        assertThat(source.emitted()).isLessThan(total);
        assertNothingStored().onComplete(test.succeedingThenComplete());
      })));
  }

  @Test
  void uploadOfExactlyTheLimitIsAccepted(VertxTestContext test) {
    long size = 2L * CHUNK_SIZE + 7;
    storeGenerated(size, size).onComplete(test.succeeding(payload -> test.verify(() -> {
      assertThat(payload.size()).isEqualTo(size);
      test.completeNow();
    })));
  }

  @Test
  void sourceErrorFailsTheUploadWithThatErrorAndLeavesNothingBehind(VertxTestContext test) {
    IllegalStateException dropped = new IllegalStateException("connection reset");
    GeneratedSource source = new GeneratedSource(context, 20L * CHUNK_SIZE + 3, PIECE, SEED, dropped);
    onContext(() -> store.store(source, Long.MAX_VALUE))
      .onComplete(test.failing(err -> test.verify(() -> {
        assertThat(err).isSameAs(dropped);
        assertNothingStored().onComplete(test.succeedingThenComplete());
      })));
  }

  @Test
  void verifyReportsAnUntouchedPayloadAsIntact(VertxTestContext test) {
    storeGenerated(3L * CHUNK_SIZE + 5, Long.MAX_VALUE)
      .compose(payload -> verify(payload).map(report -> {
        assertThat(report.intact()).isTrue();
        assertThat(report.damaged()).isEmpty();
        assertThat(report.actualHash()).isEqualTo(payload.contentHash());
        assertThat(report.actualSize()).isEqualTo(payload.size());
        return null;
      }))
      .onComplete(test.succeedingThenComplete());
  }

  @ParameterizedTest(name = "byte {0}")
  @ValueSource(longs = {0, 2L * CHUNK_SIZE + 777, 4L * CHUNK_SIZE + 500})
  void verifyNamesExactlyTheChunkAndByteRangeHoldingATamperedByte(long position, VertxTestContext test) {
    long size = 4L * CHUNK_SIZE + 1000;
    int chunk = (int) (position / CHUNK_SIZE);
    long first = (long) chunk * CHUNK_SIZE;
    long last = Math.min(size, first + CHUNK_SIZE) - 1;
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> tamper(payload, position).compose(v -> verify(payload)).map(report -> {
        assertThat(report.intact()).isFalse();
        assertThat(report.damaged()).containsExactly(new IntegrityReport.DamagedRange(chunk, first, last));
        assertThat(report.actualHash()).isNotEqualTo(payload.contentHash());
        assertThat(report.actualSize()).isEqualTo(size);
        return null;
      }))
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void discardOfAnAbsentPayloadIsANoOp(VertxTestContext test) {
    storeGenerated(10, Long.MAX_VALUE)
      .compose(payload -> store.discard(payload.ref()).compose(v -> store.discard(payload.ref())))
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void purgeRemovesEveryByteAndReadsThenReportThePayloadMissing(VertxTestContext test) {
    long size = 2L * CHUNK_SIZE + 3;
    storeGenerated(size, Long.MAX_VALUE)
      .compose(payload -> {
        passClaimGrace();
        return store.purge(payload.ref())
          .compose(v -> store.read(payload.ref(), size).transform(read -> {
            assertThat(read.cause()).isInstanceOf(PayloadMissingException.class)
              .hasMessage(payload.ref() + " is missing");
            assertThat(((PayloadMissingException) read.cause()).ref()).isEqualTo(payload.ref());
            return verify(payload);
          }))
          .compose(report -> {
            assertThat(report.actualHash()).isEqualTo(PayloadDigest.MISSING);
            assertThat(report.intact()).isFalse();
            return store.purge(payload.ref());
          });
      })
      .compose(purgedAgain -> assertNothingStored())
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void purgeRemovesOnlyItsOwnPayload(VertxTestContext test) {
    Buffer keep = Buffer.buffer("keep me");
    onContext(() -> store.store(keep))
      .compose(kept -> storeGenerated(CHUNK_SIZE + 1, Long.MAX_VALUE)
        .compose(purged -> {
          passClaimGrace();
          return store.purge(purged.ref());
        })
        .compose(v -> store.read(kept.ref(), kept.size())))
      .onComplete(test.succeeding(read -> test.verify(() -> {
        assertThat(read).isEqualTo(keep);
        test.completeNow();
      })));
  }

  @Test
  void purgeRejectsMalformedRefs(VertxTestContext test) {
    store.purge("../../etc/passwd").onComplete(test.failing(err -> test.verify(() -> {
      assertThat(err).isInstanceOf(IllegalArgumentException.class);
      test.completeNow();
    })));
  }

  @Test
  void malformedRefsAreRejected(VertxTestContext test) {
    store.read("../../etc/passwd", 10).onComplete(test.failing(err -> test.verify(() -> {
      assertThat(err).isInstanceOf(IllegalArgumentException.class);
      test.completeNow();
    })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void sixtyFourMebibytesGeneratedOnDemandStreamThroughWithMatchingHash(VertxTestContext test) {
    long size = 64L * 1024 * 1024;
    int piece = 64 * 1024;
    String expected = generatedSha256(size, piece);
    onContext(() -> store.store(new GeneratedSource(context, size, piece, SEED), size))
      .onComplete(test.succeeding(payload -> test.verify(() -> {
        assertThat(payload.size()).isEqualTo(size);
        assertThat(payload.contentHash()).isEqualTo(expected);
        assertThat(payload.chunkHashes()).hasSize((int) (size / CHUNK_SIZE));
        test.completeNow();
      })));
  }

  protected Future<StoredPayload> storeGenerated(long size, long maxBytes) {
    return onContext(() -> store.store(new GeneratedSource(context, size, PIECE, SEED), maxBytes));
  }

  protected Future<IntegrityReport> verify(StoredPayload payload) {
    return store.verify(payload.ref(), payload.size(), payload.contentHash(), payload.chunkHashes());
  }

  /** Stores must be driven from the context that delivers the upload's events, as a request handler would. */
  protected <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String generatedSha256(long size, int piece) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (long offset = 0, index = 0; offset < size; offset += piece, index++) {
        digest.update(GeneratedSource.piece(SEED, index, (int) Math.min(piece, size - offset)));
      }
      return "sha256:" + HexFormat.of().formatHex(digest.digest());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
