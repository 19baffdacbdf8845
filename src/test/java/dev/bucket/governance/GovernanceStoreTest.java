package dev.bucket.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.storage.RocksStore;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Rule and schema versions kept by several nodes over one store: each is created once, and every node sees it. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class GovernanceStoreTest {

  static final Principal OWNER = new Principal("owner", Role.OWNER, null);
  static final Principal EXECUTOR = new Principal("executor:e", Role.EXECUTOR, null);

  @TempDir
  Path dir;

  Store store;

  @BeforeEach
  void openStore(Vertx vertx) {
    store = RocksStore.open(vertx, dir.resolve("store"), RocksStore.Settings.defaults()).await();
  }

  @AfterEach
  void closeStore() {
    store.close().await();
  }

  GovernanceStore node() {
    return GovernanceStore.open(store, Clock.systemUTC(), Path.of("conf", "governance.json"),
        Path.of("conf", "schemas"), 100).await();
  }

  /** model_checkpoint's active schema plus one metadata field. */
  static JsonObject checkpointWith(GovernanceStore node, String field) {
    var versions = node.schemas().history("model_checkpoint");
    JsonObject schema = versions.get(versions.size() - 1).schema();
    schema.getJsonObject("properties").getJsonObject("metadata").getJsonObject("properties")
        .put(field, new JsonObject().put("type", "string"));
    return schema;
  }

  @Test
  void aSchemaApprovedOnOneNodeIsActiveOnAnotherAfterItsRefreshAndOnANodeOpenedLater() {
    GovernanceStore one = node();
    GovernanceStore two = node();
    int before = two.schemas().activeVersion("model_checkpoint");
    for (String field : List.of("learning_rate", "optimizer")) {
      JsonObject proposal = one.propose("model_checkpoint", checkpointWith(one, field), OWNER).await();
      one.approve(proposal.getString("id"), "owner").await();
    }
    // A class without a file: the refresh learns of it from the store alone.
    JsonObject firstOfClass = one.propose("field_notes", checkpointWith(one, "page"), OWNER).await();
    one.approve(firstOfClass.getString("id"), "owner").await();

    two.refresh().await();

    assertThat(two.schemas().activeVersion("model_checkpoint")).isEqualTo(before + 2);
    assertThat(two.schemas().metadataFields("model_checkpoint")).contains("learning_rate", "optimizer");
    assertThat(two.schemas().activeVersion("field_notes")).isEqualTo(1);
    assertThat(node().schemas().activeVersion("model_checkpoint")).isEqualTo(before + 2);
  }

  @Test
  void aProposalApprovedByTwoNodesAtOnceIsApprovedOnce() {
    GovernanceStore one = node();
    GovernanceStore two = node();
    String id = one.propose("model_checkpoint", checkpointWith(one, "learning_rate"), EXECUTOR).await()
        .getString("id");
    assertThat(one.proposal(id).await().getString("status")).isEqualTo("escalated");

    Future<JsonObject> first = one.approve(id, "owner");
    Future<JsonObject> second = two.approve(id, "owner");
    Future.join(first, second).otherwiseEmpty().await();

    assertThat(List.of(first.succeeded(), second.succeeded())).containsExactlyInAnyOrder(true, false);
    Throwable lost = first.failed() ? first.cause() : second.cause();
    assertThat(lost).isInstanceOf(GovernanceStore.ConflictException.class);
    assertThat(one.proposal(id).await().getString("status")).isEqualTo("approved");
    assertThatThrownBy(() -> two.approve(id, "owner").await())
        .isInstanceOf(GovernanceStore.ConflictException.class).hasMessageContaining("already approved");
  }

  @Test
  void aRuleChangeMadeOnAStaleViewLosesToTheVersionAnotherNodeCreated() {
    GovernanceStore one = node();
    GovernanceStore two = node();
    JsonObject change = new JsonObject().put("products", new JsonObject().put("Gurukul",
        new JsonObject().put("min_retention_days", 400)));
    assertThat(one.changeRules(change, "owner").await().version()).isEqualTo(2);

    assertThatThrownBy(() -> two.changeRules(change, "owner").await())
        .isInstanceOf(GovernanceStore.ConflictException.class);
    two.refresh().await();
    assertThat(two.rules().version()).isEqualTo(2);
    assertThat(two.changeRules(new JsonObject().put("products", new JsonObject().put("Gurukul",
        new JsonObject().put("min_retention_days", 500))), "owner").await().version()).isEqualTo(3);
    assertThat(node().rules().version()).isEqualTo(3);
  }
}
