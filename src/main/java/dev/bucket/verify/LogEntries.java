package dev.bucket.verify;

import dev.bucket.audit.AuditEntry;
import dev.bucket.audit.HashChain;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;

/** Reads a log entry from its leaf input: the exact canonical bytes {@code GET /v1/log/entries/{i}} serves. */
final class LogEntries {

  /** Fields of the stored document that are not part of the canonical bytes. */
  private static final List<String> STORED_ONLY = List.of("prev_hash", "entry_hash", AuditEntry.COMMIT_KEY,
      AuditEntry.LEAF_HASH);

  private LogEntries() {
  }

  /**
   * Parses canonical entry bytes as {@link AuditEntry#fromDocument} would read the stored entry, and requires them to
   * be exactly that entry's canonical encoding, so that the bytes hashed into the tree mean one thing only.
   *
   * @throws CheckFailedException if the bytes are not an entry the log writes, byte for byte
   */
  static AuditEntry parse(byte[] bytes) throws CheckFailedException {
    JsonObject json;
    try {
      json = new JsonObject(Buffer.buffer(bytes));
    } catch (DecodeException | ClassCastException e) {
      throw new CheckFailedException("the entry is not a JSON object: " + e.getMessage());
    }
    for (String field : STORED_ONLY) {
      if (json.containsKey(field)) {
        throw new CheckFailedException("the entry holds '" + field + "', which canonical entry bytes never do");
      }
    }
    // The hash chain is not part of the leaf; any valid prev_hash lets fromDocument read the rest.
    JsonObject doc = json.copy().put("prev_hash", HashChain.GENESIS_HASH);
    AuditEntry entry;
    try {
      entry = AuditEntry.fromDocument(doc);
    } catch (IllegalArgumentException notStoredAsIs) {
      // A commit entry's stored document also holds its derived commit key, which fromDocument insists on.
      entry = asCommit(json, doc, notStoredAsIs);
    }
    if (!Arrays.equals(entry.canonicalBytes(), bytes)) {
      throw new CheckFailedException("the entry bytes are not the canonical (RFC 8785) encoding of the entry they"
          + " parse to");
    }
    return entry;
  }

  private static AuditEntry asCommit(JsonObject json, JsonObject doc, IllegalArgumentException original)
      throws CheckFailedException {
    Object product = json.getValue("product");
    Object artifactId = json.getValue("artifact_id");
    Object version = json.getValue("version");
    String commitKey = product instanceof String p && artifactId instanceof String a && version instanceof Integer v
        ? AuditEntry.commitKey(p, a, v) : null;
    if (commitKey != null) {
      try {
        return AuditEntry.fromDocument(doc.put(AuditEntry.COMMIT_KEY, commitKey));
      } catch (IllegalArgumentException e) {
        // Not a commit either: the first error is the one that explains the entry.
      }
    }
    throw new CheckFailedException("the entry is not one the log writes: " + original.getMessage());
  }
}
