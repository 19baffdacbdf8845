package dev.bucket.audit;

import dev.bucket.storage.Batch;
import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How an entry is written: the entry under {@link AuditEntry#key} in {@link Space#AUDIT}, and its secondary keys in
 * {@link Space#AUDIT_INDEX}, all in one {@link Batch}, so that every listing of {@link AuditQueries} is a bounded
 * prefix scan newest first, whatever the size of the log. With {@code n} = {@link Keys#num}(index):
 * <ul>
 *   <li>{@code commit␟<commit key>} → {@code {index}}, inserted: at most one commit entry per artifact version;</li>
 *   <li>{@code commits␟n}: commit entries in index order;</li>
 *   <li>{@code leaf␟<leaf hash hex>} → {@code {index}};</li>
 *   <li>{@code actor␟<actor>␟n};</li>
 *   <li>{@code artifact␟<artifact id>␟n} and, when the entry has a product,
 *       {@code product_artifact␟<product>␟<artifact id>␟n}: entries naming the artifact, and read receipts listing
 *       it among their items;</li>
 *   <li>{@code failed␟n}: entries whose outcome is not success;</li>
 *   <li>{@code uncommitted␟<commit key>} → {@code {product, artifact_id, version}}: written with an artifact version
 *       (by its own batch) and deleted by the batch of its commit entry, so the markers left are exactly the
 *       versions whose commit entry a crash kept from being written.</li>
 * </ul>
 * Values given as text become key parts through {@link #part}. The entry itself is inserted, so two writers can never
 * both write an index.
 */
final class AuditIndex {

  private static final String COMMIT = "commit";
  private static final String COMMITS = "commits";
  private static final String LEAF = "leaf";
  private static final String ACTOR = "actor";
  private static final String ARTIFACT = "artifact";
  private static final String PRODUCT_ARTIFACT = "product_artifact";
  private static final String FAILED = "failed";
  private static final String UNCOMMITTED = "uncommitted";

  /** Longest value, in UTF-8 bytes, used verbatim as a key part; far below {@link Keys#MAX_BYTES}. */
  private static final int MAX_PART_BYTES = 200;
  /** Starts every hashed part, and so no verbatim one. */
  private static final char HASHED = '#';

  private static final JsonObject NONE = new JsonObject();

  private AuditIndex() {
  }

  /** The entry and its secondary keys. */
  static Batch write(HashChain.Sealed sealed) {
    AuditEntry entry = sealed.entry();
    JsonObject doc = entry.toDocument(sealed.leafHash());
    String n = AuditEntry.key(entry.index());
    JsonObject at = new JsonObject().put("index", entry.index());
    Batch batch = new Batch().insert(Space.AUDIT, n, doc);
    if (entry.isCommit()) {
      batch.insert(Space.AUDIT_INDEX, commit(entry.commitKey()), at);
      batch.put(Space.AUDIT_INDEX, Keys.of(COMMITS, n), NONE);
      batch.delete(Space.AUDIT_INDEX, uncommitted(entry.commitKey()));
    }
    batch.put(Space.AUDIT_INDEX, leaf(doc.getString(AuditEntry.LEAF_HASH)), at);
    if (entry.actor() != null) {
      batch.put(Space.AUDIT_INDEX, actor(entry.actor()) + n, NONE);
    }
    for (String artifactId : artifacts(entry)) {
      batch.put(Space.AUDIT_INDEX, artifact(artifactId, null) + n, NONE);
      if (entry.product() != null) {
        batch.put(Space.AUDIT_INDEX, artifact(artifactId, entry.product()) + n, NONE);
      }
    }
    if (!AuditRecord.Outcome.SUCCESS.wire().equals(entry.outcome())) {
      batch.put(Space.AUDIT_INDEX, Keys.of(FAILED, n), NONE);
    }
    return batch;
  }

  /** The marker of a version whose commit entry is not written yet. */
  static String uncommitted(String commitKey) {
    return Keys.of(UNCOMMITTED, part(commitKey));
  }

  static String uncommittedPrefix() {
    return Keys.prefix(UNCOMMITTED);
  }

  /** The key that holds the index of the commit entry with this {@link AuditEntry#commitKey()}. */
  static String commit(String commitKey) {
    return Keys.of(COMMIT, part(commitKey));
  }

  /** The prefix of the keys of commit entries, in index order. */
  static String commits() {
    return Keys.prefix(COMMITS);
  }

  /** The key that holds the index of the entry with this leaf hash (hex). */
  static String leaf(String leafHashHex) {
    return Keys.of(LEAF, part(leafHashHex));
  }

  /** The prefix of the keys of {@code actor}'s entries. */
  static String actor(String actor) {
    return Keys.prefix(ACTOR, part(actor));
  }

  /** The prefix of the keys of the entries concerning {@code artifactId}, within {@code product} unless it is null. */
  static String artifact(String artifactId, String product) {
    return product == null ? Keys.prefix(ARTIFACT, part(artifactId))
        : Keys.prefix(PRODUCT_ARTIFACT, part(product), part(artifactId));
  }

  /** The prefix of the keys of entries whose outcome is not success. */
  static String failed() {
    return Keys.prefix(FAILED);
  }

  /**
   * {@code value} as a key part: itself when it is short and holds no separator, otherwise {@code #} and its SHA-256
   * (hex). Refused requests are audited with the raw path values they named, which may be long or hold any
   * character; hashed, they are still found by the same value, and a hashed part never equals a verbatim one.
   */
  static String part(String value) {
    boolean verbatim = value.indexOf(Keys.SEP) < 0 && (value.isEmpty() || value.charAt(0) != HASHED)
        && (value.length() * 3 <= MAX_PART_BYTES
            || value.getBytes(StandardCharsets.UTF_8).length <= MAX_PART_BYTES);
    if (verbatim) {
      return value;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HASHED + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /** The artifact the entry names, and those its read receipt lists; each once. */
  private static Set<String> artifacts(AuditEntry entry) {
    Set<String> ids = new LinkedHashSet<>();
    if (entry.artifactId() != null) {
      ids.add(entry.artifactId());
    }
    if (entry.details() != null
        && entry.details().getValue(ReceiptWindow.RECEIPT) instanceof JsonObject receipt
        && receipt.getValue(ReceiptWindow.ITEMS) instanceof JsonArray items) {
      for (Object item : items) {
        if (item instanceof JsonObject read && read.getValue("artifact_id") instanceof String id) {
          ids.add(id);
        }
      }
    }
    return ids;
  }
}
