package dev.bucket.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * Blocking helpers over a real WebClient for sequential API scenarios (one client per test class). Every response is
 * checked against the API contract ({@link Contract#check}): an answer docs/openapi.yaml does not allow fails the test.
 */
public final class Api {

  private final Vertx vertx;
  private final WebClient client;
  private final String key;

  /** A client presenting {@code key} as its bearer token on every request (null: no Authorization header). */
  public Api(Vertx vertx, int port, String key) {
    // Idle pooled connections are dropped well before the gateway closes them (request_header_timeout_ms, 10 s),
    // so a request is never written into a connection the server is closing at that moment.
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
            .setKeepAliveTimeout(5),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    this.key = key;
    this.vertx = vertx;
  }

  /** The bearer key this client presents, for tests that build their own requests. */
  public String key() {
    return key;
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, Map<String, String> headers, Buffer body) {
    return sendAsync(method, path, headers, body).await();
  }

  /** The same request without waiting for it (for load offered at a fixed rate). */
  public io.vertx.core.Future<HttpResponse<Buffer>> sendAsync(HttpMethod method, String path,
                                                              Map<String, String> headers, Buffer body) {
    var request = client.request(method, path);
    if (key != null) {
      request.putHeader("Authorization", "Bearer " + key);
    }
    headers.forEach(request::putHeader);
    // Every answer is held against docs/openapi.yaml, so the contract cannot drift from the gateway; on a worker, so
    // that paced load is not delayed on the event loops it shares with the gateway under test.
    return (body == null ? request.send() : request.sendBuffer(body)).compose(response -> vertx.executeBlocking(() -> {
      Contract.check(method, path, response);
      return response;
    }, false));
  }

  /** A JSON POST without waiting for it. */
  public io.vertx.core.Future<HttpResponse<Buffer>> postJsonAsync(String path, JsonObject body) {
    return sendAsync(HttpMethod.POST, path, Map.of("Content-Type", "application/json"), body.toBuffer());
  }

  public HttpResponse<Buffer> get(String path) {
    return send(HttpMethod.GET, path, Map.of(), null);
  }

  public HttpResponse<Buffer> get(String path, Map<String, String> headers) {
    return send(HttpMethod.GET, path, headers, null);
  }

  public HttpResponse<Buffer> postJson(String path, JsonObject body) {
    return postJson(path, body, Map.of());
  }

  public HttpResponse<Buffer> postJson(String path, JsonObject body, Map<String, String> headers) {
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.put("Content-Type", "application/json");
    return send(HttpMethod.POST, path, all, body.toBuffer());
  }

  /** multipart/form-data with a metadata part (as a form field) then a payload part. */
  public HttpResponse<Buffer> postMultipart(String path, JsonObject metadata, Buffer payload, String contentType,
                                            Map<String, String> headers) {
    String boundary = "bucket-test-boundary";
    Buffer body = Multipart.fieldPart(boundary, "metadata", metadata.encode())
        .appendBuffer(Multipart.fileHeader(boundary, "payload", contentType))
        .appendBuffer(payload)
        .appendBuffer(Multipart.closing(boundary));
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.put("Content-Type", "multipart/form-data; boundary=" + boundary);
    return send(HttpMethod.POST, path, all, body);
  }

  public void close() {
    client.close();
  }

  public static String sha256(Buffer bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.getBytes()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static MultiMap headers(HttpResponse<?> response) {
    return response.headers();
  }
}
