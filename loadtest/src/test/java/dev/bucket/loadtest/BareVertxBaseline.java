package dev.bucket.loadtest;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.incrementUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How far the gateway's reads are from what Vert.x itself can serve on this machine, measured in the same run: the
 * same stepped read load (open model, {@code baseline.levels} levels of {@code baseline.levelSeconds} s from
 * {@code baseline.start}/s in steps of {@code baseline.step}/s) first against a bare Vert.x 5 route started in this
 * JVM (one instance per core, a fixed JSON body the size of a version's metadata), then against the gateway's cached
 * version reads.
 *
 * <p>"Sustained" for a level: the generator offered it (≥ 95 %), ≥ {@code 1 - baseline.tolerance} of it was
 * answered 2xx, nothing failed, and the accepted p99 stayed ≤ {@code baseline.p99.ms}. The highest sustained level
 * of each target is printed. The gateway's reads ceiling (10000/s) caps it: to measure the gateway without its
 * ceilings, lift them with {@code -Dbucket.serveArgs="--set max_reads_per_second=1000000 --set
 * max_writes_per_second=1000000"} (or point {@code -Dbucket.url} at a gateway started that way). Claim: both targets
 * sustain the first level.
 */
public class BareVertxBaseline extends BucketSimulation {

  /** About the size of a version's metadata answer. */
  private static final String BODY = "{\"artifact_id\":\"lt-baseline-0\",\"product_id\":\"AI_Assistant\","
      + "\"artifact_class\":\"metadata\",\"version\":1,\"content_hash\":\"sha256:"
      + "0000000000000000000000000000000000000000000000000000000000000000\",\"size\":42,\"content_type\":"
      + "\"application/json\",\"created_at\":\"2026-01-01T00:00:00.000Z\",\"created_by\":\"integration:loadtest\","
      + "\"previous_version_hash\":null,\"metadata\":{\"source\":\"loadtest\"},\"audit_index\":0}";

  private final int start = parameter("baseline.start", Settings.integer("baseline.start", 2000));
  private final int step = parameter("baseline.step", Settings.integer("baseline.step", 2000));
  private final int levels = parameter("baseline.levels", Settings.integer("baseline.levels", 8));
  private final int levelSeconds = parameter("baseline.levelSeconds", Settings.integer("baseline.levelSeconds", 10));
  private final int p99 = parameter("baseline.p99.ms", Settings.integer("baseline.p99.ms", 20));
  private final double tolerance = parameter("baseline.tolerance", Settings.decimal("baseline.tolerance", 0.02));
  private final int readIds = parameter("read.ids", Settings.integer("read.ids", 100));
  private final int barePort = Gateway.freePort();
  private final Tally bare;
  private final Tally target;
  private Vertx vertx;

  public BareVertxBaseline() {
    if (start < 1 || step < 0 || levels < 1 || levelSeconds < 1) {
      throw new IllegalArgumentException("baseline.start ≥ 1, baseline.step ≥ 0, baseline.levels ≥ 1 and "
          + "baseline.levelSeconds ≥ 1");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      names.add((start + i * step) + "/s");
    }
    bare = tally(new Tally("bare", Window.levels(levelSeconds * 1000L, names), Set.of(200)));
    target = tally(new Tally("gateway", Window.levels(levelSeconds * 1000L, names), Set.of(200)));
    String bareUrl = "http://127.0.0.1:" + barePort;
    ChainBuilder bareRead = exec(bare::stamp)
        .exec(Load.checked(http(bare::requestName).get("/"), false, 200))
        .exec(bare::record);
    setUp(scenario("bare Vert.x").exec(bareRead).injectOpen(stairs()).protocols(protocol(bareUrl))
        .andThen(scenario("gateway").exec(Load.read(target, fixture, true)).injectOpen(stairs())
            .protocols(protocol(gateway.baseUrl)).andThen(verdict())))
        .assertions(Stream.concat(Stream.of(details(names.get(0) + ": bare").failedRequests().count().is(0L),
            details(names.get(0) + ": gateway").failedRequests().count().is(0L)), verdictAssertions().stream())
            .toList())
        .maxDuration(Duration.ofSeconds(2L * levels * levelSeconds + 300));
    claim("bare: sustained the first level (" + names.get(0) + ")", () -> sustained(bare, 0));
    claim("gateway: sustained the first level (" + names.get(0) + ")", () -> sustained(target, 0));
  }

  private OpenInjectionStep stairs() {
    return incrementUsersPerSec(step).times(levels).eachLevelLasting(levelSeconds).startingFrom(start);
  }

  /** Null when the level was sustained, else why not. */
  private String sustained(Tally tally, int level) {
    double asked = start + (double) level * step;
    double offered = tally.rate(level, tally.offered(level));
    double accepted = tally.rate(level, tally.count(level, Tally.Outcome.ACCEPTED));
    long levelP99 = tally.accepted(level).percentile(99);
    if (offered < 0.95 * asked) {
      return String.format("generator offered only %.0f/s", offered);
    }
    if (tally.failures(level) > 0) {
      return tally.failures(level) + " failed requests";
    }
    if (accepted < (1 - tolerance) * offered) {
      return String.format("accepted %.0f/s of %.0f/s", accepted, offered);
    }
    if (levelP99 > p99) {
      return "accepted p99 " + levelP99 + " ms";
    }
    return null;
  }

  private String highestSustained(Tally tally) {
    String last = "none";
    for (int level = 0; level < levels; level++) {
      String problem = sustained(tally, level);
      if (problem != null) {
        return last + " (next level " + tally.window.name(level) + ": " + problem + ")";
      }
      last = String.format("%s (accepted %.0f/s, p99 %d ms)", tally.window.name(level),
          tally.rate(level, tally.count(level, Tally.Outcome.ACCEPTED)), tally.accepted(level).percentile(99));
    }
    return last + " (the highest level offered)";
  }

  @Override
  protected void prepare() {
    fixture.approve(Product.SMALL);
    fixture.seedReads(Product.SMALL, readIds);
    vertx = Vertx.vertx();
    int instances = Settings.integer("baseline.instances", Runtime.getRuntime().availableProcessors());
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer()
            .requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(BODY))
            .listen(barePort, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(instances)).await();
    System.out.println("[loadtest] bare Vert.x route on http://127.0.0.1:" + barePort + " (" + instances
        + " instances)");
  }

  @Override
  protected List<String> extraSummary() {
    return List.of("highest sustained level, bare Vert.x: " + highestSustained(bare),
        "highest sustained level, gateway:    " + highestSustained(target));
  }

  @Override
  public void after() {
    try {
      super.after();
    } finally {
      if (vertx != null) {
        vertx.close().await();
      }
    }
  }
}
