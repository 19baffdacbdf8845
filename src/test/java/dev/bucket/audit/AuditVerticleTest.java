package dev.bucket.audit;

import dev.bucket.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class AuditVerticleTest extends StoreTestBase {

  @org.junit.jupiter.api.BeforeEach
  void registerCodecs(Vertx vertx) {
    dev.bucket.bus.Codecs.registerAll(vertx);
  }

  private AuditVerticle verticle(int capacity) {
    return new AuditVerticle(store, Clock.systemUTC(), capacity, 100);
  }

  @Test
  void appendsFromTheBusGetDenseReceiptsAndTheHeadIsTheLastDurableEntry(Vertx vertx, VertxTestContext test) {
    AuditClient client = new AuditClient(vertx, 5000);
    vertx.deployVerticle(verticle(1000)).compose(id -> {
      List<Future<AuditReceipt>> receipts = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        // Alternating, ending with a durable one: once it is answered, every entry before it is durable too.
        AuditRecord record = record("user-" + i % 2, "x", i);
        receipts.add(i % 2 == 0 ? client.appendAccepted(record) : client.appendDurable(record));
      }
      return Future.all(receipts);
    }).compose(all -> client.head().map(head -> {
      List<AuditReceipt> receipts = all.list();
      test.verify(() -> {
        // One sender, one consumer: the bus keeps the order, so receipt i is entry i.
        assertThat(receipts.stream().mapToLong(AuditReceipt::index))
            .containsExactlyElementsOf(LongStream.range(0, 300).boxed().toList());
        assertThat(head).isEqualTo(new AuditHead(300, receipts.get(299).entryHash()));
      });
      return head;
    })).compose(head -> new ChainVerifier(store).verify(0, 300, head.hash()))
        .onComplete(test.succeeding(report -> test.verify(() -> {
          assertThat(report.ok()).as(report.detail()).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void aFullQueueIsAnsweredWith503(Vertx vertx, VertxTestContext test) {
    store.hold();
    AuditClient client = new AuditClient(vertx, 5000);
    vertx.deployVerticle(verticle(2)).compose(id -> {
      // Sent in order: the first is in flight, the second queued, the third finds the queue full.
      client.appendDurable(record("a", "x", 1));
      client.appendAccepted(record("a", "x", 2));
      return client.appendAccepted(record("a", "x", 3));
    }).onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).isInstanceOfSatisfying(ReplyException.class,
          reply -> assertThat(reply.failureCode()).isEqualTo(503));
      store.release();
      test.completeNow();
    })));
  }

  @Test
  void undeployingDrainsTheQueueAndRedeployingContinuesWithCodecsAlreadyRegistered(Vertx vertx,
                                                                                     VertxTestContext test) {
    AuditClient client = new AuditClient(vertx, 5000);
    vertx.deployVerticle(verticle(1000))
        .compose(id -> client.appendAccepted(record("a", "x", 1)).compose(r -> vertx.undeploy(id)))
        .compose(v -> vertx.deployVerticle(verticle(1000)))
        .compose(id -> vertx.eventBus().<AuditHead>request(Addresses.AUDIT_HEAD, null))
        .onComplete(test.succeeding(head -> test.verify(() -> {
          assertThat(head.body().size()).isEqualTo(1);
          test.completeNow();
        })));
  }
}
