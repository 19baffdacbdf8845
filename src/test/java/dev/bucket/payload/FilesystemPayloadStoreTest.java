package dev.bucket.payload;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FilesystemPayloadStoreTest extends PayloadStoreContractTest {

  @TempDir
  Path root;

  @Override
  protected Future<PayloadStore> createStore(Vertx vertx) {
    FilesystemPayloadStore created = new FilesystemPayloadStore(vertx, root);
    return created.cleanTemp().map(created);
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
  void discardKeepsContentAddressedBytesThatAnotherArtifactMayShare(VertxTestContext test) {
    storeGenerated(1000, Long.MAX_VALUE)
      .compose(payload -> store.discard(payload.ref()).compose(v -> verify(payload)))
      .onComplete(test.succeeding(report -> test.verify(() -> {
        assertThat(report.intact()).isTrue();
        test.completeNow();
      })));
  }
}
