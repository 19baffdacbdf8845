package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Contract;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The router and docs/openapi.yaml name the same operations: every route with a path is an operation of the contract
 * and every operation of the contract is a route. {@code GET /openapi.json} serves that document.
 */
@ExtendWith(VertxExtension.class)
class ApiContractRoutesTest {

  @Test
  void theRouterAndTheContractHaveTheSameOperations(Vertx vertx) throws Exception {
    TreeSet<String> routed = new TreeSet<>();
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      for (Route route : node.node().routes()) {
        if (route.getPath() == null) {
          continue; // the catch-all steps every request passes (request id, authentication, admission, ceilings)
        }
        String path = route.getPath().replaceAll(":([A-Za-z_]+)", "{$1}");
        assertThat(route.methods()).as("methods of route %s", path).isNotEmpty();
        for (HttpMethod method : route.methods()) {
          routed.add(method.name() + " " + path);
        }
      }
    }
    TreeSet<String> documented = new TreeSet<>(Contract.operations());

    assertThat(routed).as("routes missing from docs/openapi.yaml").isSubsetOf(documented);
    assertThat(documented).as("operations of docs/openapi.yaml no route serves").isSubsetOf(routed);
  }

  @Test
  void theGatewayServesTheContractAsJson(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of())) {
      var response = node.client(null).get("/openapi.json");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject(Contract.document().toString()));
      assertThat(response.bodyAsJsonObject().getString("openapi")).startsWith("3.1");
    }
  }
}
