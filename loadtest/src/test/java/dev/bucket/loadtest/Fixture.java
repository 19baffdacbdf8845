package dev.bucket.loadtest;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a simulation needs before its load starts: one integration key per product, obtained with the owner key from
 * the integration gate, and a pool of small artifacts whose first versions the read load fetches (each read once
 * here, so the load reads them from the gateway's cache).
 */
final class Fixture {

  static final String APPROVAL_PATH = "/governance/gate/validate-integration";

  private final Gateway gateway;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<Product, String> keys = new EnumMap<>(Product.class);
  private final List<String[]> readTargets = new ArrayList<>();
  private final String runId = Long.toString(System.currentTimeMillis(), 36);

  Fixture(Gateway gateway) {
    this.gateway = gateway;
  }

  /**
   * Asks the integration gate to approve {@code loadtest_<product>} for each product and keeps the issued keys.
   * Anything but {@code "decision": "approved"} with an {@code api_key} stops the run with the gate's answer.
   */
  void approve(Collection<Product> products) {
    for (Product product : products) {
      JsonObject request = new JsonObject()
          .put("integration_id", "loadtest_" + product.name.toLowerCase())
          .put("integration_type", "api")
          .put("artifact_classes", new JsonArray().add(product.artifactClass))
          .put("product_name", product.name)
          .put("data_schema", new JsonObject().put("nsfw_policy", "strict").put("retention_policy", "7_years")
              .put("data_owner", "loadtest"));
      HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(gateway.baseUrl + APPROVAL_PATH))
          .header("Authorization", "Bearer " + gateway.ownerKey).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(request.encode())).build());
      String problem = null;
      JsonObject answer = null;
      if (response.statusCode() != 200 && response.statusCode() != 201) {
        problem = "answered " + response.statusCode()
            + (response.statusCode() == 404 ? " (this gateway has no integration gate yet: build it from a main that "
                + "has POST " + APPROVAL_PATH + ")" : "");
      } else {
        try {
          answer = new JsonObject(response.body());
        } catch (DecodeException e) {
          problem = "answered " + response.statusCode() + " with a body that is not JSON";
        }
        if (answer != null && !"approved".equals(answer.getString("decision"))) {
          problem = "did not approve the integration (decision: " + answer.getValue("decision") + ")";
        } else if (answer != null && !(answer.getValue("api_key") instanceof String key && !key.isBlank())) {
          problem = "approved the integration but returned no api_key";
        }
      }
      if (problem != null) {
        throw new IllegalStateException("integration approval for product " + product.name + " (class "
            + product.artifactClass + ") failed: POST " + gateway.baseUrl + APPROVAL_PATH + " " + problem
            + "\n  request:  " + request.encode() + "\n  response: " + abbreviate(response.body(), 800));
      }
      keys.put(product, answer.getString("api_key"));
      System.out.println("[loadtest] integration loadtest_" + product.name.toLowerCase() + " approved for "
          + product.name + "/" + product.artifactClass);
    }
  }

  String key(Product product) {
    String key = keys.get(product);
    if (key == null) {
      throw new IllegalStateException("no integration key for " + product.name + " (not approved in before())");
    }
    return key;
  }

  /**
   * Creates {@code perProduct} small artifacts for each product and reads each once, so the read load is served
   * from the gateway's cache. Writes refused by a ceiling (429) or a cap (503) are retried after their Retry-After.
   */
  void seedReads(Collection<Product> products, int perProduct) {
    long started = System.nanoTime();
    Semaphore inFlight = new Semaphore(16);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    List<String[]> created = new ArrayList<>();
    for (Product product : products) {
      for (int i = 0; i < perProduct; i++) {
        String id = "lt-" + runId + "-" + product.ordinal() + "-" + i;
        created.add(new String[] {product.name(), product.artifactsPath() + "/" + id + "/versions/1"});
        HttpRequest create = HttpRequest.newBuilder(URI.create(gateway.baseUrl + product.artifactsPath()))
            .header("Authorization", "Bearer " + key(product)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(product.createJson(id, i))).build();
        inFlight.acquireUninterruptibly();
        all.add(retrying(create, 201, 200, 8).whenComplete((status, error) -> {
          inFlight.release();
          if (error != null) {
            failures.add(id + ": " + error.getMessage());
          }
        }));
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
    if (!failures.isEmpty()) {
      throw new IllegalStateException("seeding the read pool failed for " + failures.size() + " artifact(s), e.g. "
          + failures.peek());
    }
    all.clear();
    for (String[] target : created) {
      HttpRequest read = HttpRequest.newBuilder(URI.create(gateway.baseUrl + target[1]))
          .header("Authorization", "Bearer " + key(Product.valueOf(target[0]))).GET().build();
      inFlight.acquireUninterruptibly();
      all.add(retrying(read, 200, 200, 8).whenComplete((status, error) -> {
        inFlight.release();
        if (error != null) {
          failures.add(target[1] + ": " + error.getMessage());
        }
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
    if (!failures.isEmpty()) {
      throw new IllegalStateException("reading back the seeded artifacts failed for " + failures.size()
          + ", e.g. " + failures.peek());
    }
    readTargets.addAll(created);
    System.out.printf("[loadtest] seeded %d artifacts for the read load in %.1f s%n", created.size(),
        (System.nanoTime() - started) / 1e9);
  }

  /** A random seeded artifact: {product enum name, path of its version 1}. */
  String[] randomReadTarget() {
    return readTargets.get(ThreadLocalRandom.current().nextInt(readTargets.size()));
  }

  private CompletableFuture<Integer> retrying(HttpRequest request, int expected, int alsoFine, int attempts) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
      int status = response.statusCode();
      if (status == expected || status == alsoFine) {
        return CompletableFuture.completedFuture(status);
      }
      if ((status == 429 || status == 503) && attempts > 1) {
        long wait = response.headers().firstValue("Retry-After").map(Fixture::seconds).orElse(0L) * 1000;
        return CompletableFuture.runAsync(() -> Gateway.sleep(Math.max(50, Math.min(wait, 2000))))
            .thenCompose(v -> retrying(request, expected, alsoFine, attempts - 1));
      }
      return CompletableFuture.failedFuture(new IllegalStateException(request.method() + " " + request.uri().getPath()
          + " answered " + status + ": " + abbreviate(response.body(), 300)));
    });
  }

  private static long seconds(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String abbreviate(String text, int max) {
    return text == null ? "" : text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
