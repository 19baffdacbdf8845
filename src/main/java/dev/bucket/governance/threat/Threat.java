package dev.bucket.governance.threat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The ten threats of the seed threat model. Each names the patterns its detector reports in {@link Finding#pattern()},
 * and its mitigation says what Bucket actually does about it, including what it does not do.
 */
public enum Threat {

  T1("T1", "Storage Exhaustion", "storage_exhaustion", Severity.HIGH,
      "A writer fills the depository, with one oversized artifact or a flood of artifacts and versions, until other "
          + "products can no longer write.",
      "The gateway enforces max_artifact_bytes while a payload streams (413) and bounds JSON bodies and metadata. The "
          + "T1 detector refuses a write whose declared size passes the product's per-artifact limit, or that would "
          + "take the product past its byte or artifact quota. A version adds bytes, not an artifact.",
      List.of("artifact_too_large", "product_bytes_quota", "product_artifact_quota"), Map.of()),

  T2("T2", "Metadata Poisoning", "metadata_poisoning", Severity.CRITICAL,
      "Metadata carrying what should never be stored in an append-only depository or handed to the tools and AI "
          + "systems that read it: control characters, oversized or deeply nested values, markup, prompt-injection "
          + "text, and credentials, which once written can never be removed.",
      "The gateway bounds metadata size and depth. The T2 detector refuses metadata with control or bidirectional "
          + "override characters, a value over 8 KiB, a key over 128 characters, nesting over 8 levels, more than 256 "
          + "keys, script markers or prompt-injection markers (HIGH). It refuses metadata, JSON data or a governance "
          + "request holding a credential (CRITICAL, which suspends the writer). Detection is pattern matching: a "
          + "credential in a format it does not know gets through.",
      List.of("control_characters", "oversize_value", "oversize_key", "deep_nesting", "too_many_keys",
          "script_injection", "prompt_injection", "credential_exposure"),
      Map.of("credential_exposure", List.of("connection_string_password", "cloud_access_key", "private_key_block",
          "bearer_token", "secret_field"))),

  T3("T3", "Silent Schema Evolution", "schema_evolution", Severity.HIGH,
      "Writers start sending fields the approved schema does not name, or claim a schema version of their own, so the "
          + "shape of the data drifts without anyone approving it.",
      "The T3 detector refuses metadata fields missing from the artifact class's active schema, and any $schema or "
          + "schema_version claim: the schema a write is checked against is Bucket's choice, never the writer's.",
      List.of("unknown_metadata_field", "schema_claim"), Map.of()),

  T4("T4", "Concurrent Write Collision", "concurrent_write_collision", Severity.MEDIUM,
      "Writers race to append versions to the same artifact and keep retrying on stale state.",
      "A new version needs If-Match with the current version's ETag, so a stale writer gets 412 and nothing is "
          + "overwritten. The T4 detector flags more than 5 stale If-Match conflicts on one artifact within 10 seconds "
          + "for review; it blocks nothing.",
      List.of("write_contention"), Map.of()),

  T5("T5", "Executor Override Attempt", "executor_override", Severity.CRITICAL,
      "A principal tries to act above its role: forging the fields Bucket sets itself (creator, timestamps, hashes, "
          + "versions, approvals, holds), taking an owner-only governance action, or writing itself a more "
          + "privileged role.",
      "The T5 detector refuses metadata that sets a reserved field (HIGH). A role field naming a role the principal "
          + "does not hold, an authority field in a non-owner's governance request, and an owner-only action taken by "
          + "anyone else are CRITICAL findings, which suspend the principal.",
      List.of("reserved_field", "owner_only_action", "role_escalation"), Map.of()),

  T6("T6", "AI Escalation Cascade", "ai_escalation_cascade", Severity.MEDIUM,
      "An automated caller keeps retrying refused requests, rephrasing or escalating, hoping one gets through.",
      "Every refusal is audited. The T6 detector flags a principal refused more than 20 times within 60 seconds so a "
          + "person reviews it; it blocks nothing itself, each retry is judged on its own.",
      List.of("refusal_storm"), Map.of()),

  T7("T7", "Cross-Product Data Contamination", "cross_product_contamination", Severity.HIGH,
      "One product's data lands in another product's space: a body naming another product, or an integration "
          + "writing outside its own product.",
      "Each integration key belongs to exactly one product. The T7 detector refuses a write whose metadata or data "
          + "names a different product in a product, product_id or product_name field, or whose integration belongs "
          + "to another product than the one in the path.",
      List.of("foreign_product_claim", "foreign_principal"), Map.of()),

  T8("T8", "Audit Trail Tampering", "audit_tampering", Severity.CRITICAL,
      "Someone edits, drops, inserts or reorders audit entries to hide what happened.",
      "The audit log is a hash chain and a Merkle tree with signed checkpoints. The chain verifier re-checks stored "
          + "entries and the T8 detector turns a broken chain into a CRITICAL finding naming the first bad entry. This "
          + "is detection after the fact: Bucket cannot stop someone with database access from editing entries, it "
          + "can prove that they did.",
      List.of("broken_chain"), Map.of()),

  T9("T9", "Legal Ownership Challenge", "legal_ownership_challenge", Severity.HIGH,
      "Nobody can say who owns a product's data, or a write claims an owner or creator other than the principal that "
          + "made it.",
      "The T9 detector refuses an integration approval whose data_schema does not name a data_owner, and a write whose "
          + "metadata owner or created_by differs from the writing principal. The audit log records the actual actor "
          + "of every write.",
      List.of("missing_data_owner", "ownership_claim_mismatch"), Map.of()),

  T10("T10", "Over-Trust in Provenance", "provenance_over_trust", Severity.MEDIUM,
      "Readers treat a writer's provenance claims (model, source, author) as verified facts.",
      "The T10 detector flags provenance without a signature and key_id, or whose signature is not a base64 Ed25519 "
          + "signature (64 bytes), as unverified. It does not reject the write, and it does not check signatures "
          + "against keys: provenance stays the writer's claim.",
      List.of("unsigned_provenance", "malformed_signature"), Map.of());

  private final String id;
  private final String title;
  private final String slug;
  private final Severity severity;
  private final String description;
  private final String mitigation;
  private final List<String> patterns;
  private final Map<String, List<String>> subPatterns;

  Threat(String id, String title, String slug, Severity severity, String description, String mitigation,
         List<String> patterns, Map<String, List<String>> subPatterns) {
    this.id = id;
    this.title = title;
    this.slug = slug;
    this.severity = severity;
    this.description = description;
    this.mitigation = mitigation;
    this.patterns = patterns;
    this.subPatterns = subPatterns;
  }

  public String id() {
    return id;
  }

  /** The threat's name ("Storage Exhaustion"); {@code name()} is the enum constant's. */
  public String title() {
    return title;
  }

  /** The threat's own pattern id ("storage_exhaustion"). */
  public String slug() {
    return slug;
  }

  public Severity severity() {
    return severity;
  }

  public String description() {
    return description;
  }

  public String mitigation() {
    return mitigation;
  }

  /** The pattern ids this threat's detector reports, in the model's order. */
  public List<String> patterns() {
    return patterns;
  }

  /** Finer pattern ids grouped under one of {@link #patterns()} (T2's credential kinds); findings report these. */
  public Map<String, List<String>> subPatterns() {
    return subPatterns;
  }

  /** Whether {@code pattern} is this threat's slug, one of its patterns or one of their sub-patterns. */
  public boolean reports(String pattern) {
    return slug.equals(pattern) || patterns.contains(pattern)
        || subPatterns.values().stream().anyMatch(sub -> sub.contains(pattern));
  }

  public JsonObject toJson() {
    JsonObject subs = new JsonObject();
    subPatterns.forEach((pattern, sub) -> subs.put(pattern, new JsonArray(sub)));
    return new JsonObject()
        .put("id", id)
        .put("name", title)
        .put("pattern", slug)
        .put("severity", severity.name())
        .put("description", description)
        .put("mitigation", mitigation)
        .put("patterns", new JsonArray(patterns))
        .put("sub_patterns", subs);
  }
}
