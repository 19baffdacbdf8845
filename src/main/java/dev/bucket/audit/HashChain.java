package dev.bucket.audit;

import io.vertx.core.json.JsonObject;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The log's hash chain: {@code entry_hash = hex(SHA-256(prev_hash bytes || canonical bytes))}, where the first
 * entry's {@code prev_hash} is 32 zero bytes. Pure functions only.
 */
public final class HashChain {

  /** {@code prev_hash} of entry 0, and the hash of an empty log's head. */
  public static final String GENESIS_HASH = "0".repeat(64);

  /** The head of an empty log: the next entry gets index 0 and links to {@link #GENESIS_HASH}. */
  public static final AuditHead EMPTY = new AuditHead(0, GENESIS_HASH);

  /** Seven years of 365 days: how long audit entries must be kept. */
  public static final Duration RETENTION = Duration.ofDays(2555);

  /** Larger entries are refused rather than risking a batch that a store driver rejects as a whole. */
  static final int MAX_CANONICAL_BYTES = 64 * 1024;

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private static final HexFormat HEX = HexFormat.of();

  private HashChain() {
  }

  public static String entryHash(String prevHash, byte[] canonicalBytes) {
    MessageDigest sha256 = sha256();
    sha256.update(HEX.parseHex(prevHash));
    sha256.update(canonicalBytes);
    return HEX.formatHex(sha256.digest());
  }

  /**
   * Seals {@code record} as the entry following {@code head}, accepted at {@code at}.
   *
   * @throws IllegalArgumentException if the record holds values an entry cannot hold exactly, or is too large
   */
  public static AuditEntry next(AuditHead head, AuditRecord record, Instant at) {
    return seal(head, record, at).entry();
  }

  /** An entry just sealed and its RFC 9162 leaf hash, both from one canonical encoding (the write path's costliest). */
  public record Sealed(AuditEntry entry, byte[] leafHash) {
  }

  /** {@link #next}, keeping the leaf hash that the stored document and the Merkle tree need. */
  static Sealed seal(AuditHead head, AuditRecord record, Instant at) {
    Instant ts = at.truncatedTo(ChronoUnit.MILLIS);
    AuditEntry draft = new AuditEntry(head.size(), TIMESTAMP.format(ts), record.actor(), record.product(),
        record.operation(), record.artifactId(), record.version(), record.contentHash(), record.outcome().wire(),
        record.status(), record.reason(), TIMESTAMP.format(ts.plus(RETENTION)), record.details(), record.requestId(),
        head.hash(), null);
    byte[] canonical = draft.canonicalBytes();
    if (canonical.length > MAX_CANONICAL_BYTES) {
      throw new IllegalArgumentException("audit entry is " + canonical.length + " bytes, the limit is "
          + MAX_CANONICAL_BYTES);
    }
    return new Sealed(draft.withEntryHash(entryHash(head.hash(), canonical)), AuditEntry.leafHash(canonical));
  }

  /** The head of a log whose last entry is {@code last}. */
  public static AuditHead headAfter(AuditEntry last) {
    return new AuditHead(last.index() + 1, last.entryHash());
  }

  /**
   * Reads the entry stored under {@code key} and checks it on its own: readable, stored at the position it names, and
   * its content still hashing to its {@code entry_hash}. Linkage to its predecessor is the caller's to check.
   *
   * @throws AuditTamperedException naming the entry and the problem
   */
  public static AuditEntry verifiedEntry(String key, JsonObject doc) {
    Long index = AuditEntry.indexOf(key);
    if (index == null) {
      throw new AuditTamperedException(null, "malformed",
          "the audit log holds an entry under key " + key + ", which is not an entry index");
    }
    return verifiedEntry(index, doc);
  }

  /** {@link #verifiedEntry(String, JsonObject)} for the entry stored at {@code position}. */
  public static AuditEntry verifiedEntry(long position, JsonObject doc) {
    return verified(position, doc).entry();
  }

  /** An entry that passed {@link #verified}, with the canonical bytes it was checked by (the Merkle leaf's input). */
  public record Verified(AuditEntry entry, byte[] canonicalBytes) {
  }

  /** {@link #verifiedEntry(long, JsonObject)}, keeping the canonical bytes, which cost more than the hashes. */
  public static Verified verified(long position, JsonObject doc) {
    AuditEntry entry;
    try {
      entry = AuditEntry.fromDocument(doc);
    } catch (RuntimeException e) {
      throw new AuditTamperedException(position, "malformed",
          "audit entry " + position + " is not a document the log writes: " + e.getMessage());
    }
    if (entry.index() != position) {
      throw new AuditTamperedException(position, "index_mismatch", "audit entry stored at position " + position
          + " says it is entry " + entry.index() + ": entries were moved or reordered");
    }
    byte[] canonical = entry.canonicalBytes();
    if (!entryHash(entry.prevHash(), canonical).equals(entry.entryHash())) {
      throw new AuditTamperedException(position, "entry_hash_mismatch", "audit entry " + position
          + " no longer matches its entry_hash: its content was edited after it was written");
    }
    return new Verified(entry, canonical);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
