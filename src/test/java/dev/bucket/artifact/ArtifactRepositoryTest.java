package dev.bucket.artifact;

import dev.bucket.audit.AuditQueries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.bucket.storage.RocksStore;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Artifact versions and their index keys on an embedded store. */
@ExtendWith(VertxExtension.class)
class ArtifactRepositoryTest {

  @TempDir
  Path dir;
  private Store store;
  private ArtifactRepository artifacts;

  @BeforeEach
  void open(Vertx vertx) {
    store = RocksStore.open(vertx, dir, RocksStore.Settings.defaults()).await();
    artifacts = new ArtifactRepository(store, 100);
  }

  @AfterEach
  void close() {
    store.close().await();
  }

  private static Artifact version(String product, String id, String artifactClass, int version, String createdAt,
                                  String payloadRef, String idempotencyKey) {
    return new Artifact(product, id, artifactClass, version, createdAt, "integration-1", "hash-" + id + version,
        100L * version, "application/json", null, new JsonObject(), payloadRef, List.of(), idempotencyKey, 1, 1);
  }

  private static Artifact version(String product, String id, int version) {
    return version(product, id, "report", version, "2026-11-22T18:00:00.000Z", "ref-" + id + version, null);
  }

  private void insert(Artifact... versions) {
    for (Artifact version : versions) {
      artifacts.insert(version).await();
    }
  }

  private static Throwable failureOf(Future<?> future) {
    return future.transform(result -> Future.succeededFuture(result.cause())).await();
  }

  @Test
  void versionsSortNumericallySoTheNewestIsTheLastKey() {
    for (int v = 1; v <= 12; v++) {
      insert(version("prod-a", "report", v));
    }
    insert(version("prod-a", "report-2", 1));
    ArtifactRepository fresh = new ArtifactRepository(store, 100);
    assertThat(fresh.findLatestUncached("prod-a", "report").await().version()).isEqualTo(12);
    assertThat(fresh.findLatest("prod-a", "missing").await()).isNull();
    assertThat(fresh.versions("prod-a", "report", 9, 11).await()).extracting(Artifact::version)
        .containsExactly(9, 10, 11);
    assertThat(fresh.versions("prod-a", "report").await()).extracting(Artifact::version)
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
  }

  @Test
  void aTakenVersionAndATakenIdempotencyKeyFailApartAndWriteNothing() {
    Artifact keyed = version("prod-a", "first", "report", 1, "2026-11-22T18:00:00.000Z", "ref-1", "key-1");
    insert(keyed);
    Artifact sameKey = version("prod-a", "second", "report", 1, "2026-11-22T18:00:00.000Z", "ref-2", "key-1");
    assertThat(failureOf(artifacts.insert(sameKey))).isInstanceOf(IdempotencyKeyTakenException.class);
    assertThat(failureOf(artifacts.insert(version("prod-a", "first", 1))))
        .isInstanceOf(DuplicateArtifactException.class);

    assertThat(artifacts.findVersion("prod-a", "second", 1).await()).isNull();
    assertThat(artifacts.findByIdempotencyKey("prod-a", "key-1").await()).isEqualTo(keyed);
    assertThat(artifacts.findByIdempotencyKey("prod-b", "key-1").await()).as("keys are per product").isNull();
    assertThat(artifacts.usageByProduct().await().get("prod-a")).containsExactly(100, 1);
  }

  @Test
  void listingPagesThroughFirstVersionsInIdOrderPerProductAndClass() {
    insert(version("prod-a", "b", 1), version("prod-a", "b", 2), version("prod-a", "a", 1),
        version("prod-a", "c", "notes", 1, "2026-11-22T18:00:00.000Z", "ref-c", null),
        version("prod-a", "a-b", 1), version("prod-b", "a", 1));
    assertThat(artifacts.list("prod-a", null, null, 2).await()).extracting(Artifact::artifactId)
        .containsExactly("a", "a-b");
    assertThat(artifacts.list("prod-a", null, "a-b", 2).await()).extracting(Artifact::artifactId, Artifact::version)
        .containsExactly(tuple("b", 1), tuple("c", 1));
    assertThat(artifacts.list("prod-a", null, "c", 2).await()).isEmpty();
    assertThat(artifacts.list("prod-a", "report", "a", 10).await()).extracting(Artifact::artifactId)
        .containsExactly("a-b", "b");
    assertThat(artifacts.list("prod-a", "notes", null, 10).await()).extracting(Artifact::artifactId)
        .containsExactly("c");
  }

  @Test
  void usageHoldersAndPayloadReferencesAreReadFromTheirOwnKeys() {
    insert(version("prod-a", "shared", "report", 1, "2026-11-22T18:00:00.000Z", "ref-x", null),
        version("prod-a", "shared", "report", 2, "2026-11-22T18:00:00.000Z", "ref-y", null),
        version("prod-b", "shared", "report", 1, "2026-11-22T18:00:00.000Z", "ref-x", null),
        version("prod-b", "other", 1));
    ArtifactRepository restarted = new ArtifactRepository(store, 100);
    var usage = restarted.usageByProduct().await();
    assertThat(usage).containsOnlyKeys("prod-a", "prod-b");
    assertThat(usage.get("prod-a")).containsExactly(300, 2);
    assertThat(usage.get("prod-b")).containsExactly(200, 2);
    assertThat(restarted.productsHolding("shared").await()).containsExactly("prod-a", "prod-b");
    assertThat(restarted.productsHolding("sha").await()).isEmpty();
    assertThat(restarted.referencing("ref-x").await()).containsExactly("prod-a/shared/1", "prod-b/shared/1");
    assertThat(store.scan(Space.ARTIFACTS, null, null, 100, false).await()).hasSize(4);
  }

  @Test
  void everyStoredVersionIsMarkedAsWaitingForItsCommitEntryInPagesRecoveryCanRead() {
    insert(version("prod-a", "x", "report", 1, "2026-11-22T18:00:01.000Z", "ref-2", null),
        version("prod-b", "y", "report", 1, "2026-11-22T18:00:00.000Z", "ref-3", null),
        version("prod-a", "x", "report", 2, "2026-11-22T18:00:02.000Z", "ref-4", null));
    AuditQueries queries = new AuditQueries(store);
    List<AuditQueries.Uncommitted> first = queries.uncommitted(null, 2).await();
    List<AuditQueries.Uncommitted> second = queries.uncommitted(first.get(1).marker(), 2).await();
    assertThat(first).extracting(u -> u.product() + "/" + u.artifactId() + "/" + u.version())
        .containsExactly("prod-a/x/1", "prod-a/x/2");
    assertThat(second).extracting(u -> u.product() + "/" + u.artifactId() + "/" + u.version())
        .containsExactly("prod-b/y/1");
  }
}
