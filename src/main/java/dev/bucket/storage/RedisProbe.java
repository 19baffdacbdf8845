package dev.bucket.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.util.List;

/** Live state of the configured Redis for {@code /health}; absent when no {@code redis_uri} is configured. */
public final class RedisProbe {

  private final RedisAPI api;

  private RedisProbe(RedisAPI api) {
    this.api = api;
  }

  /** Null when Redis is not configured. */
  public static RedisProbe create(Vertx vertx, String uri) {
    if (uri.isEmpty()) {
      return null;
    }
    return new RedisProbe(RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(uri))));
  }

  public Future<Void> ping() {
    return api.ping(List.of()).mapEmpty();
  }

  public void close() {
    api.close();
  }
}
