package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Api;
import dev.bucket.support.Leftovers;
import dev.bucket.support.LogCapture;
import dev.bucket.support.RawHttp;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Generated hostile input against every route the router serves: for each, requests drawn at random from grammars
 * of malformed path and query parameters, headers, bodies and framings (over raw sockets, so nothing is tidied up
 * on the way). Whatever comes, the answer is a 4xx or a documented 5xx (503, 505, 507) with a problem body, or a
 * closed connection where the framing leaves nothing to answer; afterwards /health is fine, no writer permit, temp
 * file or descriptor is held, threads are back, and nothing was logged as an error or with a stack trace.
 *
 * <p>{@code -Dfuzz.rounds=N} multiplies the requests per route (default 1: about half a minute), {@code -Dfuzz.seed}
 * replays a run (each run prints its seed). See docs/operations.md.
 */
@ExtendWith(VertxExtension.class)
class HostileInputFuzzTest {

  static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  static final int ROUNDS = Integer.getInteger("fuzz.rounds", 1);
  static final int CASES_PER_ROUTE = 24;
  static final int CLIENTS = 8;
  static final Set<Integer> DOCUMENTED_5XX = Set.of(503, 505, 507);
  static final Pattern PARAM = Pattern.compile(":([A-Za-z]+)");
  static final String BOUNDARY = "fuzz-boundary";

  /** One generated request: its raw bytes, and whether its framing may leave the server nothing to answer. */
  record Case(String summary, byte[] bytes, boolean mayGoUnanswered, boolean head) {
  }

  final Random random = new Random(SEED);
  String ownerKey;
  String integrationKey;

  @Test
  void everyRouteAnswersHostileInputWithProblemsAndLeavesNothingBehind(Vertx vertx) throws Exception {
    System.out.println("HostileInputFuzzTest seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + "), rounds "
        + ROUNDS);
    try (TestNode node = TestNode.started(vertx, Map.of("anonymous_requests_per_second", "1000000",
        "max_writes_per_second", "1000000", "max_reads_per_second", "1000000"));
         LogCapture logs = new LogCapture()) {
      ownerKey = TestNode.OWNER_KEY;
      integrationKey = node.integration("AI_Assistant", "metadata").key();
      Api owner = node.api();
      owner.get("/health");
      long fdsBefore = openDescriptors();
      int threadsBefore = unpooledThreads();
      List<Route> routes = node.node().routes().stream()
          .filter(r -> r.getPath() != null && r.methods() != null && !r.methods().isEmpty()).toList();
      assertThat(routes).hasSizeGreaterThan(40);
      List<Case> cases = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        for (Route route : routes) {
          for (int i = 0; i < CASES_PER_ROUTE; i++) {
            cases.add(generate(route));
          }
        }
      }
      // Generated in order (a seed replays them), sent by a few clients at once.
      Map<String, Integer> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
      List<String> findings = java.util.Collections.synchronizedList(new ArrayList<>());
      java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(CLIENTS);
      try {
        for (java.util.concurrent.Future<?> sent : clients.invokeAll(cases.stream()
            .map(c -> (java.util.concurrent.Callable<Void>) () -> {
              RawHttp.Response response = exchange(node.port(), c);
              statuses.merge(response.status() == 0 ? "none" : Integer.toString(response.status()), 1, Integer::sum);
              String wrong = judge(c, response);
              if (wrong != null) {
                findings.add(wrong + "\n  request: " + c.summary() + "\n  answer: " + response);
              }
              return null;
            }).toList())) {
          sent.get();
        }
      } finally {
        clients.shutdownNow();
      }
      System.out.println("HostileInputFuzzTest sent " + cases.size() + " requests to " + routes.size() + " routes");
      System.out.println("HostileInputFuzzTest answers by status: " + statuses);
      assertThat(findings).as("seed " + SEED).isEmpty();
      assertThat(owner.get("/health").statusCode()).isEqualTo(200);
      new Leftovers(node).assertNoneWithin(Duration.ofSeconds(15));
      settle(() -> openDescriptors() <= fdsBefore + 16, "descriptors back near " + fdsBefore + ", now "
          + openDescriptors());
      settle(() -> unpooledThreads() <= threadsBefore + 4, "threads back near " + threadsBefore + ", now "
          + unpooledThreads());
      assertThat(logs.tracesAndErrors()).as("seed " + SEED).isEmpty();
    }
  }

  /** Null when the answer is acceptable, else what is wrong with it. */
  static String judge(Case c, RawHttp.Response response) {
    if (response.status() == 0) {
      return c.mayGoUnanswered() ? null : "no answer";
    }
    if (response.status() >= 500 && !DOCUMENTED_5XX.contains(response.status())) {
      return "an undocumented " + response.status();
    }
    if (response.status() >= 400) {
      if (!response.isProblem()) {
        return "an error without a problem body";
      }
      if (c.head()) {
        return null; // the problem's headers, without its body
      }
      String type;
      try {
        type = response.json().getString("type", "");
      } catch (io.vertx.core.json.DecodeException e) {
        return "a problem body that is not JSON";
      }
      if (!type.startsWith("urn:bucket:problem:") || response.body().contains("\tat ")
          || response.body().contains("Exception")) {
        return "a problem body without a stable type, or with a stack trace or an exception's name";
      }
    }
    return null;
  }

  static RawHttp.Response exchange(int port, Case c) throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(c.bytes());
      return raw.response(c.mayGoUnanswered() ? Duration.ofMillis(300) : Duration.ofSeconds(10), c.head());
    }
  }

  // ---- the grammars ---------------------------------------------------------------------------------------------

  Case generate(Route route) {
    List<HttpMethod> methods = new ArrayList<>(route.methods());
    HttpMethod method = chance(0.8) ? pick(methods) : pick(List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
        HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS));
    String target = path(route.getPath()) + (chance(0.3) ? "?" + query() : "");
    List<String> headers = new ArrayList<>();
    headers.add("Host: 127.0.0.1");
    headers.addAll(authorization());
    String[] body = body();
    if (body[0] != null) {
      headers.add("Content-Type: " + body[0]);
    }
    for (int i = random.nextInt(3); i > 0; i--) {
      headers.add(extraHeader());
    }
    return frame(method.name(), target, headers, body[1].getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The route's path with each parameter replaced by a valid value or a hostile one. */
  String path(String template) {
    Matcher m = PARAM.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(chance(0.6) ? valid(m.group(1)) : hostileSegment()));
    }
    return m.appendTail(out).toString();
  }

  static String valid(String param) {
    return switch (param) {
      case "product" -> "AI_Assistant";
      case "version", "index" -> "1";
      case "class" -> "metadata";
      default -> "fz-" + param;
    };
  }

  String hostileSegment() {
    return pick(List.<Supplier<String>>of(
        () -> "x".repeat(1 + random.nextInt(600)),
        () -> Long.toString(random.nextLong()),
        () -> "9".repeat(5 + random.nextInt(30)),
        () -> "..",
        () -> "%" + hex(random.nextInt(256)),
        () -> percentEncoded(randomBytes(1 + random.nextInt(12))),
        () -> "%E2%80%AE" + "\u00e9t\u00e9".replace("\u00e9", "%C3%A9"),
        () -> "0",
        () -> "-1",
        () -> "AI_Avatar",
        () -> "a;b=c")).get();
  }

  String query() {
    String name = pick(List.of("limit", "cursor", "before", "from", "to", "tree_size", "index", "first", "second",
        "leaf_hash", "product", "artifact_class", "after", "q"));
    String value = pick(List.<Supplier<String>>of(
        () -> Long.toString(random.nextLong()),
        () -> "9".repeat(1 + random.nextInt(40)),
        () -> percentEncoded(randomBytes(random.nextInt(40))),
        () -> "",
        () -> "1.5",
        () -> "%",
        () -> "a&" + name + "=b")).get();
    return name + "=" + value;
  }

  List<String> authorization() {
    return switch (random.nextInt(6)) {
      case 0 -> List.of();
      case 1 -> List.of("Authorization: Bearer " + percentEncoded(randomBytes(random.nextInt(64))));
      case 2 -> List.of("Authorization: Bearer " + ownerKey, "Authorization: Bearer " + integrationKey);
      case 3 -> List.of("Authorization: " + pick(List.of("Basic b3duZXI6eA==", "Bearer", "bearer  ", "Bearer \t")));
      case 4 -> List.of("Authorization: Bearer " + integrationKey);
      default -> List.of("Authorization: Bearer " + ownerKey);
    };
  }

  /** A media type (or null) and a body for it, valid or not. */
  String[] body() {
    return switch (random.nextInt(8)) {
      case 0 -> new String[] {null, ""};
      case 1 -> new String[] {"application/json", json(0)};
      case 2 -> new String[] {pick(List.of("application/json", "APPLICATION/JSON", "application/json; charset=utf-16",
          "text/plain", "application/json;;", "application/json; charset=\"", "*/*", "")), json(0)};
      case 3 -> new String[] {"application/json", "[".repeat(1 + random.nextInt(3000))};
      case 4 -> new String[] {pick(List.of("application/json", "application/octet-stream")), new String(
          randomBytes(random.nextInt(2000)), StandardCharsets.ISO_8859_1)};
      case 5 -> new String[] {"multipart/form-data; boundary=" + BOUNDARY, multipart()};
      case 6 -> new String[] {pick(List.of("multipart/form-data", "multipart/form-data; boundary=",
          "multipart/form-data; boundary=\"" + "b".repeat(100) + "\"", "multipart/mixed; boundary=" + BOUNDARY)),
          multipart()};
      default -> new String[] {"application/json", pick(List.of("[]", "null", "\"\"", "123", "{}",
          "{\"data_size\":99999999999999999999}", "{\"details\":{\"a\":[1.5,{\"b\":null}]},\"message\":\"m\"}"))};
    };
  }

  /** A random JSON value, objects mostly, with the fields routes read and random others. */
  String json(int depth) {
    if (depth > 3 || chance(0.2)) {
      return pick(List.<Supplier<String>>of(
          () -> Long.toString(random.nextLong()),
          () -> "1e" + random.nextInt(400),
          () -> "-0.0",
          () -> "\"" + "s".repeat(random.nextInt(300)) + "\"",
          () -> "\"\\ud800\"",
          () -> "true",
          () -> "null",
          () -> "99999999999999999999999")).get();
    }
    if (chance(0.15)) {
      StringBuilder array = new StringBuilder("[");
      for (int i = random.nextInt(4); i > 0; i--) {
        array.append(json(depth + 1)).append(i > 1 ? "," : "");
      }
      return array.append("]").toString();
    }
    List<String> fields = List.of("artifact_class", "artifact_id", "metadata", "data", "message", "details",
        "retain_until", "reason", "role", "name", "operation_type", "data_size", "integration_id", "product_name",
        "schema", "latency_ms", "product", "integration_type", "artifact_classes", "data_schema", "products",
        "writes_per_second", "$where", "", "a.b");
    StringBuilder object = new StringBuilder("{");
    for (int i = random.nextInt(5); i > 0; i--) {
      object.append('"').append(pick(fields)).append("\":").append(json(depth + 1)).append(i > 1 ? "," : "");
    }
    return object.append("}").toString();
  }

  /** A multipart body built from random parts, some well formed, some not. */
  String multipart() {
    StringBuilder body = new StringBuilder();
    for (int i = random.nextInt(4); i > 0; i--) {
      body.append("--").append(BOUNDARY).append(pick(List.of("\r\n", "  \r\n", "x\r\n", "\n")));
      String name = pick(List.of("metadata", "payload", "payload", "other", ""));
      body.append(pick(List.of("Content-Disposition: form-data; name=\"" + name + "\"\r\n",
          "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"f.bin\"\r\n",
          "Content-Disposition: attachment\r\n", "", "X: " + "h".repeat(random.nextInt(20_000)) + "\r\n")));
      if (chance(0.4)) {
        body.append(pick(List.of("Content-Type: application/octet-stream\r\n",
            "Content-Type: multipart/mixed; boundary=inner\r\n", "Content-Transfer-Encoding: base64\r\n",
            "Content-Type: \r\n")));
      }
      body.append("\r\n").append(name.equals("metadata") && chance(0.7)
          ? "{\"artifact_class\":\"metadata\",\"metadata\":" + json(2) + "}"
          : new String(randomBytes(random.nextInt(3000)), StandardCharsets.ISO_8859_1)).append("\r\n");
    }
    if (chance(0.7)) {
      body.append("--").append(BOUNDARY).append("--\r\n");
    }
    return body.toString();
  }

  String extraHeader() {
    return pick(List.<Supplier<String>>of(
        () -> "Content-Encoding: " + pick(List.of("gzip", "br", "identity", "x-unknown")),
        () -> "If-Match: " + pick(List.of("*", "\"sha256:" + "0".repeat(64) + "\"", "W/\"x\"", "\"")),
        () -> "Range: bytes=" + pick(List.of("0-", "-0", "9999999999999999999-", "5-1", "0-1,2-3", "x")),
        () -> "If-Range: " + pick(List.of("\"x\"", "Sun, 06 Nov 1994 08:49:37 GMT", "")),
        () -> "If-None-Match: " + pick(List.of("*", "\"x\"", "")),
        () -> "Idempotency-Key: " + pick(List.of("key with spaces", "k".repeat(300), "ok-key")),
        () -> "Expect: " + pick(List.of("100-continue", "nonsense")),
        () -> "Accept: " + pick(List.of("application/xml", "*/*;q=x")),
        () -> "X-Fuzz: " + percentEncoded(randomBytes(random.nextInt(100))))).get();
  }

  /** The request on the wire, framed one way or another; some framings leave nothing to answer. */
  Case frame(String method, String target, List<String> headers, byte[] body) {
    String eol = chance(0.05) ? "\n" : "\r\n";
    String version = chance(0.04) ? pick(List.of("HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", "FOO")) : "HTTP/1.1";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(' ').append(version).append(eol);
    headers.forEach(h -> head.append(h).append(eol));
    boolean mayGoUnanswered = false;
    byte[] sent = body;
    switch (random.nextInt(10)) {
      case 0 -> {
        head.append("Transfer-Encoding: chunked").append(eol);
        sent = chunked(body, false);
      }
      case 1 -> {
        head.append("Transfer-Encoding: chunked").append(eol);
        sent = chunked(body, true);
        mayGoUnanswered = true;
      }
      case 2 -> {
        // Fewer bytes than declared, then the client hangs up.
        head.append("Content-Length: ").append(body.length + 1 + random.nextInt(1000)).append(eol);
        mayGoUnanswered = true;
      }
      case 3 -> head.append("Content-Length: ").append(pick(List.of("abc", "-1", "1, 2", "99999999999999999999")))
          .append(eol);
      case 4 -> {
        // Both framings, the body not chunked: RFC 9112 says chunked wins, so the body is garbage chunks.
        head.append("Content-Length: ").append(body.length).append(eol).append("Transfer-Encoding: chunked")
            .append(eol);
        mayGoUnanswered = true;
      }
      default -> head.append("Content-Length: ").append(body.length).append(eol);
    }
    head.append(eol);
    out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(sent);
    String summary = head.toString().replace("\r\n", " | ").replaceAll("(Bearer )[^ |]{8,}", "$1<key>") + "["
        + body.length + " body bytes]";
    // A malformed head may be refused at once, or read as a request whose body never ends: either is fine.
    return new Case(summary, out.toByteArray(), mayGoUnanswered || !version.equals("HTTP/1.1") || eol.equals("\n"),
        method.equals("HEAD"));
  }

  byte[] chunked(byte[] body, boolean broken) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (at < body.length) {
      int size = Math.min(body.length - at, 1 + random.nextInt(512));
      out.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, at, size);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      at += size;
    }
    if (broken) {
      out.writeBytes(pick(List.of("zz\r\n", "-1\r\n", "fffffffffffffffff\r\n", "5\r\nab")).getBytes(
          StandardCharsets.US_ASCII));
    } else {
      out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  static String hex(int b) {
    return String.format("%02X", b);
  }

  static String percentEncoded(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append('%').append(hex(b & 0xff));
    }
    return out.toString();
  }

  static long openDescriptors() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (Exception e) {
      return 0;
    }
  }

  static void settle(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 15 s: " + what);
      }
      Thread.sleep(100);
    }
  }

  /**
   * Live threads outside Vert.x's worker pools, which start threads lazily up to their fixed size (checkpoint signing
   * alone may start one every few seconds): a thread a request leaked would be counted, a pool growing to its size not.
   */
  private static int unpooledThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> !t.getName().startsWith("vert.x-worker-thread-")
            && !t.getName().startsWith("vert.x-internal-blocking-"))
        .count();
  }
}
