package dev.bucket.ingest;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditQueries;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up repair of the one gap the write order allows: an artifact version whose process died before its commit
 * entry became durable. Such a write was never acknowledged, but the artifact exists, so it must be in the log. Every
 * version is stored with a marker that the batch of its commit entry deletes ({@link AuditQueries#markUncommitted}),
 * so recovery reads only the markers left, in bounded pages: its cost is the number of half-done writes, not the
 * size of the store or the rate of recent writes.
 */
public final class IngestRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(IngestRecovery.class);
  /** Markers read per scan. */
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
    return repairFrom(null, 0).onSuccess(count -> {
      if (count > 0) {
        LOG.warn("recovered {} artifact(s) whose audit entry was lost in a crash; entries appended", count);
      }
    });
  }

  /** Repairs the versions one page of markers at a time. */
  private Future<Integer> repairFrom(String cursor, int repaired) {
    return auditQueries.uncommitted(cursor, PAGE).compose(page -> {
      Future<Integer> done = Future.succeededFuture(repaired);
      for (AuditQueries.Uncommitted marker : page) {
        done = done.compose(count -> repair(marker).map(fixed -> fixed ? count + 1 : count));
      }
      return page.size() < PAGE ? done
          : done.compose(count -> repairFrom(page.get(page.size() - 1).marker(), count));
    });
  }

  private Future<Boolean> repair(AuditQueries.Uncommitted marker) {
    return Future.all(artifacts.findVersion(marker.product(), marker.artifactId(), marker.version()),
            auditQueries.commitIndex(marker.product(), marker.artifactId(), marker.version()))
        .compose(found -> {
          Artifact artifact = found.resultAt(0);
          if (artifact == null || found.resultAt(1) != null) {
            return Future.succeededFuture(false);
          }
          return audit.appendDurable(IngestVerticle.record(artifact.createdBy(), artifact,
                  IngestVerticle.commitOperation(artifact), 201, new JsonObject().put("recovered", true)))
              .map(receipt -> true);
        });
  }
}
