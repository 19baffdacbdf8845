package dev.bucket.retention;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.payload.PayloadStore;
import dev.bucket.payload.PurgeDeferredException;
import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tombstones a version and purges its bytes: the one path in Bucket that removes stored data.
 *
 * <p>Order: the tombstone event is committed (durably) first, the bytes purged after. A crash in between leaves
 * a tombstoned version whose bytes remain (safe; {@link #purge} finishes the job), never purged bytes without a
 * record. The version document, its content hash and every log entry stay.
 *
 * <p>Payloads can be shared: the filesystem store is content-addressed, so every version with identical bytes has the
 * same {@code payload_ref}. Bytes are purged only when every version referencing them is tombstoned. A live version
 * whose document is not written yet is invisible to that check; the content-addressed store covers it with its
 * upload claims ({@link PurgeDeferredException}).
 */
public final class Tombstoner {

  private static final Logger LOG = LoggerFactory.getLogger(Tombstoner.class);
  /** Referencing versions whose tombstone state is read in parallel. */
  private static final int CHECK_BATCH = 32;

  private final RetentionRepository retention;
  private final ArtifactRepository artifacts;
  private final PayloadStore payloads;

  /** The tombstone and its purge: the event written, the state after it, and what became of the bytes. */
  public record Result(RetentionEvent event, RetentionState state, PurgeOutcome purge) {
  }

  public Tombstoner(RetentionRepository retention, ArtifactRepository artifacts, PayloadStore payloads) {
    this.retention = retention;
    this.artifacts = artifacts;
    this.payloads = payloads;
  }

  /**
   * Tombstones {@code artifact} (refused with {@link RetentionRefusedException}: {@code retention-active},
   * {@code legal-hold}, {@code already-tombstoned}) and then tries to purge its bytes. A failed purge does not fail
   * the tombstone, which is durable by then; the result says what became of the bytes.
   */
  public Future<Result> tombstone(Artifact artifact, RetentionPolicy policy, String actor, String reason) {
    return retention.tombstone(artifact.key(), RetentionRepository.createdAt(artifact), policy, actor, reason)
        .compose(event -> retention.stateOf(artifact, policy).compose(state -> purgeBytes(artifact)
            .map(outcome -> new Result(event, state, outcome))));
  }

  /**
   * Retries the purge of a tombstoned version's bytes (after a crash, a deferral, a failure, or once the last live
   * version sharing them is tombstoned too). Refused with {@code not-tombstoned} for a live version. Idempotent.
   */
  public Future<PurgeOutcome> purge(Artifact artifact) {
    return retention.events(artifact.key()).compose(events -> {
      if (events.stream().noneMatch(e -> e.type() == RetentionEvent.Type.TOMBSTONED)) {
        return Future.failedFuture(new RetentionRefusedException(new RetentionRefusal(RetentionRefusal.NOT_TOMBSTONED,
            artifact.key() + " is not tombstoned; its bytes are kept")));
      }
      return purgeBytes(artifact);
    });
  }

  /** Never fails: every problem becomes an outcome that keeps the bytes. */
  private Future<PurgeOutcome> purgeBytes(Artifact artifact) {
    String ref = artifact.payloadRef();
    return liveReference(ref, artifact.key())
        .compose(live -> live != null
            ? Future.succeededFuture(PurgeOutcome.shared(ref, live))
            : payloads.purge(ref).map(v -> PurgeOutcome.purged(ref)))
        .recover(err -> {
          if (err instanceof PurgeDeferredException deferred) {
            return Future.succeededFuture(PurgeOutcome.deferred(deferred.getMessage(), deferred.retryAfter()));
          }
          LOG.warn("purge of {} for tombstoned {} failed; the bytes may remain", ref, artifact.key(), err);
          return Future.succeededFuture(PurgeOutcome.failed("purge of " + ref + " failed: " + err.getMessage()));
        });
  }

  /**
   * A live version other than {@code tombstonedKey} whose document references {@code ref}, or null: a scan of the
   * payload index (its cost is the number of versions sharing the bytes), then one keyed read of events per
   * referencing version (unless cached), stopping at the first batch that holds a live one.
   */
  private Future<String> liveReference(String ref, String tombstonedKey) {
    return artifacts.referencing(ref)
        .compose(keys -> firstLive(keys.stream().filter(key -> !key.equals(tombstonedKey)).toList(), 0));
  }

  /** Checks {@link #CHECK_BATCH} versions at a time, so a payload shared by thousands does not nest thousands deep. */
  private Future<String> firstLive(List<String> keys, int from) {
    if (from >= keys.size()) {
      return Future.succeededFuture(null);
    }
    List<String> batch = keys.subList(from, Math.min(keys.size(), from + CHECK_BATCH));
    List<Future<Boolean>> checks = batch.stream().map(retention::tombstoned).toList();
    return Future.all(checks).compose(done -> {
      for (int i = 0; i < batch.size(); i++) {
        if (!checks.get(i).result()) {
          return Future.succeededFuture(batch.get(i));
        }
      }
      return firstLive(keys, from + CHECK_BATCH);
    });
  }
}
