package dev.bucket.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Open-model load: requests sent at a fixed rate for a fixed time whatever the answers' latency (like independent
 * clients), from a Vert.x timer, never from a blocked thread. Bounded: exactly {@code rate × duration} requests,
 * and at most {@code drain} to wait for the last answers.
 */
public final class PacedLoad {

  /**
   * What came back.
   *
   * @param statuses answers by status; -1 counts requests that failed without an answer
   * @param samples up to 20 answers of each non-2xx status, for checking headers and bodies
   */
  public record Result(int sent, Map<Integer, Integer> statuses, Map<Integer, List<HttpResponse<Buffer>>> samples,
                       Duration offeredFor) {

    public int count(int status) {
      return statuses.getOrDefault(status, 0);
    }

    /** Answers of this status per second of offered load. */
    public double perSecond(int status) {
      return count(status) / (offeredFor.toNanos() / 1e9);
    }

    public int answered() {
      return statuses.entrySet().stream().filter(e -> e.getKey() > 0).mapToInt(Map.Entry::getValue).sum();
    }
  }

  private PacedLoad() {
  }

  /**
   * Sends {@code rate} requests per second for {@code duration}; {@code request} gets the request's sequence number
   * (from 0) and must return at once. Blocks the calling (test) thread until every answer is in or {@code drain}
   * has passed.
   */
  public static Result offer(Vertx vertx, double rate, Duration duration, Duration drain,
                             IntFunction<Future<HttpResponse<Buffer>>> request) throws InterruptedException {
    return start(vertx, rate, duration, request).await(drain);
  }

  /** Starts offering the load without waiting; {@link Running#await} collects the answers. */
  public static Running start(Vertx vertx, double rate, Duration duration,
                              IntFunction<Future<HttpResponse<Buffer>>> request) {
    return new Running(vertx, rate, duration, request);
  }

  /** A load being offered. */
  public static final class Running {
    private final Vertx vertx;
    private final Duration duration;
    private final int total;
    private final CountDownLatch answered;
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private final Map<Integer, List<HttpResponse<Buffer>>> samples = new TreeMap<>();
    private final long timer;
    private int sent;

    Running(Vertx vertx, double rate, Duration duration, IntFunction<Future<HttpResponse<Buffer>>> request) {
      this.vertx = vertx;
      this.duration = duration;
      this.total = (int) Math.round(rate * duration.toNanos() / 1e9);
      this.answered = new CountDownLatch(total);
      long start = System.nanoTime();
      long[] id = {0};
      id[0] = vertx.setPeriodic(2, t -> {
        long elapsed = System.nanoTime() - start;
        int due = (int) Math.min(total, Math.floor(elapsed / 1e9 * rate) + 1);
        while (sent < due) {
          int n = sent++;
          request.apply(n).onComplete(result -> {
            synchronized (statuses) {
              int status = result.succeeded() ? result.result().statusCode() : -1;
              statuses.merge(status, 1, Integer::sum);
              if (result.succeeded() && status >= 300) {
                List<HttpResponse<Buffer>> kept = samples.computeIfAbsent(status, s -> new ArrayList<>());
                if (kept.size() < 20) {
                  kept.add(result.result());
                }
              }
            }
            answered.countDown();
          });
        }
        if (sent >= total) {
          vertx.cancelTimer(id[0]);
        }
      });
      this.timer = id[0];
    }

    /** Waits (bounded: the offered duration plus {@code drain}) for every answer. */
    public Result await(Duration drain) throws InterruptedException {
      boolean all = answered.await(duration.toMillis() + drain.toMillis(), TimeUnit.MILLISECONDS);
      vertx.cancelTimer(timer);
      synchronized (statuses) {
        Map<Integer, Integer> counts = new TreeMap<>(statuses);
        if (!all) {
          counts.merge(-2, (int) answered.getCount(), Integer::sum); // -2: no answer within the drain time
        }
        return new Result(total, Map.copyOf(counts), Map.copyOf(samples), duration);
      }
    }
  }
}
