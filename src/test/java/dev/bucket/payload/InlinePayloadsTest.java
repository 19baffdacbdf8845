package dev.bucket.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.storage.Batch;
import dev.bucket.storage.Keys;
import dev.bucket.storage.RocksStore;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Small in-memory payloads live in the store, with the same hashes, reads, verification and purges as files. */
@ExtendWith(VertxExtension.class)
class InlinePayloadsTest {

  @TempDir
  Path dir;
  Store store;
  PayloadStore payloads;

  @BeforeEach
  void open(Vertx vertx) {
    store = RocksStore.open(vertx, dir.resolve("store"), RocksStore.Settings.defaults()).await();
    FilesystemPayloadStore files = new FilesystemPayloadStore(vertx, dir.resolve("payloads"));
    files.cleanTemp().await(); // creates its directories, as a node does at start
    payloads = new InlinePayloads(store, files, 1024);
  }

  @AfterEach
  void close() {
    store.close().await();
  }

  @Test
  void aSmallPayloadIsStoredInlineWithTheHashItsBytesHaveAndNoFile() throws Exception {
    Buffer bytes = Buffer.buffer("{\"text\":\"hello\"}");
    StoredPayload stored = payloads.store(bytes).await();
    PayloadDigest expected = new PayloadDigest();
    expected.update(bytes);
    assertThat(stored.ref()).startsWith("inline:");
    assertThat(stored.contentHash()).isEqualTo(expected.finish());
    assertThat(stored.size()).isEqualTo(bytes.length());
    assertThat(payloads.read(stored.ref(), stored.size()).await()).isEqualTo(bytes);
    assertThat(payloads.verify(stored.ref(), stored.size(), stored.contentHash(), stored.chunkHashes()).await()
        .intact()).isTrue();
    assertThat(regularFiles(dir.resolve("payloads"))).isZero();
  }

  @Test
  void identicalSmallPayloadsGetRefsOfTheirOwnSoPurgingOneKeepsTheOther() {
    Buffer bytes = Buffer.buffer("same bytes");
    StoredPayload first = payloads.store(bytes).await();
    StoredPayload second = payloads.store(bytes).await();
    assertThat(first.ref()).isNotEqualTo(second.ref());
    payloads.purge(first.ref()).await();
    assertThatThrownBy(() -> payloads.read(first.ref(), first.size()).await())
        .isInstanceOf(PayloadMissingException.class);
    assertThat(payloads.verify(first.ref(), first.size(), first.contentHash(), first.chunkHashes()).await()
        .actualHash()).isEqualTo(PayloadDigest.MISSING);
    assertThat(payloads.read(second.ref(), second.size()).await()).isEqualTo(bytes);
  }

  @Test
  void aTamperedInlinePayloadFailsVerification() {
    StoredPayload stored = payloads.store(Buffer.buffer("original bytes")).await();
    String key = Keys.of(stored.ref().substring("inline:".length()));
    store.commit(new Batch().put(Space.PAYLOADS, key,
        new JsonObject().put("bytes", "Original bytes".getBytes()))).await();
    assertThat(payloads.verify(stored.ref(), stored.size(), stored.contentHash(), stored.chunkHashes()).await()
        .intact()).isFalse();
  }

  @Test
  void aLargerPayloadGoesToTheFileStore() throws Exception {
    StoredPayload stored = payloads.store(Buffer.buffer(new byte[2048])).await();
    assertThat(stored.ref()).doesNotStartWith("inline:");
    assertThat(payloads.read(stored.ref(), stored.size()).await().length()).isEqualTo(2048);
    assertThat(regularFiles(dir.resolve("payloads"))).isEqualTo(1);
  }

  @Test
  void aMalformedInlineRefIsRefused() {
    assertThatThrownBy(() -> payloads.read("inline:../../etc", 1).await())
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static long regularFiles(Path root) throws Exception {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
