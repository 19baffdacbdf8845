package dev.bucket.governance;

import dev.bucket.governance.rules.RuleSet;
import dev.bucket.governance.rules.RuleSetException;
import dev.bucket.governance.rules.RuleSetLoader;
import dev.bucket.governance.schema.SchemaCatalog;
import dev.bucket.governance.schema.SchemaProposal;
import dev.bucket.storage.Batch;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rules and schemas in force, and their history. The files in {@code conf/} are version 1; every later version
 * (an owner's rule change, an approved schema) is a record inserted once and never edited, in {@link Space#GOVERNANCE}:
 * {@code rules␟<version>} and {@code schema␟<class>␟<version>}. The version is the key, so two concurrent changes
 * cannot both become version n. A proposal ({@code proposal␟<id>}) is never edited either: its approval is a second
 * record, {@code proposal_decision␟<id>}, inserted with the schema version it activates, so a proposal is approved at
 * most once. Each transition is also an audit entry.
 *
 * <p>Every schema approval also counts, in {@link Space#COUNTERS}, the stored versions of its class: a refresh reads
 * that one record and the newest rule version, and scans a class's versions only when the count says it has new ones.
 */
public final class GovernanceStore {

  private static final String RULES = "rules";
  private static final String SCHEMA = "schema";
  private static final String PROPOSAL = "proposal";
  private static final String DECISION = "proposal_decision";
  /** Per artifact class, how many of its versions the store holds (versions approved after the files). */
  private static final String SCHEMA_COUNTS = Keys.of("governance", "schema_versions");
  /** Schema versions read per scan while catching up; a class that gained more is read in several scans. */
  private static final int SCHEMA_PAGE = 100;

  /** Thrown when a change lost a race for its version number or repeats a decided proposal. */
  public static final class ConflictException extends RuntimeException {
    ConflictException(String message) {
      super(message, null, false, false);
    }
  }

  private final Store store;
  private final Clock clock;
  private final AtomicReference<RuleSet> rules = new AtomicReference<>();
  private final AtomicReference<SchemaCatalog> schemas = new AtomicReference<>();
  /** Versions per class that come from the files; the store's versions of a class follow them. */
  private final SchemaCatalog fromFiles;
  private final int maxProducts;

  private GovernanceStore(Store store, Clock clock, SchemaCatalog fromFiles, int maxProducts) {
    this.store = store;
    this.clock = clock;
    this.fromFiles = fromFiles;
    this.maxProducts = maxProducts;
  }

  /**
   * Loads the files, then every later version from the store, oldest first. Rules naming more than
   * {@code maxProducts} products (the {@code max_products} ceiling) are refused, from the file, the store or a
   * change: every per-product table of the gateway (fair shares, shed counts, meters) is sized by it.
   */
  public static Future<GovernanceStore> open(Store store, Clock clock, Path rulesFile, Path schemasDir,
                                             int maxProducts) {
    SchemaCatalog catalog = SchemaCatalog.load(schemasDir);
    GovernanceStore governance = new GovernanceStore(store, clock, catalog, maxProducts);
    governance.schemas.set(catalog);
    governance.rules.set(within(RuleSetLoader.load(rulesFile).requireSchemas(catalog::has), maxProducts));
    return governance.refresh().map(governance);
  }

  /**
   * Catches up with versions stored since this node last looked: another node's rule change or schema approval
   * (this node's own are applied at once). Versions only grow, so a refresh never goes back; the node calls it
   * every few seconds, and when nothing changed it costs one point read and one single-record scan.
   */
  public Future<Void> refresh() {
    return store.get(Space.COUNTERS, SCHEMA_COUNTS)
        .compose(counts -> catchUpSchemas(counts == null ? new JsonObject() : counts))
        .compose(v -> store.scanPrefix(Space.GOVERNANCE, Keys.prefix(RULES), 1, true))
        .map(latest -> {
          RuleSet current = rules.get();
          if (!latest.isEmpty() && latest.get(0).value().getInteger("version") > current.version()) {
            RuleSet stored = RuleSetLoader.fromJson(latest.get(0).value().getJsonObject("rules"));
            rules.compareAndSet(current, within(stored.requireSchemas(schemas.get()::has), maxProducts));
          }
          return null;
        });
  }

  /** Reads, class by class, the stored versions this node lacks, and activates them in order. */
  private Future<Void> catchUpSchemas(JsonObject counts) {
    SchemaCatalog current = schemas.get();
    String behind = counts.fieldNames().stream().sorted()
        .filter(c -> current.knownVersions(c) < fromFiles.knownVersions(c) + counts.getLong(c))
        .findFirst().orElse(null);
    if (behind == null) {
      return Future.succeededFuture();
    }
    String prefix = Keys.prefix(SCHEMA, behind);
    int known = current.knownVersions(behind);
    return store.scan(Space.GOVERNANCE, prefix + Keys.num(known + 1L), Keys.end(prefix), SCHEMA_PAGE, false)
        .compose(page -> {
          SchemaCatalog next = current;
          for (KeyValue version : page) {
            next = next.activate(proposal(version.value()));
          }
          if (page.isEmpty() || !schemas.compareAndSet(current, next)) {
            // Nothing readable yet, or this node changed its catalog meanwhile: the next refresh tries again.
            return Future.succeededFuture();
          }
          return catchUpSchemas(counts);
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
    JsonObject record = new JsonObject().put("version", next.version()).put("rules", next.toJson())
        .put("changed_by", actor).put("changed_at", clock.instant().toString()).put("change", change.copy());
    return store.commit(new Batch().insert(Space.GOVERNANCE, Keys.of(RULES, Keys.num(next.version())), record))
        .recover(e -> Future.failedFuture(e instanceof KeyConflictException
            ? new ConflictException("rules version " + next.version() + " was just created by another change") : e))
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
        throw new RuleSetException("products." + name + ": retention days can only "
            + "grow (default " + before.defaultRetentionDays() + ", minimum " + before.minRetentionDays() + ")");
      }
    });
    return next;
  }

  /** Records a proposal for the class's next schema version; nothing is applied until the owner approves it. */
  public Future<JsonObject> propose(String artifactClass, JsonObject schema, Principal proposer) {
    SchemaProposal proposal = schemas.get().propose(artifactClass, schema);
    JsonObject record = new JsonObject()
        .put("id", UUID.randomUUID().toString())
        .put("artifact_class", artifactClass)
        .put("version", proposal.version())
        .put("schema", proposal.schema())
        .put("sha256", proposal.sha256())
        .put("proposed_by", proposer.id())
        .put("proposed_by_role", proposer.role().name().toLowerCase(java.util.Locale.ROOT))
        .put("proposed_at", clock.instant().toString())
        // Anything not from the owner is an escalation: recorded for the owner, never applied by itself.
        .put("status", proposer.is(Role.OWNER) ? "pending" : "escalated");
    return store.commit(new Batch().insert(Space.GOVERNANCE, Keys.of(PROPOSAL, record.getString("id")), record))
        .map(record);
  }

  /** The proposal as it stands: its {@code status} is {@code approved} (with {@code approved_by}) once decided. */
  public Future<JsonObject> proposal(String id) {
    if (id.indexOf(Keys.SEP) >= 0) {
      return Future.succeededFuture(null); // no such id was ever issued (they are UUIDs)
    }
    String proposalKey = Keys.of(PROPOSAL, id);
    String decisionKey = Keys.of(DECISION, id);
    return store.getAll(Space.GOVERNANCE, List.of(proposalKey, decisionKey)).map(found -> decided(found.get(
        proposalKey), found.get(decisionKey)));
  }

  private static JsonObject decided(JsonObject proposal, JsonObject decision) {
    if (proposal == null || decision == null) {
      return proposal;
    }
    return proposal.put("status", "approved").put("approved_by", decision.getString("approved_by"))
        .put("approved_at", decision.getString("approved_at"));
  }

  /** Activates a pending or escalated proposal as its class's next version. Owner-only (the gate checks). */
  public Future<JsonObject> approve(String proposalId, String actor) {
    return proposal(proposalId).compose(doc -> {
      if (doc == null) {
        return Future.succeededFuture(null);
      }
      if ("approved".equals(doc.getString("status"))) {
        return Future.failedFuture(alreadyApproved(proposalId));
      }
      SchemaCatalog current = schemas.get();
      SchemaCatalog next = current.activate(proposal(doc));
      String artifactClass = doc.getString("artifact_class");
      int number = doc.getInteger("version");
      String at = clock.instant().toString();
      JsonObject version = new JsonObject()
          .put("artifact_class", artifactClass)
          .put("version", number)
          .put("schema", doc.getJsonObject("schema"))
          .put("sha256", doc.getString("sha256"))
          .put("proposal", proposalId)
          .put("approved_by", actor)
          .put("approved_at", at);
      String decisionKey = Keys.of(DECISION, proposalId);
      Batch batch = new Batch()
          .insert(Space.GOVERNANCE, Keys.of(SCHEMA, artifactClass, Keys.num(number)), version)
          .insert(Space.GOVERNANCE, decisionKey, new JsonObject().put("decision", "approved")
              .put("approved_by", actor).put("approved_at", at))
          .increment(Space.COUNTERS, SCHEMA_COUNTS, new JsonObject().put(artifactClass, 1));
      return store.commit(batch)
          .recover(e -> Future.failedFuture(!(e instanceof KeyConflictException conflict) ? e
              : decisionKey.equals(conflict.key()) ? alreadyApproved(proposalId)
              : new ConflictException("version " + artifactClass + " v" + number + " already exists")))
          .map(v -> {
            schemas.compareAndSet(current, next);
            return version;
          });
    });
  }

  private static ConflictException alreadyApproved(String proposalId) {
    return new ConflictException("proposal " + proposalId + " is already approved");
  }

  private static SchemaProposal proposal(JsonObject doc) {
    return new SchemaProposal(doc.getString("artifact_class"), doc.getInteger("version"), doc.getJsonObject("schema"),
        doc.getString("sha256"));
  }
}
