package dev.bucket.limit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/** Two gateway nodes sharing a ceiling through a real (embedded) Redis, which goes away and comes back. */
class RedisLeasesTest {

  private static final long RATE = 400;
  private static final long MS = 1_000_000L;

  private static Vertx vertx;
  private final Logger logger = (Logger) LoggerFactory.getLogger(RedisLeases.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<RedisLeases> opened = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void release() throws Exception {
    for (RedisLeases leases : opened) {
      leases.close().await(5, TimeUnit.SECONDS);
    }
    logger.detachAppender(logs);
  }

  /** One simulated gateway node: its own Redis client and its own writes ceiling. */
  private final class Node {
    final RedisLeases leases;
    final FairLimiter writes;

    Node(int port, String prefix, java.util.function.LongSupplier clock) {
      LimitSettings limits = LimitSettings.of(RATE, 10 * RATE).withMaxDelayMillis(0);
      RedisLeases.Settings settings = RedisLeases.Settings.defaults()
          .withExpectedNodes(2)
          .withReconnect(50, 400)
          .withKeyPrefix(prefix);
      leases = RedisLeases.start(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + port), limits,
          settings, clock);
      opened.add(leases);
      writes = FairLimiter.of(Kind.WRITE, limits, leases.budget(Kind.WRITE), clock);
    }
  }

  @Test
  void twoNodesHoldTheCeilingTogetherSurviveRedisGoingAwayAndResumeWhenItReturns() throws Exception {
    int port = freePort();
    String prefix = "test:" + System.nanoTime() + ":";
    RedisServer redis = redis(port);
    redis.start();
    try {
      Node a = new Node(port, prefix, System::nanoTime);
      Node b = new Node(port, prefix, System::nanoTime);
      awaitTrue(() -> a.leases.connected() && b.leases.connected(), 10_000);

      // Both nodes offered ~4.5x the ceiling: together they get the ceiling.
      long[] both = drive(2_500, 500, a, b);
      assertNear(both[0] + both[1], RATE * 2, 0.05, "both nodes, leased");
      assertThat(a.leases.leasedTokens(Kind.WRITE)).isPositive();
      assertThat(b.leases.leasedTokens(Kind.WRITE)).isPositive();
      // One node alone may use the whole ceiling: more than its local share.
      long[] alone = drive(1_800, 300, a);
      assertNear(alone[0], RATE * 3 / 2, 0.08, "node a alone, leased");

      // An emptied script cache (EVALSHA answers NOSCRIPT) is no outage: the lease is retried with EVAL.
      logs.list.clear();
      Redis admin = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + port));
      admin.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await(5, TimeUnit.SECONDS);
      admin.close().await(5, TimeUnit.SECONDS);
      long leasedBefore = a.leases.leasedTokens(Kind.WRITE);
      drive(500, 0, a);
      assertThat(a.leases.leasedTokens(Kind.WRITE)).isGreaterThan(leasedBefore);
      assertThat(a.leases.connected()).isTrue();
      assertThat(messages(Level.WARN, "")).isEmpty();

      logs.list.clear();
      redis.stop();
      long[] down = drive(2_300, 300, a, b);
      assertThat(messages(Level.WARN, "")).hasSize(2);
      assertThat(a.leases.connected()).isFalse();
      assertThat(b.leases.connected()).isFalse();
      // Each node keeps serving at its local share, half the ceiling.
      assertNear(down[0], RATE, 0.10, "node a, Redis down");
      assertNear(down[1], RATE, 0.10, "node b, Redis down");
      assertThat(messages(Level.WARN, "Redis unreachable")).hasSize(2); // one line per node

      redis = redis(port);
      redis.start();
      awaitTrue(() -> a.leases.connected() && b.leases.connected(), 10_000);
      assertThat(messages(Level.INFO, "Redis reachable again")).hasSize(2);

      long[] again = drive(2_500, 500, a, b);
      assertNear(again[0] + again[1], RATE * 2, 0.05, "both nodes, leased again");
      long[] aloneAgain = drive(1_800, 300, a);
      assertNear(aloneAgain[0], RATE * 3 / 2, 0.08, "node a alone, leased again");
      assertThat(messages(Level.WARN, "Redis unreachable")).hasSize(2);
    } finally {
      redis.stop();
    }
  }

  @Test
  void withoutRedisANodeServesItsLocalShareAndLogsOnce() throws Exception {
    FakeClock clock = new FakeClock();
    Node node = new Node(freePort(), "test:none:", clock);
    awaitTrue(() -> !messages(Level.WARN, "Redis unreachable").isEmpty(), 5_000);
    Thread.sleep(300); // several more probes fail meanwhile

    long now = clock.getAsLong();
    int first = 0;
    for (int i = 0; i < 1_000; i++) {
      first += node.writes.acquire("p", now, 0).admitted() ? 1 : 0;
    }
    // Half the burst of 20 at once, then half the rate.
    assertThat(first).isEqualTo(10);
    int second = 0;
    for (int step = 1; step <= 1_000; step++) {
      for (int i = 0; i < 4; i++) {
        second += node.writes.acquire("p", now + step * MS, 0).admitted() ? 1 : 0;
      }
    }
    assertThat(second).isEqualTo((int) RATE / 2);
    assertThat(node.leases.connected()).isFalse();
    assertThat(messages(Level.WARN, "Redis unreachable")).hasSize(1);
  }

  /**
   * Offers about two requests per millisecond from one thread per node for {@code millis}, and returns what each
   * node admitted after the first {@code settleMillis}.
   */
  private static long[] drive(long millis, long settleMillis, Node... nodes) throws InterruptedException {
    long start = System.nanoTime();
    long settled = start + settleMillis * MS;
    long end = start + millis * MS;
    AtomicLong[] counts = new AtomicLong[nodes.length];
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int n = 0; n < nodes.length; n++) {
      AtomicLong count = counts[n] = new AtomicLong();
      Node node = nodes[n];
      Thread thread = new Thread(() -> {
        try {
          long rounds = 0;
          while (rounds++ < 100_000 && System.nanoTime() < end) {
            for (int i = 0; i < 2; i++) {
              long now = System.nanoTime();
              if (node.writes.acquire("p", now, 0).admitted() && now >= settled) {
                count.incrementAndGet();
              }
            }
            LockSupport.parkNanos(MS);
          }
        } catch (Throwable e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(millis + 10_000);
    }
    assertThat(failures).isEmpty();
    long[] out = new long[nodes.length];
    for (int n = 0; n < nodes.length; n++) {
      out[n] = counts[n].get();
    }
    return out;
  }

  private static void assertNear(long actual, long expected, double tolerance, String what) {
    System.out.printf("%s: %d admitted, expected %d%n", what, actual, expected);
    assertThat(actual).as(what).isBetween(Math.round(expected * (1 - tolerance)),
        Math.round(expected * (1 + tolerance)));
  }

  private List<String> messages(Level level, String prefix) {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent event : List.copyOf(logs.list)) {
      if (event.getLevel() == level && event.getFormattedMessage().startsWith(prefix)) {
        out.add(event.getFormattedMessage());
      }
    }
    return out;
  }

  private static void awaitTrue(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * MS;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %d ms", timeoutMillis).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static RedisServer redis(int port) throws IOException {
    return RedisServer.newRedisServer()
        .port(port)
        .bind("127.0.0.1")
        .setting("save \"\"")
        .setting("appendonly no")
        .build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
