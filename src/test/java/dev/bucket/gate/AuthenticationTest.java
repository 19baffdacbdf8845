package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.identity.ApiKeys;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.Space;
import dev.bucket.support.Api;
import dev.bucket.support.Eventually;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Who may call what: keys, roles and the owner's bootstrap, through the real HTTP API. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticationTest {

  TestNode node;
  Api owner;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    node = TestNode.started(vertx, Map.of());
    owner = node.api();
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void requestsWithoutAKeyAreRefusedWith401AndABearerChallenge() {
    HttpResponse<Buffer> response = node.client(null).get("/audit/recent");
    assertProblem(response, 401, "unauthorized");
    assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void requestsWithoutAValidKeyAreAuditedAsPerSecondSummariesNotOneEntryEach() {
    Api anonymous = node.client(null);
    for (int i = 0; i < 25; i++) {
      assertProblem(anonymous.get("/audit/failed?probe=" + i), 401, "unauthorized");
    }
    JsonArray entries = Eventually.poll(
        () -> owner.get("/audit/recent?limit=1000").bodyAsJsonObject().getJsonArray("entries"),
        seen -> refusedReads(seen) >= 25, Duration.ofSeconds(5));
    assertThat(refusedReads(entries)).isEqualTo(25);
    assertThat(entries.stream().map(e -> (JsonObject) e)
        .filter(e -> e.getInteger("status") == 401 && !"auth.refused".equals(e.getString("op")))).isEmpty();
  }

  /** What the {@code auth.refused} summaries of route audit.failed count together. */
  private static long refusedReads(JsonArray entries) {
    return entries.stream().map(e -> (JsonObject) e).filter(e -> "auth.refused".equals(e.getString("op")))
        .filter(e -> "audit.failed".equals(e.getJsonObject("details").getString("route")))
        .mapToLong(e -> e.getJsonObject("details").getLong("count")).sum();
  }

  @Test
  void anUnknownKeyIsRefusedLikeAMissingOne() {
    assertProblem(node.client(ApiKeys.generate()).get("/audit/recent"), 401, "unauthorized");
    assertProblem(node.client(null).get("/audit/recent", Map.of("Authorization", "Basic b3duZXI6eA==")), 401,
        "unauthorized");
  }

  @Test
  void healthAndTheLogCheckpointAndKeyArePublic() {
    Api anonymous = node.client(null);
    assertThat(anonymous.get("/health").statusCode()).isEqualTo(200);
    assertThat(anonymous.get("/v1/log/key").statusCode()).isEqualTo(200);
    assertThat(anonymous.get("/v1/log/checkpoint").statusCode()).isEqualTo(200);
    assertProblem(anonymous.get("/v1/log/entries/0"), 401, "unauthorized");
  }

  @Test
  void theOwnerIssuesAnAuditorKeyThatReadsAuditButCannotWriteIt() {
    HttpResponse<Buffer> created = owner.postJson("/governance/keys",
        new JsonObject().put("role", "auditor").put("name", "external-review"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertThat(created.getHeader("Cache-Control")).isEqualTo("no-store");
    String key = created.bodyAsJsonObject().getString("api_key");
    Api auditor = node.client(key);
    assertThat(auditor.get("/audit/recent").statusCode()).isEqualTo(200);
    assertProblem(auditor.postJson("/audit/log", new JsonObject().put("message", "x")), 403, "role-forbidden");
    assertProblem(auditor.postJson("/governance/keys", new JsonObject().put("role", "auditor").put("name", "b")),
        403, "role-forbidden");
    // Refusals are audited asynchronously (best effort); the entry names the principal, never the key.
    String trail = Eventually.poll(() -> owner.get("/audit/user/auditor:external-review").bodyAsString(),
        seen -> seen.contains("role-forbidden"), Duration.ofSeconds(5));
    assertThat(trail).contains("role-forbidden").doesNotContain(key);
  }

  @Test
  void aRevokedKeyStopsWorkingAtOnce() {
    String key = owner.postJson("/governance/keys", new JsonObject().put("role", "executor").put("name", "temp"))
        .bodyAsJsonObject().getString("api_key");
    Api executor = node.client(key);
    assertThat(executor.postJson("/audit/log", new JsonObject().put("message", "hello")).statusCode())
        .isEqualTo(201);
    assertThat(owner.postJson("/governance/keys/executor:temp/revoke", new JsonObject()).statusCode())
        .isEqualTo(200);
    assertProblem(executor.postJson("/audit/log", new JsonObject().put("message", "again")), 401, "unauthorized");
    assertProblem(owner.postJson("/governance/keys/owner/revoke", new JsonObject()), 400, "invalid-request");
  }

  @Test
  void aSecondKeyForTheSamePrincipalIsRefused() {
    JsonObject body = new JsonObject().put("role", "executor").put("name", "twice");
    assertThat(owner.postJson("/governance/keys", body).statusCode()).isEqualTo(201);
    assertProblem(owner.postJson("/governance/keys", body), 409, "principal-exists");
  }

  @Test
  void keysAreStoredOnlyAsHashes() {
    String key = owner.postJson("/governance/keys", new JsonObject().put("role", "auditor").put("name", "hashes"))
        .bodyAsJsonObject().getString("api_key");
    List<KeyValue> records = node.node().store().scan(Space.PRINCIPALS, null, null, 1000, false).await();
    assertThat(records).isNotEmpty();
    assertThat(records.toString()).doesNotContain(key).doesNotContain(TestNode.OWNER_KEY)
        .contains(ApiKeys.hash(key));
    JsonObject listed = owner.get("/governance/keys").bodyAsJsonObject();
    assertThat(listed.encode()).doesNotContain(ApiKeys.hash(key)).contains("auditor:hashes");
  }

  @Test
  void aKeyListingContinuesOnlyFromACursorItIssued() {
    assertThat(owner.get("/governance/keys").bodyAsJsonObject().containsKey("next_cursor")).isFalse();
    assertProblem(owner.get("/governance/keys?cursor=%%%"), 400, "invalid-request");
    assertProblem(owner.get("/governance/keys?cursor=" + java.util.Base64.getUrlEncoder().encodeToString(
        "id\u001fx".getBytes(StandardCharsets.UTF_8))), 400, "invalid-request");
  }

  @Test
  void withoutAConfiguredOwnerKeyTheFirstStartPrintsOneAndItWorks() throws Exception {
    // A Vertx of its own: a node undeploys everything of its Vertx when it stops.
    Vertx vertx = Vertx.vertx();
    PrintStream console = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    String printed;
    try (TestNode fresh = TestNode.started(vertx, Map.of("owner_key", ""))) {
      printed = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("bk_"))
          .findFirst().orElseThrow();
      assertThat(fresh.client(printed).get("/audit/recent").statusCode()).isEqualTo(200);
      fresh.stop();
      captured.reset();
      fresh.start();
      assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("bk_");
      assertThat(fresh.client(printed).get("/audit/recent").statusCode()).isEqualTo(200);
    } finally {
      System.setOut(console);
      vertx.close().await();
    }
  }
}
