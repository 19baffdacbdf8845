package dev.bucket.payload;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import dev.bucket.support.MutableClock;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FilesystemPayloadStoreTest extends PayloadStoreContractTest {

  static final Duration GRACE = Duration.ofMinutes(30);

  @TempDir
  Path root;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T18:00:00Z"));

  @Override
  protected Future<PayloadStore> createStore(Vertx vertx) {
    FilesystemPayloadStore created = new FilesystemPayloadStore(vertx, root, clock, GRACE);
    return created.cleanTemp().map(created);
  }

  @Override
  protected void passClaimGrace() {
    clock.advance(GRACE);
  }

  @Override
  protected Future<Void> assertNothingStored() {
    assertThat(filesUnder(root.resolve("tmp"))).isEmpty();
    assertThat(filesUnder(root.resolve("sha256"))).isEmpty();
    return Future.succeededFuture();
  }

  @Override
  protected Future<Void> tamper(StoredPayload payload, long position) {
    Path file = finalPath(payload);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
        raw.seek(position);
        int original = raw.read();
        raw.seek(position);
        raw.write(original ^ 0xFF);
      }
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return Future.succeededFuture();
  }

  @Test
  void payloadLandsReadOnlyAtItsContentAddressWithTheHashAsRef(VertxTestContext test) {
    storeGenerated(1000, Long.MAX_VALUE).onComplete(test.succeeding(payload -> test.verify(() -> {
      String hex = payload.contentHash().substring("sha256:".length());
      Path file = root.resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
      assertThat(payload.ref()).isEqualTo(payload.contentHash());
      assertThat(file).hasSize(1000);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("r--r--r--");
      assertThat(filesUnder(root.resolve("tmp"))).isEmpty();
      test.completeNow();
    })));
  }

  @Test
  void identicalUploadsShareOneFileAndLeaveNoTempBehind(VertxTestContext test) {
    Buffer bytes = Buffer.buffer("{\"same\":true}");
    onContext(() -> store.store(bytes))
      .compose(first -> onContext(() -> store.store(bytes)).map(second -> {
        assertThat(second.ref()).isEqualTo(first.ref());
        assertThat(filesUnder(root.resolve("sha256"))).containsExactly(finalPath(first));
        assertThat(filesUnder(root.resolve("tmp"))).isEmpty();
        return null;
      }))
      .onComplete(test.succeedingThenComplete());
  }

  @Test
  void cleanTempDeletesLeftoversOfACrashedUpload(VertxTestContext test) throws IOException {
    Files.write(root.resolve("tmp").resolve("crashed-upload"), new byte[100]);
    ((FilesystemPayloadStore) store).cleanTemp().onComplete(test.succeeding(v -> test.verify(() -> {
      assertThat(filesUnder(root.resolve("tmp"))).isEmpty();
      test.completeNow();
    })));
  }

  private Path finalPath(StoredPayload payload) {
    return ((FilesystemPayloadStore) store).pathFor(payload.ref());
  }

  private static List<Path> filesUnder(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void purgeWithinTheClaimGraceKeepsTheBytesWhereTheyAre(VertxTestContext test) {
    Buffer bytes = Buffer.buffer("{\"claimed\":true}");
    onContext(() -> store.store(bytes)).compose(payload -> {
      clock.advance(GRACE.minusMillis(1));
      return store.purge(payload.ref()).transform(deferred -> {
        assertThat(deferred.cause()).isInstanceOf(PurgeDeferredException.class);
        assertThat(((PurgeDeferredException) deferred.cause()).retryAfter())
          .isEqualTo(Instant.parse("2026-11-22T18:30:00Z"));
        assertThat(finalPath(payload)).exists();
        assertThat(filesUnder(root.resolve("purging"))).isEmpty();
        clock.advance(Duration.ofMillis(1));
        return store.purge(payload.ref());
      }).map(v -> {
        assertThat(finalPath(payload)).doesNotExist();
        assertThat(filesUnder(root.resolve("purging"))).isEmpty();
        return null;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void anIdenticalUploadRenewsTheClaimOnTheSharedFile(VertxTestContext test) {
    Buffer bytes = Buffer.buffer("{\"same\":true}");
    onContext(() -> store.store(bytes)).compose(first -> {
      clock.advance(GRACE.multipliedBy(3));
      return onContext(() -> store.store(bytes)).compose(second -> {
        assertThat(second.ref()).isEqualTo(first.ref());
        return store.purge(first.ref());
      });
    }).onComplete(test.failing(err -> test.verify(() -> {
      assertThat(err).isInstanceOf(PurgeDeferredException.class);
      test.completeNow();
    })));
  }

  @Test
  void anUploadAfterAPurgeWritesTheBytesAfresh(VertxTestContext test) {
    Buffer bytes = Buffer.buffer("{\"again\":true}");
    onContext(() -> store.store(bytes)).compose(first -> {
      passClaimGrace();
      return store.purge(first.ref())
        .compose(v -> onContext(() -> store.store(bytes)))
        .compose(second -> store.read(second.ref(), second.size()));
    }).onComplete(test.succeeding(read -> test.verify(() -> {
      assertThat(read).isEqualTo(bytes);
      test.completeNow();
    })));
  }

  @Test
  void cleanTempPutsBackAFileACrashLeftHalfWayThroughAPurge(VertxTestContext test) {
    Buffer bytes = Buffer.buffer("{\"interrupted\":true}");
    onContext(() -> store.store(bytes)).compose(payload -> {
      Path quarantined = root.resolve("purging")
        .resolve(finalPath(payload).getFileName() + ".7a1c9e4e-2f51-4d0b-9a53-1d1f3c1b2a90");
      try {
        Files.move(finalPath(payload), quarantined);
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
      return ((FilesystemPayloadStore) store).cleanTemp().compose(v -> {
        assertThat(filesUnder(root.resolve("purging"))).isEmpty();
        return store.read(payload.ref(), payload.size());
      });
    }).onComplete(test.succeeding(read -> test.verify(() -> {
      assertThat(read).isEqualTo(bytes);
      test.completeNow();
    })));
  }

  @Test
  void discardKeepsContentAddressedBytesThatAnotherArtifactMayShare(VertxTestContext test) {
    storeGenerated(1000, Long.MAX_VALUE)
      .compose(payload -> store.discard(payload.ref()).compose(v -> verify(payload)))
      .onComplete(test.succeeding(report -> test.verify(() -> {
        assertThat(report.intact()).isTrue();
        test.completeNow();
      })));
  }
}
