package dev.bucket.verify;

import dev.bucket.audit.AuditEntry;
import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.MerkleAppender;
import dev.bucket.transparency.MerkleHash;
import dev.bucket.transparency.NoteVerifier;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;

/**
 * Verifies a log export ({@code {"index": i, "entry": "<base64 canonical bytes>"}} per line, in index order from 0)
 * against a signed checkpoint: the Merkle tree of its first {@code size} entries must have the checkpoint's root.
 *
 * <ol>
 *   <li>{@value #CHECKPOINT}: the trusted key signed the checkpoint, whose text parses;
 *   <li>{@value #INDEXES}: every line is a record, the indexes are 0, 1, 2, ... and cover the checkpoint; the first
 *       entry missing, duplicated or out of order is named;
 *   <li>{@value #ROOT}: the root of the first {@code size} entries is the checkpoint's. A root alone cannot say which
 *       entry changed; the failure names the first entry that does not parse or does not name its own index, if any;
 *   <li>{@value #CONTENTS}: each of those entries is an entry the log writes, naming its own index.
 * </ol>
 *
 * The export is read once, as a stream; memory does not grow with its length.
 */
public final class LogVerifier {

  public static final String CHECKPOINT = "checkpoint signature";
  public static final String INDEXES = "entry indexes";
  public static final String ROOT = "Merkle root";
  public static final String CONTENTS = "entry contents";

  private final NoteVerifier trusted;

  public LogVerifier(NoteVerifier trusted) {
    this.trusted = Objects.requireNonNull(trusted, "trusted");
  }

  public Report verify(Path export, String checkpointNote) {
    Scan scan = new Scan();
    Report report = new Report();
    report.check(CHECKPOINT, () -> {
      scan.checkpoint = Evidence.openCheckpoint(checkpointNote, trusted);
      return Evidence.describe(scan.checkpoint);
    });
    report.check(INDEXES, () -> scan.read(export));
    report.check(ROOT, scan::root);
    report.check(CONTENTS, scan::contents);
    return report;
  }

  /** One pass over the export. */
  private static final class Scan {

    Checkpoint checkpoint;
    private final MerkleAppender tree = new MerkleAppender();
    private long lines;
    /** The first entry within the checkpoint that is not one the log writes at its position, and why; or -1. */
    private long suspect = -1;
    private String suspectReason;

    String read(Path export) throws IOException, CheckFailedException {
      long size = checkpoint.size();
      // The first line whose index is not its position, and that index; then where, if anywhere, the entry that
      // belongs there appears later. Enough to tell a missing, duplicated or reordered entry apart.
      long misplacedLine = -1;
      long misplacedIndex = -1;
      long laterLine = -1;
      try (BufferedReader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
        for (String line = reader.readLine(); line != null; line = reader.readLine(), lines++) {
          JsonObject record = record(line, lines);
          long index = record.getLong("index");
          if (misplacedLine < 0 && index != lines) {
            misplacedLine = lines;
            misplacedIndex = index;
          } else if (misplacedLine >= 0 && index == misplacedLine && laterLine < 0) {
            laterLine = lines;
          }
          byte[] entry = entryBytes(record, lines);
          if (misplacedLine < 0 && lines < size) {
            tree.append(MerkleHash.leafHash(entry));
            if (suspect < 0) {
              inspect(entry, lines);
            }
          }
        }
      }
      if (misplacedLine >= 0) {
        throw new CheckFailedException(misplaced(misplacedLine, misplacedIndex, laterLine));
      }
      if (lines < size) {
        throw new CheckFailedException("the export has " + lines + " entries but the checkpoint covers " + size
            + ": entry " + lines + " is missing");
      }
      return lines + " entries, dense from 0" + (lines > size ? "; the " + (lines - size)
          + " after entry " + (size - 1) + " are beyond the checkpoint and not verified" : "");
    }

    String root() throws CheckFailedException {
      byte[] root = tree.root();
      if (!MessageDigest.isEqual(root, checkpoint.rootHash())) {
        Base64.Encoder b64 = Base64.getEncoder();
        throw new CheckFailedException("the root of entries 0.." + (checkpoint.size() - 1) + " is "
            + b64.encodeToString(root) + ", the checkpoint's is " + b64.encodeToString(checkpoint.rootHash())
            + ": the export differs from what the log signed; " + (suspect >= 0
            ? "the first suspect entry is " + suspect + " (" + suspectReason + ")"
            : "every entry parses and names its own index, so the changed entry cannot be located from the root"
            + " alone (check entries with inclusion proofs)"));
      }
      return "entries 0.." + (checkpoint.size() - 1) + " are the signed tree";
    }

    String contents() throws CheckFailedException {
      if (suspect >= 0) {
        throw new CheckFailedException("entry " + suspect + " is signed by the log but " + suspectReason);
      }
      return null;
    }

    private void inspect(byte[] bytes, long position) {
      try {
        AuditEntry entry = LogEntries.parse(bytes);
        if (entry.index() != position) {
          suspect = position;
          suspectReason = "it says it is entry " + entry.index();
        }
      } catch (CheckFailedException e) {
        suspect = position;
        suspectReason = e.getMessage();
      }
    }

    private static String misplaced(long line, long index, long laterLine) {
      String at = "line " + (line + 1) + " holds entry " + index + " where entry " + line + " belongs";
      if (index < line) {
        return at + ": entry " + index + " is duplicated";
      }
      if (laterLine >= 0) {
        return at + ": entries are out of order, entry " + line + " comes later, at line " + (laterLine + 1);
      }
      return at + ": entry " + line + " is missing";
    }

    private static JsonObject record(String line, long position) throws CheckFailedException {
      JsonObject record;
      try {
        record = new JsonObject(line);
      } catch (DecodeException | ClassCastException e) {
        throw new CheckFailedException(malformed(position, "it is not a JSON object"));
      }
      Object index = record.getValue("index");
      if (!(index instanceof Integer || index instanceof Long) || ((Number) index).longValue() < 0) {
        throw new CheckFailedException(malformed(position, "its index is not a non-negative integer"));
      }
      if (!(record.getValue("entry") instanceof String)) {
        throw new CheckFailedException(malformed(position, "its entry is not a string"));
      }
      return record;
    }

    private static byte[] entryBytes(JsonObject record, long position) throws CheckFailedException {
      try {
        return Base64.getDecoder().decode(record.getString("entry"));
      } catch (IllegalArgumentException e) {
        throw new CheckFailedException(malformed(position, "its entry is not base64"));
      }
    }

    private static String malformed(long position, String why) {
      return "line " + (position + 1) + " is not {\"index\": <n>, \"entry\": \"<base64>\"}: " + why;
    }
  }
}
