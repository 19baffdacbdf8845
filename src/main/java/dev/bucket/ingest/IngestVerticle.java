package dev.bucket.ingest;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.artifact.DuplicateArtifactException;
import dev.bucket.artifact.IdempotencyKeyTakenException;
import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditQueries;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.bus.Addresses;
import dev.bucket.logging.LogBudget;
import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.Space;
import dev.bucket.storage.StoreFullException;
import dev.bucket.time.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits artifacts. Write order (see docs/decisions/0001-write-ordering.md): a streamed payload is already durable;
 * the version (its record, index keys and usage, an inline payload's bytes) is handed to the audit log with its commit
 * entry, which commits both in one batch with the other writes of the moment; only once that batch is durable does the
 * reply (and so the HTTP acknowledgement) go out. The version's insert-only key, and its Idempotency-Key's, decide
 * concurrent writers: the loser's entry alone is refused and its write answered 409, 412 or as a replay.
 */
public final class IngestVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  /** A saturated audit log refuses every write for a while: one line a second (all instances) says so, with a count. */
  private static final LogBudget FAILURE_LINES = new LogBudget(1);

  private final ArtifactRepository artifacts;
  private final AuditClient audit;
  private final AuditQueries auditQueries;
  private final Clock clock;

  public IngestVerticle(ArtifactRepository artifacts, AuditClient audit, AuditQueries auditQueries, Clock clock) {
    this.artifacts = artifacts;
    this.audit = audit;
    this.auditQueries = auditQueries;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<IngestCommand>localConsumer(Addresses.INGEST_COMMIT, message ->
        commit(message.body()).onComplete(result -> {
          if (result.succeeded()) {
            message.reply(result.result());
          } else {
            String more = FAILURE_LINES.admit();
            if (more != null) {
              LOG.warn("commit failed: {}{}", result.cause().toString(), more);
            }
            // A full disk is the operator's to fix (507); anything else may pass on a retry (503).
            int code = result.cause() instanceof StoreFullException ? 507 : 503;
            message.fail(code, "commit failed: " + result.cause().getClass().getSimpleName());
          }
        })).completion();
  }

  Future<IngestOutcome> commit(IngestCommand command) {
    if (command.idempotencyKey() == null) {
      return write(command);
    }
    return artifacts.findByIdempotencyKey(command.product(), command.idempotencyKey()).compose(existing ->
        existing != null ? retried(existing, command) : write(command).recover(failure ->
            // A concurrent write with the same key committed first: this request is a retry of that one.
            failure instanceof IdempotencyKeyTakenException
                ? artifacts.findByIdempotencyKey(command.product(), command.idempotencyKey())
                    // The winner is stored before the loser hears of it; should it be gone, the loser fails (503).
                    .compose(winner -> winner != null ? retried(winner, command) : Future.failedFuture(failure))
                : Future.failedFuture(failure)));
  }

  private Future<IngestOutcome> write(IngestCommand command) {
    return command.isVersion() ? appendVersion(command) : create(command);
  }

  /** A request whose Idempotency-Key already created {@code existing}: a replay if it carries the same write. */
  private Future<IngestOutcome> retried(Artifact existing, IngestCommand command) {
    Artifact attempted = build(command, existing.artifactId(), existing.version(), existing.previousVersionHash(),
        existing.artifactClass());
    boolean sameTarget = command.artifactId() == null || existing.artifactId().equals(command.artifactId());
    return existing.sameContent(attempted) && sameTarget
        ? replay(existing, command) : Future.succeededFuture(new IngestOutcome.Conflict(existing));
  }

  private Future<IngestOutcome> create(IngestCommand command) {
    String artifactId = command.artifactId() != null ? command.artifactId() : UUID.randomUUID().toString();
    Artifact artifact = build(command, artifactId, 1, null, command.artifactClass());
    return commit(artifact, command).recover(
        failure -> failure instanceof DuplicateArtifactException
            ? artifacts.findVersion(command.product(), artifactId, 1).compose(existing ->
                existing.sameContent(artifact) ? replay(existing, command)
                    : Future.succeededFuture(new IngestOutcome.Conflict(existing)))
            : Future.failedFuture(failure));
  }

  private Future<IngestOutcome> appendVersion(IngestCommand command) {
    return artifacts.findLatestUncached(command.product(), command.artifactId()).compose(current -> {
      if (current == null) {
        return Future.succeededFuture(new IngestOutcome.NotFound());
      }
      if (!current.contentHash().equals(command.ifMatch())) {
        return Future.succeededFuture(new IngestOutcome.Stale(current));
      }
      Artifact next = build(command, current.artifactId(), current.version() + 1, current.contentHash(),
          current.artifactClass());
      return commit(next, command).recover(
          failure -> failure instanceof DuplicateArtifactException
              ? artifacts.findLatestUncached(command.product(), command.artifactId()).map(IngestOutcome.Stale::new)
              : Future.failedFuture(failure));
    });
  }

  /**
   * Commits a new version, its payload's bytes if they are not stored yet, and its commit entry as one. A lost insert
   * fails with {@link DuplicateArtifactException} (the version) or {@link IdempotencyKeyTakenException}.
   */
  private Future<IngestOutcome> commit(Artifact artifact, IngestCommand command) {
    Batch writes = artifacts.writes(artifact).addAll(command.payloadWrites());
    return audit.commit(record(artifact.createdBy(), artifact, commitOperation(artifact), 201, new JsonObject()),
            writes)
        .recover(failure -> {
          RuntimeException lost = failure instanceof KeyConflictException conflict
              ? ArtifactRepository.lostInsert(conflict) : null;
          return Future.failedFuture(lost != null ? lost : failure);
        })
        .map(receipt -> {
          artifacts.stored(artifact);
          return new IngestOutcome.Committed(artifact, receipt.index());
        });
  }

  /**
   * Appends the missing commit entry of a version stored without one (by a build before versions and entries were
   * committed together) and waits until it is durable. The log takes one commit entry per version, and two retries
   * may append it at once: when the append fails, the entry the other one wrote is the answer.
   */
  private Future<Long> commitEntry(Artifact artifact, JsonObject details) {
    return audit.appendDurable(record(artifact.createdBy(), artifact, commitOperation(artifact), 201, details))
        .map(receipt -> receipt.index())
        .recover(failure -> landedCommit(artifact, isDuplicateCommit(failure) ? LANDED_LOOKUPS : 1)
            .compose(landed -> landed != null ? Future.succeededFuture(landed) : Future.failedFuture(failure)));
  }

  /**
   * The other writer's entry is looked up once; when the log refused ours as a duplicate, that entry exists but may
   * not be durable yet, so it is looked up a few times, {@value #LANDED_LOOKUP_MS} ms apart. Any other failure (a
   * saturated log) stands after one lookup, so an overloaded log is not polled.
   */
  private Future<Long> landedCommit(Artifact artifact, int lookups) {
    return commitIndex(artifact).compose(index -> index != null || lookups <= 1 ? Future.succeededFuture(index)
        : vertx.timer(LANDED_LOOKUP_MS).compose(v -> landedCommit(artifact, lookups - 1)));
  }

  /**
   * A retry of a stored request: answer with the original, and record that the retry happened. If the original's
   * commit entry is missing (its append failed after the document was stored, e.g. a saturated log), it is written
   * now: the retry is what completes the original write.
   */
  private Future<IngestOutcome> replay(Artifact original, IngestCommand retry) {
    return commitIndex(original)
        .compose(index -> index != null ? Future.succeededFuture(index)
            : commitEntry(original, new JsonObject().put("recovered", true)))
        .compose(index -> audit.appendAccepted(record(retry.actor(), original, commitOperation(original), 200,
                new JsonObject().put("replay_of", index)))
            .map(ignored -> new IngestOutcome.Replayed(original, index)));
  }

  private static boolean isDuplicateCommit(Throwable failure) {
    return failure instanceof KeyConflictException conflict && conflict.space() == Space.AUDIT_INDEX;
  }

  private static final int LANDED_LOOKUPS = 20;
  private static final long LANDED_LOOKUP_MS = 50;

  private Future<Long> commitIndex(Artifact artifact) {
    return auditQueries.commitIndex(artifact.productId(), artifact.artifactId(), artifact.version());
  }

  /** The operation whose successful 201 entry commits this version: its creation or a new version. */
  static String commitOperation(Artifact artifact) {
    return artifact.version() == 1 ? "artifact.create" : "artifact.version";
  }

  private Artifact build(IngestCommand command, String artifactId, int version, String previousHash,
                         String artifactClass) {
    return new Artifact(command.product(), artifactId, artifactClass, version, Timestamps.format(clock.instant()),
        command.actor(), command.payload().contentHash(), command.payload().size(), command.contentType(),
        previousHash, command.metadata(), command.payload().ref(), command.payload().chunkHashes(),
        command.idempotencyKey(), command.rulesVersion(), command.schemaVersion());
  }

  static AuditRecord record(String actor, Artifact artifact, String operation, int status, JsonObject details) {
    return new AuditRecord(actor, artifact.productId(), operation, artifact.artifactId(),
        artifact.version(), artifact.contentHash(), Outcome.SUCCESS, status, null,
        details.put("artifact_class", artifact.artifactClass()).put("size", artifact.size())
            .put("rules_version", artifact.rulesVersion()).put("schema_version", artifact.schemaVersion()));
  }
}
