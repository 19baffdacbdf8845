package dev.bucket.integrity;

import dev.bucket.artifact.Artifact;
import dev.bucket.artifact.ArtifactRepository;
import dev.bucket.audit.AuditClient;
import dev.bucket.audit.AuditEntry;
import dev.bucket.audit.AuditQueries;
import dev.bucket.audit.ChainReport;
import dev.bucket.audit.ChainVerifier;
import dev.bucket.payload.IntegrityReport;
import dev.bucket.payload.PayloadStore;
import dev.bucket.retention.RetentionRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers "is this artifact exactly what was written?" from the stores themselves: every version's payload is
 * re-hashed chunk by chunk, every version must have its commit entry in the log with the same content hash, and the
 * hash chain is walked from the artifact's first entry to the durable head the audit writer holds, so an edited,
 * dropped or reordered entry, or a consistently rewritten tail, is named by its index.
 */
public final class ImmutabilityValidator {

  private final ArtifactRepository artifacts;
  private final PayloadStore payloads;
  private final AuditQueries auditQueries;
  private final ChainVerifier chain;
  private final AuditClient audit;
  private final RetentionRepository retention;

  public ImmutabilityValidator(ArtifactRepository artifacts, PayloadStore payloads, AuditQueries auditQueries,
                               ChainVerifier chain, AuditClient audit, RetentionRepository retention) {
    this.retention = retention;
    this.artifacts = artifacts;
    this.payloads = payloads;
    this.auditQueries = auditQueries;
    this.chain = chain;
    this.audit = audit;
  }

  /** The report for every product holding {@code artifactId}, or only {@code product} when given. */
  public Future<JsonObject> validate(String artifactId, String product) {
    Future<List<String>> products = product != null ? Future.succeededFuture(List.of(product))
        : artifacts.productsHolding(artifactId);
    return products.compose(names -> {
      List<Future<List<Artifact>>> lookups = names.stream().map(p -> artifacts.versions(p, artifactId)).toList();
      return Future.all(lookups).map(all -> lookups.stream().flatMap(f -> f.result().stream()).toList());
    }).compose(versions -> {
      if (versions.isEmpty()) {
        return Future.succeededFuture(null);
      }
      List<Future<JsonObject>> checks = versions.stream().map(this::checkVersion).toList();
      return Future.all(checks).compose(done -> {
        List<JsonObject> reports = checks.stream().map(Future::result).toList();
        return checkChain(reports).map(chainReport -> summary(artifactId, reports, chainReport));
      });
    });
  }

  /** A tombstoned version's bytes were purged on purpose: their absence is the expected state, not damage. */
  private Future<JsonObject> checkVersion(Artifact artifact) {
    return retention.tombstoned(artifact.key()).compose(tombstoned -> tombstoned
        ? auditQueries.commitEntry(artifact.productId(), artifact.artifactId(), artifact.version())
            .map(commit -> {
              JsonObject report = new JsonObject().put("product_id", artifact.productId())
                  .put("version", artifact.version()).put("content_hash", artifact.contentHash())
                  .put("payload", new JsonObject().put("state", "tombstoned").put("intact", true));
              if (commit != null) {
                report.put("audit_index", commit.index());
              }
              return report.put("problems", new JsonArray(commit == null
                  ? List.of("version " + artifact.version() + ": no commit entry in the audit log") : List.of()));
            })
        : checkStored(artifact));
  }

  private Future<JsonObject> checkStored(Artifact artifact) {
    Future<IntegrityReport> payload = payloads.verify(artifact.payloadRef(), artifact.size(), artifact.contentHash(),
        artifact.chunkHashes());
    Future<AuditEntry> entry = auditQueries.commitEntry(artifact.productId(), artifact.artifactId(),
        artifact.version());
    return Future.all(payload, entry).map(done -> {
      JsonObject report = new JsonObject()
          .put("product_id", artifact.productId())
          .put("version", artifact.version())
          .put("content_hash", artifact.contentHash())
          .put("payload", payloadJson(payload.result()));
      List<String> problems = new ArrayList<>();
      IntegrityReport p = payload.result();
      if (!p.intact()) {
        problems.add("version " + artifact.version() + ": stored payload hashes to " + p.actualHash()
            + " instead of " + p.expectedHash() + describeRanges(p));
      }
      AuditEntry commit = entry.result();
      if (commit == null) {
        problems.add("version " + artifact.version() + ": no commit entry in the audit log");
      } else {
        report.put("audit_index", commit.index());
        if (!artifact.contentHash().equals(commit.contentHash())) {
          problems.add("version " + artifact.version() + ": audit entry " + commit.index() + " records content hash "
              + commit.contentHash() + " but the artifact document says " + artifact.contentHash());
        }
      }
      return report.put("problems", new JsonArray(problems));
    });
  }

  private Future<ChainReport> checkChain(List<JsonObject> versions) {
    long first = versions.stream().filter(v -> v.containsKey("audit_index"))
        .mapToLong(v -> v.getLong("audit_index")).min().orElse(0);
    return audit.head().compose(head -> chain.verify(first, head.size(), head.hash()));
  }

  private static JsonObject summary(String artifactId, List<JsonObject> versions, ChainReport chainReport) {
    JsonArray problems = new JsonArray();
    versions.forEach(v -> v.getJsonArray("problems").forEach(problems::add));
    if (!chainReport.ok()) {
      problems.add("audit chain: " + chainReport.detail());
    }
    return new JsonObject()
        .put("artifact_id", artifactId)
        .put("valid", problems.isEmpty())
        .put("versions", new JsonArray(versions))
        .put("audit_chain", chainReport.toJson())
        .put("problems", problems);
  }

  private static JsonObject payloadJson(IntegrityReport report) {
    JsonArray damaged = new JsonArray();
    report.damaged().forEach(r -> damaged.add(new JsonObject().put("chunk", r.chunk())
        .put("first_byte", r.firstByte()).put("last_byte", r.lastByte())));
    return new JsonObject()
        .put("intact", report.intact())
        .put("actual_hash", report.actualHash())
        .put("expected_size", report.expectedSize())
        .put("actual_size", report.actualSize())
        .put("damaged_ranges", damaged);
  }

  private static String describeRanges(IntegrityReport report) {
    if (report.damaged().isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder("; damaged bytes");
    report.damaged().forEach(r -> text.append(' ').append(r.firstByte()).append('-').append(r.lastByte()));
    return text.toString();
  }
}
