package dev.bucket.retention;

import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.RocksStore;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import dev.bucket.support.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh embedded store per test on a temporary directory, a clock that moves only when told, and {@link #store} as
 * a proxy that records every scan of {@link Space#RETENTION} and lets a test intercept calls.
 */
@ExtendWith(VertxExtension.class)
abstract class RetentionStoreTestBase {

  static final Instant T0 = Instant.parse("2026-11-22T18:00:00.123Z");

  /** One recorded scan of retention events: its bounds and limit. */
  record Scan(String from, String to, int limit) {
  }

  /** Lets a test replace a call; return null to let it through. */
  @FunctionalInterface
  interface Interceptor {
    Object intercept(Method method, Object[] args, Store target) throws Throwable;
  }

  @TempDir
  Path dir;
  /** The store without recording or interception, for setting up and inspecting it. */
  Store direct;
  /** The store the code under test uses. */
  Store store;
  final MutableClock clock = new MutableClock(T0);
  final List<Scan> scans = new CopyOnWriteArrayList<>();
  volatile Interceptor interceptor;

  @BeforeEach
  void openStore(Vertx vertx) {
    direct = RocksStore.open(vertx, dir.resolve("store"), RocksStore.Settings.defaults()).await();
    store = recording(direct);
  }

  @AfterEach
  void closeStore() {
    direct.close().await();
  }

  private Store recording(Store target) {
    return (Store) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Store.class},
        (proxy, method, args) -> {
          if (method.getName().equals("scan") && args[0] == Space.RETENTION) {
            scans.add(new Scan((String) args[1], (String) args[2], (Integer) args[3]));
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

  /** True for a commit that writes retention events. */
  static boolean isEventCommit(Method method, Object[] args) {
    return method.getName().equals("commit")
        && ((Batch) args[0]).ops().stream().anyMatch(op -> op.space() == Space.RETENTION);
  }

  /** Every stored event, in key order. */
  Future<List<KeyValue>> storedEvents() {
    return direct.scan(Space.RETENTION, null, null, 1000, false);
  }

  /** The names ({@code key#seq}) of every stored event, in key order. */
  Future<List<String>> storedEventIds() {
    return storedEvents().map(rows -> rows.stream().map(row -> RetentionEvent.fromDocument(row.value()).id())
        .toList());
  }
}
