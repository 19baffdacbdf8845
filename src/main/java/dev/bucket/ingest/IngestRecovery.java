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
 * scan of the creation-time index covers the tail, not the whole store, in bounded pages.
 */
public final class IngestRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(IngestRecovery.class);
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
  /** Candidates read per scan of the creation-time index. */
  static final int PAGE = 500;

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
        .compose(since -> repairFrom(since, null, 0))
        .onSuccess(count -> {
          if (count > 0) {
            LOG.warn("recovered {} artifact(s) whose audit entry was lost in a crash; entries appended", count);
          }
        });
  }

  /** Repairs the candidates one page at a time, so a long tail never sits in memory at once. */
  private Future<Integer> repairFrom(String since, String cursor, int repaired) {
    return artifacts.createdSince(since, cursor, PAGE).compose(page -> {
      Future<Integer> done = Future.succeededFuture(repaired);
      for (Artifact artifact : page.artifacts()) {
        done = done.compose(count -> repair(artifact).map(fixed -> fixed ? count + 1 : count));
      }
      return page.next() == null ? done : done.compose(count -> repairFrom(since, page.next(), count));
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
