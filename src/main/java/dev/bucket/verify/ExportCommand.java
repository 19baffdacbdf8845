package dev.bucket.verify;

import dev.bucket.transparency.NoteVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bucket export}: saves a running gateway's signed checkpoint and every entry it covers, for
 * {@code bucket verify log}. Exits 0 on success, 1 if the server fails or its entries do not match its checkpoint,
 * 2 on bad arguments or unwritable files.
 */
@Command(name = "export",
    description = "Export a gateway's transparency log (checkpoint and entries) for offline verification.")
public final class ExportCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = VerifyCommand.HELP)
  boolean help;

  @Option(names = "--url", required = true, paramLabel = "<url>",
      description = "The gateway, e.g. http://127.0.0.1:8080. Nothing else is contacted.")
  String url;

  @Option(names = "--out", required = true, paramLabel = "<file>", description = "The export (JSON lines).")
  Path out;

  @Option(names = "--checkpoint-out", paramLabel = "<file>",
      description = "Where to save the signed checkpoint (default: <out>.checkpoint).")
  Path checkpointOut;

  @Option(names = "--key", paramLabel = "<key|@file>",
      description = "Require the checkpoint to verify with this verifier key (default: the server's own key, which "
          + "checks only that it is well-formed).")
  String key;

  @Option(names = "--api-key", paramLabel = "<key|@file>",
      description = "An owner or auditor API key, or @file holding one (default: the BUCKET_API_KEY environment "
          + "variable). Entries are not public; prefer @file or the variable, which other users cannot see in ps.")
  String apiKey;

  @Option(names = "--parallel", paramLabel = "<n>", defaultValue = "4",
      description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    Path checkpointFile = checkpointOut != null ? checkpointOut : out.resolveSibling(out.getFileName() + ".checkpoint");
    LogExporter.Result result;
    try {
      NoteVerifier trusted = key == null ? null : Inputs.verifierKey(key);
      result = new LogExporter(url, LogExporter.defaultClient(), parallel, apiKey())
          .export(out, checkpointFile, trusted);
    } catch (UnusableInputException e) {
      return fail(stderr, e.getMessage(), Report.UNUSABLE_INPUT);
    } catch (IOException e) {
      return fail(stderr, "cannot write the export: " + Inputs.describe(e), Report.UNUSABLE_INPUT);
    } catch (LogExporter.ExportException e) {
      return fail(stderr, e.getMessage(), Report.CHECK_FAILED);
    }
    stdout.println("checkpoint: " + Evidence.describe(result.checkpoint()) + " -> " + checkpointFile);
    stdout.println("entries: " + result.entries() + " -> " + out);
    stdout.flush();
    if (!result.rootMatches()) {
      return fail(stderr, "the exported entries' Merkle root is not the checkpoint's root "
          + Base64.getEncoder().encodeToString(result.checkpoint().rootHash())
          + ": the server's entries differ from what it signed", Report.CHECK_FAILED);
    }
    return Report.PASSED;
  }

  private String apiKey() throws UnusableInputException {
    String given = apiKey != null ? apiKey : System.getenv("BUCKET_API_KEY");
    if (given == null || given.isBlank()) {
      return null;
    }
    return (given.startsWith("@") ? Inputs.text(Path.of(given.substring(1)), "API key file") : given).strip();
  }

  private static int fail(PrintWriter stderr, String message, int code) {
    stderr.println("bucket export: " + message);
    stderr.flush();
    return code;
  }
}
