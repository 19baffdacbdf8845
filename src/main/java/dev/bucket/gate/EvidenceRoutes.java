package dev.bucket.gate;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditEntry;
import dev.bucket.audit.AuditQueries;
import dev.bucket.audit.AuditRecord;
import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.retention.RetentionState;
import dev.bucket.transparency.LogReader;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;

/**
 * {@code GET .../versions/{n}/evidence}: a self-contained bundle (format {@code bucket-evidence/v1}, see
 * docs/evidence.md) that proves, to anyone holding the log's verifier key and the payload, that this exact version
 * was committed to the log: its metadata, its commit entry's exact bytes, an inclusion proof, and the signed
 * checkpoint the proof ends at.
 */
final class EvidenceRoutes {

  static final String FORMAT = "bucket-evidence/v1";

  private final ArtifactRepository artifacts;
  private final AuditQueries queries;
  private final LogReader log;
  private final AuditClient audit;
  private final RetentionRoutes retention;

  EvidenceRoutes(ArtifactRepository artifacts, AuditQueries queries, LogReader log, AuditClient audit,
                 RetentionRoutes retention) {
    this.retention = retention;
    this.artifacts = artifacts;
    this.queries = queries;
    this.log = log;
    this.audit = audit;
  }

  void mount(Router router) {
    String path = ArtifactRoutes.BASE + "/:id/versions/:version/evidence";
    router.get(path).setName("artifact.evidence").handler(this::evidence);
    ArtifactRoutes.refuseMutation(router, path, "GET");
  }

  private void evidence(RoutingContext ctx) {
    String product = Requests.product(ctx);
    String artifactId = Requests.artifactId(ctx);
    int version = Requests.version(ctx);
    ArtifactRoutes.requireVersion(artifacts, product, artifactId, version)
        .compose(artifact -> queries.commitEntry(product, artifactId, version).compose(entry -> {
          if (entry == null) {
            return Future.failedFuture(notYet("its commit entry is not in the log yet"));
          }
          return log.latest().compose(signed -> {
            long size = signed.checkpoint().size();
            if (entry.index() >= size) {
              return Future.failedFuture(notYet("no signed checkpoint covers its log entry yet"));
            }
            return log.inclusion(entry.index(), size).compose(proof -> retention.state(artifact)
                .map(state -> bundle(artifact, entry, proof, signed, state)));
          });
        }))
        .compose(bundle -> {
          Operation op = Operation.of(ctx);
          return audit.appendAccepted(new AuditRecord(op.actor(), product, op.name(), artifactId, version,
              bundle.getJsonObject("artifact").getString("content_hash"), Outcome.SUCCESS, 200, null, null))
              .map(bundle);
        })
        .onSuccess(bundle -> Responses.json(ctx, 200, bundle))
        .onFailure(ctx::fail);
  }

  private static JsonObject bundle(Artifact artifact, AuditEntry entry, LogReader.Inclusion proof,
                                   LogReader.Signed signed, RetentionState retention) {
    return new JsonObject()
        .put("format", FORMAT)
        .put("artifact", artifact.toView())
        .put("log_entry", new JsonObject().put("index", entry.index())
            .put("entry", Base64.getEncoder().encodeToString(entry.canonicalBytes())))
        .put("inclusion_proof", new JsonObject().put("tree_size", proof.treeSize())
            .put("hashes", LogRoutes.base64(proof.hashes())))
        .put("checkpoint", signed.note())
        // The version's retention now (it only ever moves later) and the log entry's own retention.
        .put("retention", retention.toJson().put("log_entry_retention_until", entry.retentionUntil()));
  }

  /** Evidence follows a write within a second; until then the client is told to come back. */
  private static ApiException notYet(String why) {
    return ApiException.retryLater("evidence is not available yet: " + why);
  }
}
