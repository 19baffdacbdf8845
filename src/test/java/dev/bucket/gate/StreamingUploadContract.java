package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.GeneratedBody;
import dev.bucket.support.Multipart;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Large payloads stream through the gateway without being held in memory; oversize ones leave nothing behind. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StreamingUploadContract {

  static final String P = "/v1/products/AI_Avatar/artifacts";
  static final long MB = 1024 * 1024;

  TestNode node;
  HttpClient client;
  String writerKey;
  Vertx vertx;

  abstract String payloadStore();

  /** How many payload objects (files or GridFS chunks) the store holds, to prove a refused upload left none. */
  abstract long storedObjects() throws Exception;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    node = new TestNode(vertx, TestNode.freshDataDir(), Map.of("payload_store", payloadStore()));
    node.start();
    writerKey = node.integration("AI_Avatar", "model_checkpoint").key();
    client = vertx.createHttpClient();
  }

  @AfterAll
  void stop() {
    client.close().await();
    node.stop();
  }

  record Result(int status, JsonObject body) {
  }

  GeneratedBody body(long payloadSize) {
    String boundary = "stream-boundary";
    Buffer head = Multipart.fieldPart(boundary, "metadata", new JsonObject().put("artifact_class", "model_checkpoint")
        .put("metadata", new JsonObject().put("description", "generated, " + payloadSize + " bytes")).encode())
        .appendBuffer(Multipart.fileHeader(boundary, "payload", "application/octet-stream"));
    return new GeneratedBody(vertx.getOrCreateContext(), head, payloadSize, Multipart.closing(boundary));
  }

  static final String CONTENT_TYPE = "multipart/form-data; boundary=stream-boundary";

  /** An upload through Vert.x's HTTP client, which is expected to be accepted. */
  Result upload(long payloadSize) {
    GeneratedBody body = body(payloadSize);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(node.port()).setURI(P).putHeader("Content-Type", CONTENT_TYPE)
        .putHeader("Authorization", "Bearer " + writerKey)
        .putHeader("Content-Length", Long.toString(body.length()));
    Result result = client.request(options)
        .compose(request -> request.send(body))
        .compose(response -> response.body().map(b -> new Result(response.statusCode(), b.toJsonObject())))
        .await();
    if (result.status() == 201) {
      assertThat(result.body().getString("content_hash")).isEqualTo(body.payloadHash());
    }
    return result;
  }

  /**
   * An upload over a raw socket, reading the gateway's answer whenever it comes: a refused upload may be answered
   * while the client is still sending, which an HTTP client library may not surface.
   */
  Result refusedUpload(long payloadSize) {
    GeneratedBody body = body(payloadSize);
    Buffer head = Buffer.buffer("POST " + P + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + CONTENT_TYPE
        + "\r\nAuthorization: Bearer " + writerKey + "\r\nContent-Length: " + body.length() + "\r\n\r\n");
    io.vertx.core.Promise<Result> answer = io.vertx.core.Promise.promise();
    Buffer received = Buffer.buffer();
    vertx.createNetClient().connect(node.port(), "127.0.0.1").onSuccess(socket -> {
      socket.handler(data -> {
        received.appendBuffer(data);
        Result result = parseResponse(received.toString());
        if (result != null) {
          answer.tryComplete(result);
          socket.close();
        }
      });
      socket.closeHandler(v -> answer.tryFail("closed before a whole response arrived: " + received));
      // Keep the socket open after the body: the answer is read whenever it arrives.
      socket.write(head).onSuccess(v -> body.pipe().endOnSuccess(false).to(socket));
    }).onFailure(answer::tryFail);
    return answer.future().await();
  }

  /** The status and JSON body of a complete HTTP/1.1 response, or null while it is incomplete. */
  private static Result parseResponse(String text) {
    int bodyStart = text.indexOf("\r\n\r\n");
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)").matcher(text);
    if (bodyStart < 0 || !length.find() || text.length() - bodyStart - 4 < Integer.parseInt(length.group(1))) {
      return null;
    }
    int status = Integer.parseInt(text.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
    return new Result(status, new JsonObject(text.substring(bodyStart + 4)));
  }

  @Test
  @Timeout(120)
  void a200MegabyteUploadStreamsWithBoundedHeapAndHashesCorrectly() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    AtomicLong peak = new AtomicLong(baseline);
    AtomicBoolean running = new AtomicBoolean(true);
    // Live heap after a full GC is what the server retains; sampling it during the upload catches any buffering.
    Thread sampler = new Thread(() -> {
      while (running.get()) {
        System.gc();
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    Result result;
    try {
      result = upload(200 * MB);
    } finally {
      running.set(false);
      sampler.join();
    }
    assertThat(result.status()).as(String.valueOf(result.body())).isEqualTo(201);
    assertThat(result.body().getLong("size")).isEqualTo(200 * MB);
    long growth = peak.get() - baseline;
    System.out.printf("[%s] 200 MB upload: live heap growth %.1f MB%n", payloadStore(), growth / (double) MB);
    assertThat(growth).isLessThan(64 * MB + heldByTheStoreInThisJvm(200 * MB));
  }

  /** Bytes of an upload that the store itself keeps on this JVM's heap (the in-memory MongoDB stand-in does). */
  long heldByTheStoreInThisJvm(long uploaded) {
    return 0;
  }

  @Test
  @Timeout(60)
  void anUploadCrossingTheLimitMidStreamGets413AndLeavesNothing() throws Exception {
    node.stop();
    node = new TestNode(vertx, node.dataDir(), Map.of("payload_store", payloadStore(), "max_artifact_bytes",
        Long.toString(3 * MB)));
    node.start();
    long before = storedObjects();
    // Just over the limit, so only the streaming check (not the Content-Length check) can catch it.
    Result result = refusedUpload(3 * MB + 1024);
    assertThat(result.status()).isEqualTo(413);
    assertThat(result.body().getString("type")).isEqualTo("urn:bucket:problem:payload-too-large");
    Thread.sleep(300); // the store's cleanup runs right after the refusal is sent
    assertThat(storedObjects()).isEqualTo(before);

    Result declared = refusedUpload(6 * MB);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(storedObjects()).isEqualTo(before);
    assertThat(upload(2 * MB).status()).isEqualTo(201);
  }
}
