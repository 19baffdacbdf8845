package dev.bucket.verify;

import dev.bucket.transparency.NoteVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bucket verify bundle|consistency|log|store}: offline checks with the log's verifier key. Each prints one line per
 * step, {@code ok   <step>} or {@code FAIL <step>: <reason>}, stopping at the first failure, and exits 0 when all
 * pass, 1 when a check fails, 2 when an input cannot be used.
 */
@Command(name = "verify",
    description = "Verify evidence offline, trusting only the log's verifier key.",
    subcommands = {VerifyCommand.Bundle.class, VerifyCommand.Consistency.class, VerifyCommand.Log.class,
        VerifyCommand.StoreDir.class})
public final class VerifyCommand {

  static final String HELP = "Show this help message and exit.";

  @Option(names = {"-h", "--help"}, usageHelp = true, description = HELP)
  boolean help;

  private static final String KEY_HELP = "The log's verifier key <name>+<key ID>+<key>, or @file holding it "
      + "(as served by GET /v1/log/key).";

  /** What every subcommand shares: the trusted key and where to print. */
  abstract static class Base implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = HELP)
    boolean help;

    @Option(names = "--key", required = true, paramLabel = "<key|@file>", description = KEY_HELP)
    String key;

    @Override
    public final Integer call() {
      Report report;
      try {
        report = verify();
      } catch (UnusableInputException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("bucket verify " + spec.name() + ": " + e.getMessage());
        err.flush();
        return Report.UNUSABLE_INPUT;
      }
      PrintWriter out = spec.commandLine().getOut();
      report.print(out);
      out.println(report.passed() ? "verified" : "NOT verified");
      out.flush();
      return report.exitCode();
    }

    abstract Report verify() throws UnusableInputException;
  }

  @Command(name = "bundle",
      description = "Verify an evidence bundle (bucket-evidence/v1) and the payload it describes.")
  public static final class Bundle extends Base {

    @Option(names = "--bundle", required = true, paramLabel = "<file>", description = "The evidence bundle (JSON).")
    Path bundle;

    @Option(names = "--payload", required = true, paramLabel = "<file>", description = "The artifact's payload.")
    Path payload;

    @Override
    Report verify() throws UnusableInputException {
      EvidenceBundle evidence = EvidenceBundle.parse(Inputs.jsonObject(bundle, "bundle"));
      Inputs.requireReadableFile(payload, "payload");
      return new BundleVerifier(Inputs.verifierKey(key)).verify(evidence, payload);
    }
  }

  @Command(name = "consistency",
      description = "Verify that a newer checkpoint extends an older one (RFC 9162 consistency proof).")
  public static final class Consistency extends Base {

    @Option(names = "--old", required = true, paramLabel = "<file>", description = "The older signed checkpoint.")
    Path oldCheckpoint;

    @Option(names = "--new", required = true, paramLabel = "<file>", description = "The newer signed checkpoint.")
    Path newCheckpoint;

    @Option(names = "--proof", required = true, paramLabel = "<file>",
        description = "The proof JSON from GET /v1/log/proof/consistency?first=&second=.")
    Path proof;

    @Override
    Report verify() throws UnusableInputException {
      String oldNote = Inputs.text(oldCheckpoint, "old checkpoint");
      String newNote = Inputs.text(newCheckpoint, "new checkpoint");
      ConsistencyVerifier.Proof parsed = ConsistencyVerifier.Proof.parse(Inputs.jsonObject(proof, "proof"));
      return new ConsistencyVerifier(Inputs.verifierKey(key)).verify(oldNote, newNote, parsed);
    }
  }

  @Command(name = "log",
      description = "Verify a log export (from `bucket export`) against a signed checkpoint.")
  public static final class Log extends Base {

    @Option(names = "--log", required = true, paramLabel = "<file>",
        description = "The export: one {\"index\": i, \"entry\": \"<base64>\"} line per entry, from 0.")
    Path log;

    @Option(names = "--checkpoint", required = true, paramLabel = "<file>", description = "The signed checkpoint.")
    Path checkpoint;

    @Override
    Report verify() throws UnusableInputException {
      String note = Inputs.text(checkpoint, "checkpoint");
      Inputs.requireReadableFile(log, "log export");
      return new LogVerifier(Inputs.verifierKey(key)).verify(log, note);
    }
  }

  @Command(name = "store",
      description = "Verify a data directory offline: a stopped gateway's, or a backup (hash chain, Merkle roots,"
          + " every version's commit entry and payload hash).")
  public static final class StoreDir extends Base {

    @Option(names = "--data-dir", required = true, paramLabel = "<dir>",
        description = "The data directory (holding store/ and payloads/); never written to.")
    Path dataDir;

    @Option(names = "--checkpoint", paramLabel = "<file>",
        description = "A signed checkpoint of this log kept elsewhere (e.g. the last one a client saw): the store "
            + "must still hold the tree it signed.")
    Path checkpoint;

    @Override
    Report verify() throws UnusableInputException {
      NoteVerifier trusted = Inputs.verifierKey(key);
      String kept = checkpoint == null ? null : Inputs.text(checkpoint, "checkpoint");
      return new StoreVerifier(trusted).verify(dataDir, kept);
    }
  }
}
