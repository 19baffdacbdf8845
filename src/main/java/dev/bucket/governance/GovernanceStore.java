package dev.bucket.governance;

import dev.bucket.governance.rules.RuleSet;
import dev.bucket.governance.rules.RuleSetException;
import dev.bucket.governance.rules.RuleSetLoader;
import dev.bucket.governance.schema.SchemaCatalog;
import dev.bucket.governance.schema.SchemaProposal;
import dev.bucket.storage.DurabilityBarrier;
import dev.bucket.storage.MongoErrors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rules and schemas in force, and their history. The files in {@code conf/} are version 1; every later version
 * (an owner's rule change, an approved schema) is a document inserted once and never edited: {@code rule_sets} keyed
 * by version, {@code schema_versions} keyed by {@code class/v<n>}. Both use the version as the unique {@code _id}, so
 * two concurrent changes cannot both become version n. Proposals live in {@code schema_proposals} until the owner
 * approves them; their status is the only field ever updated, and each transition is also an audit entry.
 */
public final class GovernanceStore {

  static final String RULE_SETS = "rule_sets";
  static final String SCHEMA_VERSIONS = "schema_versions";
  static final String PROPOSALS = "schema_proposals";

  /** Thrown when a change lost a race for its version number or repeats a decided proposal. */
  public static final class ConflictException extends RuntimeException {
    ConflictException(String message) {
      super(message, null, false, false);
    }
  }

  private final MongoClient mongo;
  private final DurabilityBarrier barrier;
  private final Clock clock;
  private final AtomicReference<RuleSet> rules = new AtomicReference<>();
  private final AtomicReference<SchemaCatalog> schemas = new AtomicReference<>();
  private final int maxProducts;

  private GovernanceStore(MongoClient mongo, DurabilityBarrier barrier, Clock clock, int maxProducts) {
    this.mongo = mongo;
    this.barrier = barrier;
    this.clock = clock;
    this.maxProducts = maxProducts;
  }

  /**
   * Loads the files, then every later version from the store, oldest first. Rules naming more than
   * {@code maxProducts} products (the {@code max_products} ceiling) are refused, from the file, the store or a
   * change: every per-product table of the gateway (fair shares, shed counts, meters) is sized by it.
   */
  public static Future<GovernanceStore> open(MongoClient mongo, DurabilityBarrier barrier, Clock clock,
                                             Path rulesFile, Path schemasDir, int maxProducts) {
    GovernanceStore store = new GovernanceStore(mongo, barrier, clock, maxProducts);
    SchemaCatalog catalog = SchemaCatalog.load(schemasDir);
    store.schemas.set(catalog);
    store.rules.set(within(RuleSetLoader.load(rulesFile).requireSchemas(catalog::has), maxProducts));
    return store.refresh().map(store);
  }

  /**
   * Catches up with versions stored since this node last looked: another node's rule change or schema approval
   * (this node's own are applied at once). Versions only grow, so a refresh never goes back; the node calls it
   * every few seconds.
   */
  public Future<Void> refresh() {
    return mongo.find(SCHEMA_VERSIONS, new JsonObject()).compose(stored -> {
      SchemaCatalog current = schemas.get();
      SchemaCatalog next = current;
      for (JsonObject doc : stored.stream().sorted(java.util.Comparator.comparing((JsonObject d) -> d.getString(
          "artifact_class")).thenComparing(d -> d.getInteger("version"))).toList()) {
        if (next.knownVersions(doc.getString("artifact_class")) < doc.getInteger("version")) {
          next = next.activate(proposal(doc));
        }
      }
      schemas.compareAndSet(current, next);
      return mongo.findWithOptions(RULE_SETS, new JsonObject(),
          new FindOptions().setSort(new JsonObject().put("_id", -1)).setLimit(1));
    }).map(latest -> {
      RuleSet current = rules.get();
      if (!latest.isEmpty() && latest.get(0).getInteger("_id") > current.version()) {
        RuleSet stored = RuleSetLoader.fromJson(latest.get(0).getJsonObject("rules"));
        rules.compareAndSet(current, within(stored.requireSchemas(schemas.get()::has), maxProducts));
      }
      return null;
    });
  }


  private static RuleSet within(RuleSet rules, int maxProducts) {
    if (rules.products().size() > maxProducts) {
      throw new RuleSetException("products: " + rules.products().size() + " products exceed max_products ("
          + maxProducts + "); raise max_products or govern fewer products");
    }
    return rules;
  }

  /** The most products the rules may name ({@code max_products}). */
  public int maxProducts() {
    return maxProducts;
  }

  public RuleSet rules() {
    return rules.get();
  }

  public SchemaCatalog schemas() {
    return schemas.get();
  }

  /** Makes {@code change} (a merge patch, see {@link RuleSet#withChanges}) the next rule version. Owner-only. */
  public Future<RuleSet> changeRules(JsonObject change, String actor) {
    RuleSet current = rules.get();
    RuleSet next;
    try {
      next = within(checkedChange(current, change), maxProducts);
    } catch (RuntimeException e) {
      return Future.failedFuture(e); // an invalid change is the caller's mistake (400), not a crash
    }
    JsonObject doc = new JsonObject().put("_id", next.version()).put("rules", next.toJson())
        .put("changed_by", actor).put("changed_at", clock.instant().toString()).put("change", change.copy());
    return insertOnce(RULE_SETS, doc, "rules version " + next.version() + " was just created by another change")
        .map(v -> {
          rules.compareAndSet(current, next);
          return next;
        });
  }

  private RuleSet checkedChange(RuleSet current, JsonObject change) {
    RuleSet next = current.withChanges(change).requireSchemas(schemas.get()::has);
    // Like S3 Object Lock's compliance mode: retention already promised can only lengthen.
    current.products().forEach((name, before) -> {
      var after = next.products().get(name);
      if (after.defaultRetentionDays() < before.defaultRetentionDays()
          || after.minRetentionDays() < before.minRetentionDays()) {
        throw new dev.bucket.governance.rules.RuleSetException("products." + name + ": retention days can only "
            + "grow (default " + before.defaultRetentionDays() + ", minimum " + before.minRetentionDays() + ")");
      }
    });
    return next;
  }

  /** Records a proposal for the class's next schema version; nothing is applied until the owner approves it. */
  public Future<JsonObject> propose(String artifactClass, JsonObject schema, Principal proposer) {
    SchemaProposal proposal = schemas.get().propose(artifactClass, schema);
    JsonObject doc = new JsonObject()
        .put("_id", UUID.randomUUID().toString())
        .put("artifact_class", artifactClass)
        .put("version", proposal.version())
        .put("schema", proposal.schema())
        .put("sha256", proposal.sha256())
        .put("proposed_by", proposer.id())
        .put("proposed_by_role", proposer.role().name().toLowerCase(java.util.Locale.ROOT))
        .put("proposed_at", clock.instant().toString())
        // Anything not from the owner is an escalation: recorded for the owner, never applied by itself.
        .put("status", proposer.is(Role.OWNER) ? "pending" : "escalated");
    return mongo.insert(PROPOSALS, doc).compose(id -> barrier.sync()).map(v -> doc);
  }

  public Future<JsonObject> proposal(String id) {
    return mongo.findOne(PROPOSALS, new JsonObject().put("_id", id), new JsonObject());
  }

  /** Activates a pending or escalated proposal as its class's next version. Owner-only (the gate checks). */
  public Future<JsonObject> approve(String proposalId, String actor) {
    return proposal(proposalId).compose(doc -> {
      if (doc == null) {
        return Future.succeededFuture(null);
      }
      if ("approved".equals(doc.getString("status"))) {
        return Future.failedFuture(new ConflictException("proposal " + proposalId + " is already approved"));
      }
      SchemaCatalog current = schemas.get();
      SchemaCatalog next = current.activate(proposal(doc));
      JsonObject version = new JsonObject()
          .put("_id", doc.getString("artifact_class") + "/v" + doc.getInteger("version"))
          .put("artifact_class", doc.getString("artifact_class"))
          .put("version", doc.getInteger("version"))
          .put("schema", doc.getJsonObject("schema"))
          .put("sha256", doc.getString("sha256"))
          .put("proposal", proposalId)
          .put("approved_by", actor)
          .put("approved_at", clock.instant().toString());
      return insertOnce(SCHEMA_VERSIONS, version, "version " + version.getString("_id") + " already exists")
          .compose(v -> mongo.updateCollection(PROPOSALS, new JsonObject().put("_id", proposalId),
              new JsonObject().put("$set", new JsonObject().put("status", "approved").put("approved_by", actor))))
          .compose(v -> barrier.sync())
          .map(v -> {
            schemas.compareAndSet(current, next);
            return version;
          });
    });
  }

  private Future<Void> insertOnce(String collection, JsonObject doc, String conflict) {
    return mongo.insert(collection, doc)
        .recover(e -> Future.failedFuture(MongoErrors.isDuplicateKey(e) ? new ConflictException(conflict) : e))
        .compose(id -> barrier.sync());
  }

  private static SchemaProposal proposal(JsonObject doc) {
    return new SchemaProposal(doc.getString("artifact_class"), doc.getInteger("version"), doc.getJsonObject("schema"),
        doc.getString("sha256"));
  }
}
