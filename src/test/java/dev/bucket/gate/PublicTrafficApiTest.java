package dev.bucket.gate;

import static dev.bucket.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What anyone can send costs next to nothing: the health answer is measured at most once a second and shared, and
 * anonymous requests as a whole have a small budget beyond which they are refused with 429.
 */
@ExtendWith(VertxExtension.class)
class PublicTrafficApiTest {

  static long entries(Api api) {
    return api.get("/health").bodyAsJsonObject().getJsonObject("audit").getLong("entries");
  }

  @Test
  void theHealthAnswerIsMeasuredAtMostOnceASecond(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      Api anonymous = node.client(null);
      Thread.sleep(1_100); // the start-up's own entries are in
      long before = entries(anonymous);
      assertThat(node.api().postJson("/audit/log", new JsonObject().put("message", "moves the head")).statusCode())
          .isEqualTo(201);
      assertThat(entries(anonymous)).as("the same answer within its second").isEqualTo(before);
      Thread.sleep(1_100);
      assertThat(entries(anonymous)).as("measured again after a second").isGreaterThan(before);
    }
  }

  @Test
  void anonymousRequestsBeyondTheirBudgetAre429WhileKeyedOnesGoOn(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of("anonymous_requests_per_second", "5"))) {
      Api anonymous = node.client(null);
      List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        burst.add(anonymous.sendAsync(HttpMethod.GET, i % 2 == 0 ? "/health" : "/audit/recent", Map.of(), null));
      }
      Future.join(burst).await();
      List<HttpResponse<Buffer>> answers = burst.stream().map(Future::result).toList();
      long refused = answers.stream().filter(r -> r.statusCode() == 429).count();
      assertThat(refused).as("30 anonymous requests against a budget of 5 a second").isBetween(20L, 26L);
      answers.stream().filter(r -> r.statusCode() == 429).forEach(r -> {
        assertProblem(r, 429, "rate-limited");
        assertThat(r.getHeader("Retry-After")).isEqualTo("1");
      });
      assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 401, 429));
      for (int i = 0; i < 20; i++) {
        assertThat(node.api().get("/audit/recent?limit=1").statusCode()).isEqualTo(200);
      }
      assertThat(node.api().get("/metrics").bodyAsString()).contains("bucket_anonymous_refused_total");
    }
  }
}
