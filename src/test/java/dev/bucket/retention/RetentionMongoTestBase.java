package dev.bucket.retention;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.bucket.support.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.junit5.VertxExtension;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fresh in-memory MongoDB per test reached through the real vertx-mongo-client, a clock that moves only when told,
 * and {@link #mongo} as a proxy that records every query on {@value RetentionEvent#COLLECTION} and lets a test
 * intercept calls.
 */
@ExtendWith(VertxExtension.class)
abstract class RetentionMongoTestBase {

  static final Instant T0 = Instant.parse("2026-11-22T18:00:00.123Z");

  /** One recorded call: method name, collection and its query or document. */
  record Call(String method, String collection, JsonObject argument) {
  }

  /** Lets a test replace a call; return null to let it through. */
  @FunctionalInterface
  interface Interceptor {
    Object intercept(Method method, Object[] args, MongoClient target) throws Throwable;
  }

  MongoServer server;
  /** The client without recording or interception, for setting up and inspecting the database. */
  MongoClient direct;
  /** The client the code under test uses. */
  MongoClient mongo;
  final MutableClock clock = new MutableClock(T0);
  final List<Call> calls = new CopyOnWriteArrayList<>();
  volatile Interceptor interceptor;

  @BeforeEach
  void startMongo(Vertx vertx) {
    server = new MongoServer(new MemoryBackend());
    InetSocketAddress address = server.bind();
    direct = MongoClient.create(vertx, new JsonObject()
        .put("connection_string", "mongodb://127.0.0.1:" + address.getPort())
        .put("db_name", "test"));
    mongo = recording(direct);
  }

  @AfterEach
  void stopMongo(Vertx vertx) throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    direct.close();
    server.shutdownNow();
  }

  private MongoClient recording(MongoClient target) {
    return (MongoClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{MongoClient.class},
        (proxy, method, args) -> {
          if (args != null && args.length >= 2 && RetentionEvent.COLLECTION.equals(args[0])
              && args[1] instanceof JsonObject argument) {
            calls.add(new Call(method.getName(), (String) args[0], argument.copy()));
          }
          Interceptor current = interceptor;
          if (current != null) {
            Object replaced = current.intercept(method, args, target);
            if (replaced != null) {
              return replaced;
            }
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** Recorded reads of retention events. */
  List<Call> eventReads() {
    return calls.stream().filter(c -> c.method().startsWith("find")).toList();
  }

  /** The ids of every stored event document, sorted. */
  Future<List<String>> storedEventIds() {
    return direct.find(RetentionEvent.COLLECTION, new JsonObject())
        .map(docs -> docs.stream().map(d -> d.getString("_id")).sorted().toList());
  }

  static JsonObject idsQuery(String key, int first, int last) {
    io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
    for (int seq = first; seq <= last; seq++) {
      ids.add(key + "#" + seq);
    }
    return new JsonObject().put("_id", new JsonObject().put("$in", ids));
  }
}
