package dev.bucket.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every simulation shares: the gateway (started in {@link #before()}, stopped in {@link #after()}), the
 * integration keys and read pool ({@link Fixture}), the tallies and the claims checked after the run.
 *
 * <p>Gatling's own assertions fail the build on what Gatling can measure (failed requests, latency percentiles of
 * the measured window by request name); the claims cover what it cannot (accepted rate of a window within a
 * tolerance, 429 latency apart from accepted latency). The claims are judged by a last virtual user
 * ({@link #verdict()}) once every load request has been answered: it sends one {@code GET /health} named
 * {@value #VERDICT} whose check fails unless every claim held, and an assertion requires that request to succeed.
 * So a failed claim fails the run like any Gatling assertion, shows in the report's errors with its reason, and the
 * HTML report is still written (an exception in {@code after()} would crash the run before the report). The summary
 * is printed at that moment, ending in one {@code [loadtest] RESULT} line.
 */
abstract class BucketSimulation extends Simulation {

  static final String VERDICT = "verdict";
  private static final Duration DRAIN = Duration.ofSeconds(120);

  protected final Gateway gateway = Gateway.configured(getClass().getSimpleName());
  protected final Fixture fixture = new Fixture(gateway);
  private final List<Tally> tallies = new ArrayList<>();
  private final List<Claim> claims = new ArrayList<>();
  private final Map<String, Object> parameters = new LinkedHashMap<>();
  private String result;

  /** A claim checked after the run: {@code evaluation} answers null when it holds, else what was seen. */
  private record Claim(String description, Supplier<String> evaluation) {
  }

  /** The HTTP protocol every request to the gateway uses: keep-alive connections shared by all virtual users. */
  protected HttpProtocolBuilder protocol(String baseUrl) {
    return http.baseUrl(baseUrl)
        .shareConnections()
        .maxConnectionsPerHost(Settings.integer("max.connections", 128))
        // Gatling's default warm-up request goes to an outside host; this one stays on the target.
        .warmUp(baseUrl + "/health")
        .disableCaching()
        .acceptHeader("application/json")
        .userAgentHeader("bucket-loadtest");
  }

  /** Remembers a parameter for the printed header (and returns it). */
  protected <T> T parameter(String name, T value) {
    parameters.put(name, value instanceof java.time.Duration d ? d.toSeconds() + " s" : value);
    return value;
  }

  protected Tally tally(Tally tally) {
    tallies.add(tally);
    return tally;
  }

  protected void claim(String description, Supplier<String> evaluation) {
    claims.add(new Claim(description, evaluation));
  }

  /** Runs after the gateway is healthy and before the load: approvals, seeding, anything else the load needs. */
  protected abstract void prepare();

  /** Extra lines for the summary (e.g. throughput of large uploads). */
  protected List<String> extraSummary() {
    return List.of();
  }

  @Override
  public void before() {
    System.out.println("[loadtest] " + getClass().getSimpleName() + " against "
        + (gateway.managed() ? "a gateway started for this run at " : "") + gateway.baseUrl + " with " + parameters);
    gateway.start();
    try {
      prepare();
    } catch (RuntimeException e) {
      gateway.stop();
      throw e;
    }
    gateway.markLoadStart();
  }

  /**
   * The last virtual user: waits (at most 120 s) until every load request has an outcome, then judges the claims
   * and sends the {@value #VERDICT} request whose check carries the result. Start it after the load populations
   * ({@code andThen}).
   */
  protected PopulationBuilder verdict() {
    return scenario(VERDICT)
        .exec(session -> session.set("lt.drainUntil", System.currentTimeMillis() + DRAIN.toMillis()))
        .asLongAs(session -> inFlight() > 0 && System.currentTimeMillis() < session.getLong("lt.drainUntil"))
        .on(pause(Duration.ofMillis(100)))
        .exec(http(VERDICT).get("/health").check(status().transform(code -> judge()).is("PASS")))
        .injectOpen(atOnceUsers(1))
        .protocols(protocol(gateway.baseUrl));
  }

  /** Assertions every simulation carries: the verdict request ran once and passed. */
  protected List<Assertion> verdictAssertions() {
    return List.of(details(VERDICT).allRequests().count().is(1L), details(VERDICT).failedRequests().count().is(0L));
  }

  private long inFlight() {
    return tallies.stream().mapToLong(Tally::inFlight).sum();
  }

  /** Prints the summary and judges the claims (once): "PASS" or "FAIL: <failed claims>". */
  private synchronized String judge() {
    if (result != null) {
      return result;
    }
    List<String> failed = new ArrayList<>();
    System.out.println();
    System.out.println("[loadtest] ===== " + getClass().getSimpleName() + " summary =====");
    for (Tally tally : tallies) {
      for (int slice = 0; slice < tally.window.count(); slice++) {
        if (tally.offered(slice) > 0) {
          System.out.println("[loadtest] " + tally.line(slice));
        }
      }
    }
    extraSummary().forEach(line -> System.out.println("[loadtest] " + line));
    System.out.println("[loadtest] " + gateway.memorySummary());
    long lost = inFlight();
    if (lost > 0) {
      failed.add(lost + " requests still unanswered " + DRAIN.toSeconds() + " s after the load ended");
      System.out.println("[loadtest] FAIL " + failed.get(0));
    }
    for (Claim claim : claims) {
      String problem;
      try {
        problem = claim.evaluation().get();
      } catch (RuntimeException e) {
        problem = "could not evaluate: " + e;
      }
      System.out.println("[loadtest] " + (problem == null ? "PASS " : "FAIL ") + claim.description()
          + (problem == null ? "" : " — " + problem));
      if (problem != null) {
        failed.add(claim.description() + " — " + problem);
      }
    }
    System.out.println("[loadtest] RESULT " + getClass().getSimpleName() + ": "
        + (failed.isEmpty() ? "PASS (" + claims.size() + " claims held)"
            : "FAIL (" + failed.size() + " of " + claims.size() + " claims failed)"));
    result = failed.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", failed);
    return result;
  }

  @Override
  public void after() {
    try {
      if (result == null) {
        System.out.println("[loadtest] the verdict request never ran (run cut short?); the claims as they stand:");
        judge();
      }
    } finally {
      gateway.stop();
    }
  }

  // ---- claims shared by the simulations ------------------------------------------------------------------------

  /** The generator offered at least (1 - tolerance) × the asked rate; otherwise the run proves nothing. */
  protected void claimOffered(Tally tally, int slice, double rate) {
    double tolerance = Settings.decimal("offered.tolerance", 0.05);
    claim(String.format("%s: load generator offered ≥ %.0f/s (%.0f%% of %.0f/s)%s", tally.label,
        rate * (1 - tolerance), 100 * (1 - tolerance), rate, tally.window.within(slice)), () -> {
          double offered = tally.rate(slice, tally.offered(slice));
          return offered >= rate * (1 - tolerance) ? null : String.format("offered %.1f/s (Gatling could not keep "
              + "up, or the gateway held connections; rerun with a lower rate or on a bigger machine)", offered);
        });
  }

  /** Every request of the slice was accepted: no 429, no 503, no 5xx, no timeout, no failed check. */
  protected void claimAllAccepted(Tally tally, int slice) {
    claim(String.format("%s: every request accepted (no 429/503/5xx/timeout)%s", tally.label,
        tally.window.within(slice)), () -> {
          long rejected = tally.offered(slice) - tally.count(slice, Tally.Outcome.ACCEPTED);
          if (tally.offered(slice) == 0) {
            return "no request was sent in the window";
          }
          return rejected == 0 ? null : rejected + " of " + tally.offered(slice) + " not accepted";
        });
  }

  /** Nothing but accepted answers and 429s: no 503, no 5xx, no timeout, no 429 without its headers. */
  protected void claimOnlyAcceptedOrLimited(Tally tally, int slice) {
    claim(String.format("%s: excess answered 429 with Retry-After/RateLimit headers, never 503/5xx/timeout%s",
        tally.label, tally.window.within(slice)), () -> {
          long failures = tally.failures(slice);
          return failures == 0 ? null : failures + " requests were neither accepted nor a proper 429";
        });
  }

  protected void claimAcceptedP99(Tally tally, int slice, long maxMillis) {
    claim(String.format("%s: accepted p99 ≤ %d ms%s", tally.label, maxMillis,
        tally.window.within(slice)), () -> {
          long p99 = tally.accepted(slice).percentile(99);
          return p99 < 0 ? "no accepted request" : p99 <= maxMillis ? null : "p99 was " + p99 + " ms";
        });
  }

  protected void claimLimitedP99(Tally tally, int slice, long maxMillis) {
    claim(String.format("%s: 429 p99 ≤ %d ms%s", tally.label, maxMillis, tally.window.within(slice)),
        () -> {
          long p99 = tally.limited(slice).percentile(99);
          return p99 < 0 ? "no 429 at all (is the ceiling enforced? offered above it?)"
              : p99 <= maxMillis ? null : "p99 was " + p99 + " ms";
        });
  }

  /** Accepted rate of the slice within ± tolerance of the ceiling. */
  protected void claimAcceptedNear(Tally tally, int slice, double ceiling, double tolerance) {
    claim(String.format("%s: accepted rate within %.1f%% of the %.0f/s ceiling (%.0f..%.0f/s)%s",
        tally.label, tolerance * 100, ceiling, ceiling * (1 - tolerance), ceiling * (1 + tolerance),
        tally.window.within(slice)), () -> {
          double accepted = tally.rate(slice, tally.count(slice, Tally.Outcome.ACCEPTED));
          return Math.abs(accepted - ceiling) <= ceiling * tolerance ? null
              : String.format("accepted %.1f/s (%+.2f%%)", accepted, 100 * (accepted - ceiling) / ceiling);
        });
  }
}
