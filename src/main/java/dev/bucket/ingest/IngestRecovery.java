package dev.bucket.ingest;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditQueries;
import dev.bucket.time.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up repair of the one gap the write order allows: an artifact document whose process died before its audit
 * entry became durable. Such a write was never acknowledged, but the artifact exists, so it must be in the log.
 * Only artifacts created after the newest committed entry (minus clock skew between nodes) can be affected, so the
 * scan is bounded by the tail, not the whole store.
 */
public final class IngestRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(IngestRecovery.class);
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private final ArtifactRepository artifacts;
  private final AuditClient audit;
  private final AuditQueries auditQueries;

  public IngestRecovery(ArtifactRepository artifacts, AuditClient audit, AuditQueries auditQueries) {
    this.artifacts = artifacts;
    this.audit = audit;
    this.auditQueries = auditQueries;
  }

  /** Appends the missing entries; completes with how many there were. */
  public Future<Integer> run() {
    return audit.head().compose(head -> auditQueries.lastCommitTimestamp(head.size()))
        .map(last -> last == null ? "" : Timestamps.format(Instant.parse(last).minus(CLOCK_SKEW)))
        .compose(artifacts::createdSince)
        .compose(candidates -> {
          Future<Integer> repaired = Future.succeededFuture(0);
          for (Artifact artifact : candidates) {
            repaired = repaired.compose(count -> repair(artifact).map(done -> done ? count + 1 : count));
          }
          return repaired;
        })
        .onSuccess(count -> {
          if (count > 0) {
            LOG.warn("recovered {} artifact(s) whose audit entry was lost in a crash; entries appended", count);
          }
        });
  }

  private Future<Boolean> repair(Artifact artifact) {
    return auditQueries.commitIndex(artifact.productId(), artifact.artifactId(), artifact.version())
        .compose(index -> index != null ? Future.succeededFuture(false)
            : audit.appendDurable(IngestVerticle.record(artifact.createdBy(), artifact,
                IngestVerticle.commitOperation(artifact), 201, new JsonObject().put("recovered", true)))
                .map(receipt -> true));
  }
}
