package dev.bucket.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The recorder behind TestNode's blocked-thread check really sees Vert.x's warnings. */
class BlockedThreadsTest {

  @Test
  void aBlockedEventLoopIsRecorded() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(50).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    try {
      int mark = BlockedThreads.mark();
      vertx.runOnContext(v -> {
        try {
          Thread.sleep(300); // deliberately blocks the event loop: this is what must never happen elsewhere
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      List<String> seen = BlockedThreads.since(mark);
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
        seen = BlockedThreads.since(mark);
      }
      assertThat(seen).isNotEmpty();
      assertThat(seen.get(0)).contains("blocked");
    } finally {
      vertx.close().await();
    }
  }
}
