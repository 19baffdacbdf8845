package dev.bucket.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.payload.FilesystemPayloadStore;
import dev.bucket.payload.PayloadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TombstonerFilesystemTest extends TombstonerContractTest {

  static final Duration GRACE = Duration.ofHours(1);

  @TempDir
  Path root;

  @Override
  protected Future<PayloadStore> createStore(Vertx vertx) {
    FilesystemPayloadStore created = new FilesystemPayloadStore(vertx, root, clock, GRACE);
    return created.cleanTemp().map(created);
  }

  @Test
  void identicalBytesUploadedTwiceShareOneRefAndAreKeptForTheLiveVersion(VertxTestContext test) {
    version("report", 1, "same bytes").compose(v1 -> version("copy", 1, "same bytes").compose(v2 -> {
      assertThat(v2.payloadRef()).isEqualTo(v1.payloadRef());
      clock.set(EXPIRY.plusSeconds(1));
      return tombstoner.tombstone(v1, POLICY, "owner", null);
    })).onComplete(test.succeeding(result -> test.verify(() -> {
      assertThat(result.purge().status()).isEqualTo(PurgeOutcome.Status.SHARED);
      assertThat(result.purge().sharedWith()).isEqualTo("prod-a/copy/1");
      test.completeNow();
    })));
  }

  @Test
  void anUploadOfTheSameBytesInFlightDefersThePurge(VertxTestContext test) {
    version("report", 1, "same bytes").compose(v1 -> {
      clock.set(EXPIRY.plusSeconds(1));
      // A new upload of identical bytes whose version document is not written yet: invisible to the reference check.
      return onContext(() -> payloads.store(Buffer.buffer("same bytes")))
          .compose(inFlight -> tombstoner.tombstone(v1, POLICY, "owner", null))
          .compose(result -> {
            assertThat(result.purge().status()).isEqualTo(PurgeOutcome.Status.DEFERRED);
            assertThat(result.purge().retryAfter()).isEqualTo(EXPIRY.plusSeconds(1).plus(GRACE));
            return readBack(v1);
          })
          .compose(bytes -> {
            assertThat(bytes.toString()).isEqualTo("same bytes");
            clock.advance(GRACE);
            // Its document never appeared (the upload was abandoned): the bytes go now.
            return tombstoner.purge(v1);
          });
    }).onComplete(test.succeeding(retried -> test.verify(() -> {
      assertThat(retried.status()).isEqualTo(PurgeOutcome.Status.PURGED);
      test.completeNow();
    })));
  }
}
