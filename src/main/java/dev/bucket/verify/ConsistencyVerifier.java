package dev.bucket.verify;

import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.MerkleHash;
import dev.bucket.transparency.MerkleProofs;
import dev.bucket.transparency.NoteVerifier;
import dev.bucket.transparency.ProofVerificationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Verifies that a newer signed checkpoint extends an older one, with the consistency proof
 * {@code GET /v1/log/proof/consistency?first=&second=} serves: an append-only log never rewrites what it signed.
 */
public final class ConsistencyVerifier {

  public static final String OLD_CHECKPOINT = "old checkpoint signature";
  public static final String NEW_CHECKPOINT = "new checkpoint signature";
  public static final String SIZES = "proof sizes";
  public static final String CONSISTENCY = "consistency proof";

  private final NoteVerifier trusted;

  public ConsistencyVerifier(NoteVerifier trusted) {
    this.trusted = Objects.requireNonNull(trusted, "trusted");
  }

  /** The proof's fields; the hashes are still base64. */
  public record Proof(long first, long second, List<String> hashes) {

    public Proof {
      hashes = List.copyOf(hashes);
    }

    /** Reads {@code {first, second, hashes: [base64]}}; other fields (the unsigned roots) are ignored. */
    public static Proof parse(JsonObject json) throws UnusableInputException {
      Object first = json.getValue("first");
      Object second = json.getValue("second");
      if (!(first instanceof Integer || first instanceof Long) || !(second instanceof Integer || second instanceof Long)
          || ((Number) first).longValue() < 0 || ((Number) second).longValue() < 0) {
        throw new UnusableInputException("consistency proof needs non-negative integer fields first and second");
      }
      if (!(json.getValue("hashes") instanceof JsonArray array)) {
        throw new UnusableInputException("consistency proof field hashes is missing or not an array");
      }
      List<String> hashes = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String hash)) {
          throw new UnusableInputException("consistency proof field hashes[" + i + "] is not a string");
        }
        hashes.add(hash);
      }
      return new Proof(((Number) first).longValue(), ((Number) second).longValue(), hashes);
    }
  }

  public Report verify(String oldNote, String newNote, Proof proof) {
    Checkpoint[] checkpoints = new Checkpoint[2];
    Report report = new Report();
    report.check(OLD_CHECKPOINT, () -> {
      checkpoints[0] = Evidence.openCheckpoint(oldNote, trusted);
      return Evidence.describe(checkpoints[0]);
    });
    report.check(NEW_CHECKPOINT, () -> {
      checkpoints[1] = Evidence.openCheckpoint(newNote, trusted);
      return Evidence.describe(checkpoints[1]);
    });
    report.check(SIZES, () -> sizes(checkpoints[0], checkpoints[1], proof));
    report.check(CONSISTENCY, () -> consistency(checkpoints[0], checkpoints[1], proof));
    return report;
  }

  private static String sizes(Checkpoint old, Checkpoint current, Proof proof) throws CheckFailedException {
    if (!old.origin().equals(current.origin())) {
      throw new CheckFailedException("the checkpoints are of different logs: '" + old.origin() + "' and '"
          + current.origin() + "'");
    }
    if (old.size() > current.size()) {
      throw new CheckFailedException("the old checkpoint has " + old.size() + " entries, more than the new one's "
          + current.size());
    }
    if (proof.first() != old.size() || proof.second() != current.size()) {
      throw new CheckFailedException("the proof is from size " + proof.first() + " to " + proof.second()
          + ", the checkpoints are of sizes " + old.size() + " and " + current.size());
    }
    return null;
  }

  private static String consistency(Checkpoint old, Checkpoint current, Proof proof) throws CheckFailedException {
    List<byte[]> hashes = Evidence.hashes(proof.hashes(), "hashes");
    if (old.size() == current.size() || old.size() == 0) {
      // RFC 9162 defines no proof here: a tree is consistent with itself exactly when the roots agree, and every
      // tree extends the empty one, whose root is fixed.
      if (!hashes.isEmpty()) {
        throw new CheckFailedException("the proof has " + hashes.size() + " hashes where none are needed");
      }
      byte[] expected = old.size() == 0 ? MerkleHash.emptyRoot() : current.rootHash();
      if (!MessageDigest.isEqual(old.rootHash(), expected)) {
        throw new CheckFailedException(old.size() == 0 ? "the old checkpoint's root is not the empty tree's"
            : "both checkpoints are of size " + old.size() + " but their roots differ: the log forked");
      }
      return old.size() == current.size() ? "same tree" : "every tree extends the empty one";
    }
    try {
      MerkleProofs.checkConsistency(old.size(), current.size(), hashes, old.rootHash(), current.rootHash());
    } catch (ProofVerificationException e) {
      throw new CheckFailedException("the new tree does not extend the old one: RFC 9162 section 2.1.4.2 "
          + e.getMessage());
    }
    return "size " + current.size() + " extends size " + old.size();
  }
}
