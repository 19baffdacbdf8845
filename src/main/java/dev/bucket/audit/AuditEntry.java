package dev.bucket.audit;

import dev.bucket.storage.Keys;
import dev.bucket.storage.Space;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.erdtman.jcs.JsonCanonicalizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One sealed entry of the audit log, as stored ({@link #toDocument()}, under {@link #key(long)} in
 * {@link Space#AUDIT}) and as hashed ({@link #canonicalBytes()}).
 *
 * <p>The canonical bytes (RFC 8785 JCS of the document without {@code commit_key}, {@code leaf_hash},
 * {@code prev_hash} and {@code entry_hash}) must be reproducible from the stored document byte for byte: they are the
 * hash chain's input and the Merkle tree's leaves. Hence only strings, booleans and integers within ±2^53 appear
 * anywhere in an entry (JCS represents numbers as IEEE-754 doubles; both store drivers return ints and longs exactly),
 * null fields are always omitted, and {@link #fromDocument} refuses any document it could not reproduce exactly
 * (unknown fields, explicit nulls, other types).
 *
 * <p>A commit entry (see {@link #isCommit()}) also stores {@link #commitKey()} as {@code commit_key}. The field is
 * derived, hence not hashed; {@link #fromDocument} recomputes it and refuses a document whose stored field is missing,
 * superfluous or different, so an edit of it cannot go unnoticed.
 *
 * @param index          0-based position in the log; dense
 * @param ts             when the entry was accepted, ISO-8601 UTC with millis
 * @param outcome        {@link AuditRecord.Outcome#wire()}
 * @param retentionUntil {@code ts} plus the retention period, same format
 * @param details        caller-specific extra facts, or null; never mutated
 * @param requestId      the id of the request the entry records ({@code request_id}), or null: entries written before
 *                       request ids existed have none, and their canonical bytes are unchanged
 * @param prevHash       hex entry hash of entry {@code index - 1}; 64 zeros for the first entry
 * @param entryHash      hex SHA-256 over {@code prevHash} and the canonical bytes (see {@link HashChain}); null only
 *                       while the entry is being sealed
 */
public record AuditEntry(long index, String ts, String actor, String product, String operation, String artifactId,
                         int version, String contentHash, String outcome, int status, String reason,
                         String retentionUntil, JsonObject details, String requestId, String prevHash,
                         String entryHash) {

  /** The derived field holding {@link #commitKey()}; only commit entries have it. */
  public static final String COMMIT_KEY = "commit_key";
  /**
   * The entry's RFC 9162 leaf hash, hex, so that an inclusion proof can be found from the entry alone. Derived and
   * not hashed, like {@code commit_key}; readers ignore it (a proof is checked against the hash the client computes
   * itself, so an edited copy of this field cannot fool anyone).
   */
  public static final String LEAF_HASH = "leaf_hash";

  /** Operations that commit an artifact version, when they succeed with {@link #COMMIT_STATUS}. */
  static final String CREATE = "artifact.create";
  static final String VERSION = "artifact.version";
  /** A commit answers 201; a replay of it records the same operation with 200. */
  static final int COMMIT_STATUS = 201;

  private static final long MAX_EXACT_INTEGER = 1L << 53;

  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private static final Set<String> FIELDS = Set.of("index", "ts", "actor", "product", "op", "artifact_id",
      "version", "content_hash", "outcome", "status", "reason", "retention_until", "details", "request_id",
      "prev_hash", "entry_hash", COMMIT_KEY, LEAF_HASH);

  public AuditEntry {
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(retentionUntil, "retentionUntil");
    Objects.requireNonNull(prevHash, "prevHash");
    requireHash(prevHash, "prevHash");
    if (entryHash != null) {
      requireHash(entryHash, "entryHash");
    }
    if (index < 0 || index >= MAX_EXACT_INTEGER) {
      throw new IllegalArgumentException("index out of range: " + index);
    }
    for (String s : new String[] {ts, actor, product, operation, artifactId, contentHash, outcome, reason,
        retentionUntil, requestId}) {
      if (s != null) {
        requireWellFormed(s);
      }
    }
    if (details != null) {
      requireCanonicalSafe(details);
    }
    // The parameters, not the accessors: a compact constructor assigns the fields only after its body.
    if (isCommit(operation, outcome, status) && commitKey(product, artifactId, version) == null) {
      throw new IllegalArgumentException("a commit entry needs a product without '/' and an artifact id");
    }
  }

  /**
   * Whether this entry records the commit of an artifact version: {@code artifact.create} or {@code artifact.version},
   * outcome success, status 201. Replays of a commit record the same operation with status 200 and are not commits.
   */
  public boolean isCommit() {
    return isCommit(operation, outcome, status);
  }

  private static boolean isCommit(String operation, String outcome, int status) {
    return (CREATE.equals(operation) || VERSION.equals(operation))
        && AuditRecord.Outcome.SUCCESS.wire().equals(outcome) && status == COMMIT_STATUS;
  }

  /** {@code <product>/<artifact_id>/<version>} for a commit entry, null for any other. */
  public String commitKey() {
    return isCommit() ? commitKey(product, artifactId, version) : null;
  }

  /**
   * The commit key of an artifact version, or null if there cannot be one (no product or artifact id, or a product
   * containing {@code /}). Unambiguous: the product ends at the first {@code /}, the version starts after the last.
   */
  public static String commitKey(String product, String artifactId, int version) {
    if (product == null || artifactId == null || product.indexOf('/') >= 0) {
      return null;
    }
    return product + "/" + artifactId + "/" + version;
  }

  /** The same entry with its hash filled in. */
  AuditEntry withEntryHash(String hash) {
    return new AuditEntry(index, ts, actor, product, operation, artifactId, version, contentHash, outcome, status,
        reason, retentionUntil, details, requestId, prevHash, hash);
  }

  /** The key of entry {@code index} in {@link Space#AUDIT}: key order is index order. */
  public static String key(long index) {
    return Keys.num(index);
  }

  /** The index a key of {@link Space#AUDIT} stands for, or null if it is not a key {@link #key} makes. */
  public static Long indexOf(String key) {
    if (key.length() != 19) {
      return null;
    }
    for (int i = 0; i < key.length(); i++) {
      if (key.charAt(i) < '0' || key.charAt(i) > '9') {
        return null;
      }
    }
    return Keys.parseNum(key);
  }

  /** The stored document: snake_case fields, null fields omitted. */
  public JsonObject toDocument() {
    return toDocument(entryHash == null ? null : leafHash(canonicalBytes()));
  }

  /** {@link #toDocument()} with the leaf hash already computed (by {@link HashChain#seal}). */
  JsonObject toDocument(byte[] leafHash) {
    JsonObject doc = new JsonObject();
    body().forEach(field -> doc.put(field.getKey(), field.getValue()));
    doc.put("prev_hash", prevHash);
    putIfPresent(doc, "entry_hash", entryHash);
    putIfPresent(doc, COMMIT_KEY, commitKey());
    if (leafHash != null) {
      doc.put(LEAF_HASH, java.util.HexFormat.of().formatHex(leafHash));
    }
    return doc;
  }

  /**
   * Reads a stored document. Throws {@link IllegalArgumentException} for anything {@link #toDocument()} would not
   * have written, because such a document's canonical bytes could not be reproduced.
   */
  public static AuditEntry fromDocument(JsonObject doc) {
    for (Map.Entry<String, Object> field : doc) {
      if (!FIELDS.contains(field.getKey())) {
        throw new IllegalArgumentException("unexpected field '" + field.getKey() + "'");
      }
      if (field.getValue() == null) {
        throw new IllegalArgumentException("explicit null in field '" + field.getKey() + "'");
      }
    }
    Object details = doc.getValue("details");
    if (details != null && !(details instanceof JsonObject)) {
      throw new IllegalArgumentException("details is not an object");
    }
    // A copy, which also turns the plain maps and lists a decoder may nest into JsonObjects and JsonArrays.
    details = details == null ? null : ((JsonObject) details).copy();
    String storedCommitKey = string(doc, COMMIT_KEY);
    AuditEntry entry = new AuditEntry(integer(doc, "index", Long.MAX_VALUE), string(doc, "ts"), string(doc, "actor"),
        string(doc, "product"), string(doc, "op"), string(doc, "artifact_id"),
        (int) integer(doc, "version", Integer.MAX_VALUE), string(doc, "content_hash"), string(doc, "outcome"),
        (int) integer(doc, "status", Integer.MAX_VALUE), string(doc, "reason"), string(doc, "retention_until"),
        (JsonObject) details, string(doc, "request_id"), string(doc, "prev_hash"), string(doc, "entry_hash"));
    String derived = entry.commitKey();
    if (!Objects.equals(storedCommitKey, derived)) {
      throw new IllegalArgumentException(derived == null ? COMMIT_KEY + " is present on an entry that is not a commit"
          : storedCommitKey == null ? COMMIT_KEY + " is missing on a commit entry"
          : COMMIT_KEY + " '" + storedCommitKey + "' does not match the entry's '" + derived + "'");
    }
    return entry;
  }

  /** SHA-256(0x00 || entry): RFC 9162's leaf hash. */
  static byte[] leafHash(byte[] entry) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update((byte) 0);
      return sha.digest(entry);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  /** RFC 8785 canonical JSON of the entry's content: everything but the derived fields and the two hashes. */
  public byte[] canonicalBytes() {
    try {
      return new JsonCanonicalizer(body().encode()).getEncodedUTF8();
    } catch (IOException e) {
      // body() is JSON that Vert.x itself encoded; the canonicalizer cannot fail to parse it.
      throw new UncheckedIOException(e);
    }
  }

  public AuditReceipt receipt() {
    return new AuditReceipt(index, entryHash);
  }

  private JsonObject body() {
    JsonObject body = new JsonObject().put("index", index).put("ts", ts);
    putIfPresent(body, "actor", actor);
    putIfPresent(body, "product", product);
    body.put("op", operation);
    putIfPresent(body, "artifact_id", artifactId);
    body.put("version", version);
    putIfPresent(body, "content_hash", contentHash);
    body.put("outcome", outcome).put("status", status);
    putIfPresent(body, "reason", reason);
    body.put("retention_until", retentionUntil);
    // A copy: whoever gets the document may change it, and must not change this entry with it.
    putIfPresent(body, "details", details == null ? null : details.copy());
    putIfPresent(body, "request_id", requestId);
    return body;
  }

  private static void putIfPresent(JsonObject doc, String field, Object value) {
    if (value != null) {
      doc.put(field, value);
    }
  }

  private static String string(JsonObject doc, String field) {
    Object value = doc.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException(field + " is not a string");
    }
    return (String) value;
  }

  /** An int or long field, exactly: a double (even an integral one) would not reproduce the stored bytes. */
  private static long integer(JsonObject doc, String field, long max) {
    Object value = doc.getValue(field);
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new IllegalArgumentException(field + " is " + (value == null ? "missing" : "not an integer"));
    }
    long n = ((Number) value).longValue();
    if (n > max || n < -max) {
      throw new IllegalArgumentException(field + " is out of range");
    }
    return n;
  }

  /**
   * Throws {@link IllegalArgumentException}, with a message fit for a client, when {@code details} holds anything an
   * entry cannot store and hash reproducibly (see {@link #requireCanonicalSafe}). Nested objects and arrays must be
   * {@link JsonObject}s and {@link JsonArray}s, as {@link JsonObject#copy()} makes them.
   */
  public static void requireStorable(JsonObject details) {
    requireCanonicalSafe(details);
  }

  /**
   * Details may hold only values that survive either store driver and JCS unchanged, under keys MongoDB (the external
   * driver) stores verbatim. Raw values are checked: {@link JsonObject#getValue} would show an Instant or byte[] as the
   * string it encodes to, but the Mongo codec stores them as other types.
   */
  private static void requireCanonicalSafe(Object value) {
    if (value == null || value instanceof Boolean || value instanceof Integer) {
      return;
    }
    if (value instanceof String s) {
      requireWellFormed(s);
    } else if (value instanceof Long n && n < MAX_EXACT_INTEGER && n > -MAX_EXACT_INTEGER) {
      return;
    } else if (value instanceof Long || value instanceof java.math.BigInteger) {
      throw new IllegalArgumentException("details: integer " + value + " is beyond ±2^53, which JCS cannot "
          + "represent exactly; send it as a string");
    } else if (value instanceof Number n) {
      // A fractional number would be hashed as JCS renders a double, not as sent: refused rather than altered.
      throw new IllegalArgumentException("details: the number " + n + " is not a whole number; entries hold whole "
          + "numbers within ±2^53 only, send it as a string");
    } else if (value instanceof JsonObject obj) {
      obj.getMap().forEach((key, nested) -> {
        if (key.isEmpty() || key.startsWith("$") || key.indexOf('.') >= 0 || key.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("details: key '" + key + "' cannot be stored verbatim in MongoDB");
        }
        requireWellFormed(key);
        requireCanonicalSafe(nested);
      });
    } else if (value instanceof JsonArray array) {
      array.getList().forEach(AuditEntry::requireCanonicalSafe);
    } else {
      throw new IllegalArgumentException("details: " + value.getClass().getSimpleName()
          + " values are not allowed (only strings, booleans, integers, JsonObjects, JsonArrays)");
    }
  }

  private static void requireHash(String hash, String name) {
    if (!HASH.matcher(hash).matches()) {
      throw new IllegalArgumentException(name + " is not 64 lowercase hex digits");
    }
  }

  /** A lone UTF-16 surrogate would be replaced when encoded to UTF-8, so the stored text would differ. */
  private static void requireWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("string contains an unpaired surrogate");
      }
    }
  }
}
