package dev.bucket.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests of the load: one virtual user sends exactly one request (open model), stamped before and recorded
 * in its {@link Tally} after. Writes alternate between the small-artifact products; reads pick a random artifact of
 * the seeded pool.
 */
final class Load {

  private static final AtomicLong SEQ = new AtomicLong();
  private static final String PATH = "lt.path";
  private static final String KEY = "lt.key";
  private static final String BODY = "lt.body";

  private Load() {
  }

  /** {@code POST /v1/products/{p}/artifacts} with a small JSON artifact; accepted = 201. */
  static ChainBuilder write(Tally tally, Fixture fixture, boolean rateLimitExpected) {
    return exec(session -> {
      long seq = SEQ.incrementAndGet();
      Product product = Product.SMALL.get((int) (seq % Product.SMALL.size()));
      return tally.stamp(session).set(PATH, product.artifactsPath()).set(KEY, fixture.key(product))
          .set(BODY, product.createJson(null, seq));
    }).exec(checked(http(tally::requestName).post(s -> s.getString(PATH))
        .header("Authorization", s -> "Bearer " + s.getString(KEY))
        .header("Content-Type", "application/json")
        .body(StringBody(s -> s.getString(BODY))), rateLimitExpected, 201))
        .exec(tally::record);
  }

  /** {@code GET /v1/products/{p}/artifacts/{id}/versions/1} of a seeded artifact; accepted = 200. */
  static ChainBuilder read(Tally tally, Fixture fixture, boolean rateLimitExpected) {
    return exec(session -> {
      String[] target = fixture.randomReadTarget();
      return tally.stamp(session).set(PATH, target[1]).set(KEY, fixture.key(Product.valueOf(target[0])));
    }).exec(checked(http(tally::requestName).get(s -> s.getString(PATH))
        .header("Authorization", s -> "Bearer " + s.getString(KEY)), rateLimitExpected, 200))
        .exec(tally::record);
  }

  /**
   * Saves status and response time for the tally, then validates: the accepted status, or also 429 when a ceiling
   * is expected to answer, in which case the 429 must carry Retry-After, RateLimit-Policy and RateLimit.
   */
  static HttpRequestActionBuilder checked(HttpRequestActionBuilder request, boolean rateLimitExpected,
      Integer... accepted) {
    List<Integer> allowed = new ArrayList<>(List.of(accepted));
    if (rateLimitExpected) {
      allowed.add(429);
    }
    List<CheckBuilder> checks = new ArrayList<>(List.of(status().saveAs(Tally.STATUS),
        responseTimeInMillis().saveAs(Tally.RESPONSE_TIME), status().in(allowed)));
    HttpRequestActionBuilder builder = request.check(checks);
    if (rateLimitExpected) {
      builder = builder.checkIf((response, session) -> response.status().code() == 429)
          .then(header("Retry-After").exists(), header("RateLimit-Policy").exists(), header("RateLimit").exists());
    }
    return builder;
  }
}
