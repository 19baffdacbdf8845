import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * The yardstick for gateway CPU per request: a bare Vert.x Web route answering a fixed small JSON body, on the same
 * Vert.x and JVM as the gateway. Run from the repository root after packaging:
 * {@code java -cp target/bucket.jar loadtest/wrk/BareRoute.java PORT}.
 */
public class BareRoute {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    Buffer body = Buffer.buffer("{\"artifact_id\":\"bare\",\"version\":1,\"content_hash\":\"sha256:00\"}");
    router.get("/bare").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(body));
    vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1").await();
    System.out.println("bare route on 127.0.0.1:" + port + "/bare");
  }
}
