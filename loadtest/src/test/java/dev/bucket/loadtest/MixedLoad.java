package dev.bucket.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Small JSON writes and cached reads: a closed-model warm-up ({@code warmup.users} in flight per kind), then constant
 * rates for a measured window (open model: new requests keep arriving whatever the gateway's latency). Everything is
 * judged on the measured window only.
 *
 * <p>Properties: {@code write.rate}, {@code read.rate} (per second; 0 = none), {@code warmup} and {@code duration}
 * (seconds), {@code warmup.users}, {@code read.ids} (seeded artifacts per product), {@code write.p99.ms}, {@code
 * read.p99.ms}, {@code limited.p99.ms}, {@code ceiling.writes}, {@code ceiling.reads}, {@code accepted.tolerance},
 * {@code offered.tolerance}, {@code max.connections}.
 */
abstract class MixedLoad extends BucketSimulation {

  private final int readIds;

  /** {@code overload}: rates above the ceilings are offered, 429 is an expected answer and the claims differ. */
  MixedLoad(int writeRate, int readRate, int durationSeconds, boolean overload) {
    double writes = parameter("write.rate", Settings.decimal("write.rate", writeRate));
    double reads = parameter("read.rate", Settings.decimal("read.rate", readRate));
    Duration warmup = parameter("warmup", Settings.seconds("warmup", 60));
    int warmupUsers = parameter("warmup.users", Settings.integer("warmup.users", 16));
    Duration measure = parameter("duration", Settings.seconds("duration", durationSeconds));
    int readIds = parameter("read.ids", Settings.integer("read.ids", 100));
    long writeP99 = parameter("write.p99.ms", Settings.integer("write.p99.ms", 20));
    long readP99 = parameter("read.p99.ms", Settings.integer("read.p99.ms", 5));
    long limitedP99 = parameter("limited.p99.ms", Settings.integer("limited.p99.ms", 2));
    double ceilingWrites = parameter("ceiling.writes", Settings.decimal("ceiling.writes", 1000));
    double ceilingReads = parameter("ceiling.reads", Settings.decimal("ceiling.reads", 10000));
    double tolerance = parameter("accepted.tolerance", Settings.decimal("accepted.tolerance", 0.02));
    if (writes <= 0 && reads <= 0) {
      throw new IllegalArgumentException("nothing to offer: write.rate and read.rate are both 0");
    }
    if (measure.isZero()) {
      throw new IllegalArgumentException("duration must be at least 1 second");
    }

    Window window = Window.phases(warmup.toMillis(), measure.toMillis());
    Duration total = warmup.plus(measure);
    List<PopulationBuilder> populations = new ArrayList<>();
    List<Assertion> assertions = new ArrayList<>();
    this.readIds = reads > 0 ? readIds : 0;

    if (writes > 0) {
      Tally tally = tally(new Tally("write", window, Set.of(201)));
      populations.add(warmedUp("writes", limited -> Load.write(tally, fixture, limited), overload, warmupUsers,
          warmup, writes, measure));
      claimOffered(tally, 1, writes);
      if (overload) {
        claimOnlyAcceptedOrLimited(tally, 1);
        claimAcceptedNear(tally, 1, ceilingWrites, tolerance);
        claimLimitedP99(tally, 1, limitedP99);
        // Under overload a 429 with its headers passes the checks; anything else is a failed request.
        assertions.add(details("measure: write").failedRequests().count().is(0L));
      } else {
        claimAllAccepted(tally, 1);
        claimAcceptedP99(tally, 1, writeP99);
        assertions.add(details("measure: write").failedRequests().count().is(0L));
        assertions.add(details("measure: write").responseTime().percentile(99.0).lte((int) writeP99));
      }
    }
    if (reads > 0) {
      Tally tally = tally(new Tally("read", window, Set.of(200)));
      populations.add(warmedUp("reads", limited -> Load.read(tally, fixture, limited), overload, warmupUsers,
          warmup, reads, measure));
      claimOffered(tally, 1, reads);
      if (overload) {
        claimOnlyAcceptedOrLimited(tally, 1);
        claimAcceptedNear(tally, 1, ceilingReads, tolerance);
        claimLimitedP99(tally, 1, limitedP99);
        assertions.add(details("measure: read").failedRequests().count().is(0L));
      } else {
        claimAllAccepted(tally, 1);
        claimAcceptedP99(tally, 1, readP99);
        assertions.add(details("measure: read").failedRequests().count().is(0L));
        assertions.add(details("measure: read").responseTime().percentile(99.0).lte((int) readP99));
      }
    }
    populations.set(0, populations.get(0).andThen(verdict()));
    assertions.addAll(verdictAssertions());
    setUp(populations).protocols(protocol(gateway.baseUrl)).assertions(assertions)
        .maxDuration(total.plusSeconds(240));
  }

  /**
   * A closed-model warm-up of {@code requests} ({@code users} in flight at any time, each answered before the next
   * is sent, like wrk) followed by the open-model load at {@code rate}. The gateway's JIT compiles its hot paths for
   * about a minute under load on this machine (docs/benchmarks.md); an open-model load at the full rate on a cold
   * gateway made Gatling open a new connection for every request that found all connections busy, nearly 20,000 in
   * under 20 s, until both processes ran out of file descriptors. The closed warm-up cannot do that, and leaves its
   * keep-alive connections in the shared pool for the measured load.
   */
  private static PopulationBuilder warmedUp(String kind, Function<Boolean, ChainBuilder> requests, boolean overload,
                                            int users, Duration warmupTime, double rate, Duration measure) {
    // A 429 is an accepted answer in the warm-up: a closed loop may well run faster than a ceiling.
    return scenario("warm-up " + kind).exec(requests.apply(true))
        .injectClosed(constantConcurrentUsers(users).during(warmupTime))
        .andThen(scenario(kind).exec(requests.apply(overload)).injectOpen(constantUsersPerSec(rate).during(measure)));
  }

  @Override
  protected void prepare() {
    fixture.approve(Product.SMALL);
    if (readIds > 0) {
      fixture.seedReads(Product.SMALL, readIds);
    }
  }
}
