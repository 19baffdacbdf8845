package dev.bucket.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.payload.PayloadDigest;
import dev.bucket.payload.PayloadMissingException;
import dev.bucket.payload.PayloadStore;
import dev.bucket.payload.StoredPayload;
import dev.bucket.time.Timestamps;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tombstoning and purging, the same for every payload store; each store's test supplies the store. */
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
abstract class TombstonerContractTest extends RetentionStoreTestBase {

  static final RetentionPolicy POLICY = new RetentionPolicy(RetentionPolicy.DEFAULT_RETENTION_DAYS, 365);
  static final Instant EXPIRY = POLICY.defaultRetainUntil(T0);

  protected PayloadStore payloads;
  protected Context context;
  protected ArtifactRepository artifacts;
  protected RetentionRepository retention;
  protected Tombstoner tombstoner;

  /** An empty, initialised payload store whose time, if it keeps any, is {@link #clock}. */
  protected abstract Future<PayloadStore> createStore(Vertx vertx);

  @BeforeEach
  void createEverything(Vertx vertx, VertxTestContext test) {
    context = vertx.getOrCreateContext();
    artifacts = new ArtifactRepository(direct, 100);
    retention = new RetentionRepository(store, clock, 100);
    onContext(() -> createStore(vertx)).onComplete(test.succeeding(created -> {
      payloads = created;
      tombstoner = new Tombstoner(retention, artifacts, payloads);
      test.completeNow();
    }));
  }

  @Test
  void tombstoneBeforeRetainUntilIsRefusedWithTheDateAndKeepsTheBytes(VertxTestContext test) {
    version("report", 1, "quarterly").compose(v1 -> {
      clock.set(EXPIRY.minusMillis(1));
      return tombstoner.tombstone(v1, POLICY, "owner", "cleanup").transform(refused -> {
        RetentionRefusal refusal = ((RetentionRefusedException) refused.cause()).refusal();
        assertThat(refusal.slug()).isEqualTo(RetentionRefusal.RETENTION_ACTIVE);
        assertThat(refusal.message()).contains(Timestamps.format(EXPIRY));
        return readBack(v1);
      });
    }).compose(bytes -> {
      assertThat(bytes.toString()).isEqualTo("quarterly");
      return storedEventIds();
    }).onComplete(test.succeeding(ids -> test.verify(() -> {
      assertThat(ids).isEmpty();
      test.completeNow();
    })));
  }

  @Test
  void tombstoneUnderLegalHoldIsRefusedUntilTheHoldIsReleased(VertxTestContext test) {
    version("report", 1, "quarterly").compose(v1 -> {
      clock.set(EXPIRY.plusSeconds(1));
      return retention.setHold(v1.key(), T0, POLICY, "owner", "subpoena")
          .compose(e -> tombstoner.tombstone(v1, POLICY, "owner", null))
          .transform(refused -> {
            assertThat(((RetentionRefusedException) refused.cause()).refusal().slug())
                .isEqualTo(RetentionRefusal.LEGAL_HOLD);
            return readBack(v1);
          })
          .compose(bytes -> retention.releaseHold(v1.key(), T0, POLICY, "owner", "closed"))
          .compose(e -> tombstoner.tombstone(v1, POLICY, "owner", null));
    }).onComplete(test.succeeding(result -> test.verify(() -> {
      assertThat(result.event().seq()).isEqualTo(3);
      assertThat(result.purge().status()).isEqualTo(PurgeOutcome.Status.PURGED);
      test.completeNow();
    })));
  }

  @Test
  void tombstoneAfterRetainUntilPurgesTheBytesAndKeepsMetadataHashAndEvents(VertxTestContext test) {
    version("report", 1, "quarterly").compose(v1 -> {
      clock.set(EXPIRY);
      return tombstoner.tombstone(v1, POLICY, "owner", "end of life").compose(result -> {
        assertThat(result.event().type()).isEqualTo(RetentionEvent.Type.TOMBSTONED);
        assertThat(result.state().tombstone())
            .isEqualTo(new RetentionState.Tombstone(EXPIRY, "owner", "end of life"));
        assertThat(result.purge().status()).isEqualTo(PurgeOutcome.Status.PURGED);
        return readBack(v1).transform(read -> {
          assertThat(read.cause()).isInstanceOf(PayloadMissingException.class);
          return payloads.verify(v1.payloadRef(), v1.size(), v1.contentHash(), v1.chunkHashes());
        });
      }).compose(report -> {
        assertThat(report.actualHash()).isEqualTo(PayloadDigest.MISSING);
        return new ArtifactRepository(direct, 10).findVersion("prod-a", "report", 1);
      }).compose(document -> {
        assertThat(document).as("the version document is untouched").isEqualTo(v1);
        return new RetentionRepository(direct, clock, 10).stateOf(v1, POLICY);
      });
    }).onComplete(test.succeeding(state -> test.verify(() -> {
      assertThat(state.tombstoned()).isTrue();
      assertThat(state.toJson().getJsonObject("tombstone").getString("reason")).isEqualTo("end of life");
      test.completeNow();
    })));
  }

  @Test
  void aSecondTombstoneIsRefusedWhileARetriedPurgeIsHarmless(VertxTestContext test) {
    version("report", 1, "quarterly").compose(v1 -> {
      clock.set(EXPIRY.plusSeconds(5));
      return tombstoner.tombstone(v1, POLICY, "owner", null)
          .compose(first -> tombstoner.tombstone(v1, POLICY, "owner", null))
          .transform(second -> {
            assertThat(((RetentionRefusedException) second.cause()).refusal().slug())
                .isEqualTo(RetentionRefusal.ALREADY_TOMBSTONED);
            return tombstoner.purge(v1);
          });
    }).onComplete(test.succeeding(retried -> test.verify(() -> {
      assertThat(retried.status()).isEqualTo(PurgeOutcome.Status.PURGED);
      test.completeNow();
    })));
  }

  @Test
  void aPurgeOfALiveVersionIsRefused(VertxTestContext test) {
    version("report", 1, "quarterly").compose(v1 -> tombstoner.purge(v1))
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(((RetentionRefusedException) err).refusal().slug()).isEqualTo(RetentionRefusal.NOT_TOMBSTONED);
          test.completeNow();
        })));
  }

  @Test
  void sharedBytesAreKeptWhileAnotherLiveVersionReferencesThemAndPurgedWithTheLast(VertxTestContext test) {
    version("report", 1, "same bytes").compose(v1 -> sharing("copy", 1, v1).compose(v2 -> {
      assertThat(v2.payloadRef()).isEqualTo(v1.payloadRef());
      clock.set(EXPIRY.plusSeconds(1));
      return tombstoner.tombstone(v1, POLICY, "owner", null).compose(first -> {
        assertThat(first.purge().status()).isEqualTo(PurgeOutcome.Status.SHARED);
        assertThat(first.purge().sharedWith()).isEqualTo(v2.key());
        assertThat(first.state().tombstoned()).isTrue();
        return readBack(v2);
      }).compose(bytes -> {
        assertThat(bytes.toString()).as("still served for the live version").isEqualTo("same bytes");
        return tombstoner.tombstone(v2, POLICY, "owner", null);
      }).compose(second -> {
        assertThat(second.purge().status()).isEqualTo(PurgeOutcome.Status.PURGED);
        return readBack(v1);
      });
    })).onComplete(test.failing(err -> test.verify(() -> {
      assertThat(err).isInstanceOf(PayloadMissingException.class);
      test.completeNow();
    })));
  }

  @Test
  void theTombstoneIsCommittedBeforeThePurgeStartsAndARetryPurgesAfterAFailure(VertxTestContext test) {
    Promise<List<String>> idsAtPurge = Promise.promise();
    PayloadStore failingPurge = (PayloadStore) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[]{PayloadStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("purge")) {
            storedEventIds().onComplete(idsAtPurge);
            return Future.failedFuture(new IllegalStateException("disk unplugged"));
          }
          try {
            return method.invoke(payloads, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    Tombstoner crashing = new Tombstoner(retention, artifacts, failingPurge);
    version("report", 1, "quarterly").compose(v1 -> {
      clock.set(EXPIRY.plusSeconds(1));
      return crashing.tombstone(v1, POLICY, "owner", null).compose(result -> {
        assertThat(result.purge().status()).isEqualTo(PurgeOutcome.Status.FAILED);
        assertThat(result.purge().detail()).contains("disk unplugged");
        assertThat(result.state().tombstoned()).isTrue();
        return idsAtPurge.future();
      }).compose(ids -> {
        assertThat(ids).as("the tombstone was committed before the purge").containsExactly(v1.key() + "#1");
        return readBack(v1);
      }).compose(bytes -> {
        assertThat(bytes.toString()).as("a failed purge keeps the bytes").isEqualTo("quarterly");
        return tombstoner.purge(v1);
      }).compose(retried -> {
        assertThat(retried.status()).isEqualTo(PurgeOutcome.Status.PURGED);
        return readBack(v1);
      });
    }).onComplete(test.failing(err -> test.verify(() -> {
      assertThat(err).isInstanceOf(PayloadMissingException.class);
      test.completeNow();
    })));
  }

  /** Stores {@code text} and inserts version {@code n} of {@code artifactId} created now, referencing it. */
  protected Future<Artifact> version(String artifactId, int n, String text) {
    return onContext(() -> payloads.store(Buffer.buffer(text))).compose(payload -> insert(artifactId, n, payload));
  }

  /** Another version whose document references the same payload as {@code original}. */
  protected Future<Artifact> sharing(String artifactId, int n, Artifact original) {
    return insert(artifactId, n, new StoredPayload(original.payloadRef(), original.contentHash(), original.size(),
        original.chunkHashes()));
  }

  protected Future<Artifact> insert(String artifactId, int n, StoredPayload payload) {
    Artifact artifact = new Artifact("prod-a", artifactId, "report", n, Timestamps.format(clock.instant()),
        "integration-1", payload.contentHash(), payload.size(), "text/plain", null, new JsonObject(),
        payload.ref(), payload.chunkHashes(), null, 1, 1);
    return artifacts.insert(artifact).map(artifact);
  }

  protected Future<Buffer> readBack(Artifact artifact) {
    return onContext(() -> payloads.read(artifact.payloadRef(), artifact.size()));
  }

  protected <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }
}
