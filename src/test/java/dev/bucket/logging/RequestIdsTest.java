package dev.bucket.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
class RequestIdsTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void aValidTraceparentGivesItsTraceIdAndWinsOverXRequestId() {
    assertThat(RequestIds.choose("00-" + TRACE + "-00f067aa0ba902b7-01", "mine")).isEqualTo(TRACE);
    // A later version may append fields (W3C Trace Context 3.2.4).
    assertThat(RequestIds.choose("01-" + TRACE + "-00f067aa0ba902b7-00-later", null)).isEqualTo(TRACE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "garbage"})
  void anInvalidTraceparentIsIgnoredForTheClientsId(String traceparent) {
    assertThat(RequestIds.choose(traceparent, "order-17:retry.2")).isEqualTo("order-17:retry.2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "line\nbreak", "-leading-dash", "ünïcode",
      "a1234567890123456789012345678901234567890123456789012345678901234"})
  void anUnusableXRequestIdIsReplacedByAGeneratedOne(String requestId) {
    String chosen = RequestIds.choose(null, requestId);
    assertThat(chosen).matches("[0-9a-f]{32}").isNotEqualTo(RequestIds.choose(null, requestId));
  }

  @Test
  void theIdFollowsAMessageToTheVerticleThatHandlesItAndNotFurther(Vertx vertx) {
    vertx.eventBus().<String>localConsumer("request-ids-test", message -> message.reply(RequestIds.current()));
    RequestIds.propagate(vertx.eventBus());
    RequestIds.propagate(vertx.eventBus()); // a second node on the same Vert.x adds nothing twice

    // An HTTP request runs on a duplicate of its verticle's context, like this one.
    ContextInternal request = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    String seen = Future.<String>future(promise -> request.runOnContext(v -> {
      RequestIds.set("req-1");
      vertx.eventBus().<String>request("request-ids-test", "hi").map(Message::body).onComplete(promise);
    })).await();
    String outside = vertx.eventBus().<String>request("request-ids-test", "hi").await().body();

    assertThat(seen).isEqualTo("req-1");
    assertThat(outside).isNull();
    assertThat(RequestIds.current()).isNull();
  }
}
