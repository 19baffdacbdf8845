package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.support.Eventually;
import dev.bucket.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Client connections are bounded: over max_connections a connection is closed on accept, and freed slots reopen. */
@ExtendWith(VertxExtension.class)
class ConnectionCapApiTest {

  @Test
  void connectionsOverTheCapAreClosedOnAcceptAndClosingOneMakesRoom(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.started(vertx, Map.of("max_connections", "4"))) {
      List<Socket> open = new ArrayList<>();
      int answered = 0;
      int refused = 0;
      try {
        // The test node's own clients may hold a pooled connection or two, so count rather than predict.
        for (int i = 0; i < 6; i++) {
          Socket socket = new Socket("127.0.0.1", node.port());
          open.add(socket);
          if (health(socket) != null) {
            answered++;
          } else {
            refused++;
          }
        }
        assertThat(answered).isBetween(1, 4);
        assertThat(refused).isGreaterThanOrEqualTo(2);
      } finally {
        for (Socket socket : open) {
          socket.close();
        }
      }
      String status = Eventually.poll(() -> freshHealth(node.port()), line -> line != null, Duration.ofSeconds(5));
      assertThat(status).startsWith("HTTP/1.1 200");
      assertThat(node.api().get("/metrics").bodyAsString())
          .containsPattern("bucket_connections_refused_total(\\{[^}]*\\})? [1-9]");
    }
  }

  private static String freshHealth(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return health(socket);
    } catch (IOException e) {
      return null;
    }
  }

  /** Sends GET /health on the socket and returns the status line, or null when the gateway closed it unanswered. */
  private static String health(Socket socket) throws IOException {
    socket.setSoTimeout(5000);
    try {
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    } catch (java.net.SocketException closed) {
      return null;
    }
  }
}
