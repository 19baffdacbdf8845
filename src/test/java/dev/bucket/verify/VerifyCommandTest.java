package dev.bucket.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.Main;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code bucket verify} subcommands end to end, through {@link Main}'s command line. */
class VerifyCommandTest {

  @TempDir
  Path dir;

  private LogFixture log;
  private LogFixture.Version version;
  private Path bundle;
  private Path payload;
  private String key;

  record Run(int exitCode, String out, String err) {

    List<String> lines() {
      return out.lines().toList();
    }
  }

  static Run bucket(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  @BeforeEach
  void setUp() throws Exception {
    log = new LogFixture();
    log.read("acme", "tool", 1);
    version = log.commit("acme", "tool", 1, LogFixture.bytes("the payload"));
    log.read("acme", "tool", 1);
    bundle = Files.writeString(dir.resolve("bundle.json"), log.bundle(version).encodePrettily());
    payload = Files.write(dir.resolve("payload.bin"), version.payload());
    key = log.verifierKey();
  }

  private Run verifyBundle() {
    return bucket("verify", "bundle", "--bundle", bundle.toString(), "--payload", payload.toString(), "--key", key);
  }

  @Test
  void aGenuineBundlePrintsEveryStepOkAndExitsZero() {
    Run run = verifyBundle();

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.lines()).hasSize(6);
    assertThat(run.lines().get(0)).startsWith("ok   checkpoint signature (origin test.local/log, size 3, root ");
    assertThat(run.lines().get(1)).isEqualTo("ok   proof tree size");
    assertThat(run.lines().get(2)).startsWith("ok   commit entry (entry 1: artifact.create of acme/tool v1 at ");
    assertThat(run.lines().get(3)).isEqualTo("ok   inclusion proof (leaf 1 of 3)");
    assertThat(run.lines().get(4)).isEqualTo("ok   payload (11 bytes, " + version.contentHash() + ")");
    assertThat(run.lines().get(5)).isEqualTo("verified");
  }

  @Test
  void aTamperedPayloadPrintsTheFailingStepLastAndExitsOne() throws Exception {
    Files.write(payload, LogFixture.bytes("the paylaod"));

    Run run = verifyBundle();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.lines()).hasSize(6);
    assertThat(run.lines().get(4)).startsWith("FAIL payload: ").contains("is not the content of acme/tool v1");
    assertThat(run.lines().get(5)).isEqualTo("NOT verified");
  }

  @Test
  void aFailingStepStopsTheVerification() throws Exception {
    JsonObject json = log.bundle(version);
    json.getJsonObject("log_entry").put("index", 2);
    Files.writeString(bundle, json.encode());

    Run run = verifyBundle();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.lines()).hasSize(5).noneMatch(line -> line.contains("payload"));
    assertThat(run.lines().get(3)).startsWith("FAIL inclusion proof: entry is not leaf 2")
        .contains("RFC 9162 section 2.1.3.2 step 4a");
  }

  @Test
  void theKeyMayBeGivenAsAFile() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("log.key"), key + "\n");
    key = "@" + keyFile;

    assertThat(verifyBundle().exitCode()).isZero();
  }

  @Test
  void anotherKeyFailsTheCheckpointSignature() {
    key = new LogFixture().verifierKey();

    Run run = verifyBundle();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.lines().get(0)).startsWith("FAIL checkpoint signature: not signed by the trusted key");
  }

  @Test
  void aBundleThatIsNotJsonIsUnusableInputAndExitsTwo() throws Exception {
    Files.writeString(bundle, "{\"format\": ");

    Run run = verifyBundle();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("bucket verify bundle: bundle ").contains("is not a JSON object");
  }

  @Test
  void aMissingPayloadIsUnusableInputAndExitsTwo() {
    payload = dir.resolve("nope.bin");

    Run run = verifyBundle();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("cannot read payload");
  }

  @Test
  void aMalformedKeyIsUnusableInputAndExitsTwo() {
    key = "not-a-key";

    Run run = verifyBundle();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("not a valid verifier key");
  }

  @Test
  void aMissingOptionIsAUsageErrorAndExitsTwo() {
    Run run = bucket("verify", "bundle", "--bundle", bundle.toString(), "--key", key);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required option: '--payload=<file>'");
  }

  @Test
  void consistencyPassesForAGrownLogAndFailsForAForkedOne() throws Exception {
    LogFixture grown = LogFixture.populated();
    Path old = Files.writeString(dir.resolve("old.txt"), grown.checkpoint(5));
    Path current = Files.writeString(dir.resolve("new.txt"), grown.checkpoint(12));
    Path proof = Files.writeString(dir.resolve("proof.json"), grown.consistencyJson(5, 12).encode());
    String grownKey = grown.verifierKey();

    Run good = bucket("verify", "consistency", "--old", old.toString(), "--new", current.toString(), "--proof",
        proof.toString(), "--key", grownKey);
    assertThat(good.exitCode()).as(good.out()).isZero();
    assertThat(good.lines()).hasSize(5).last().isEqualTo("verified");

    Files.writeString(old, grown.checkpoint(4));
    Files.writeString(proof, grown.consistencyJson(4, 12).put("first", 5).encode());
    Run bad = bucket("verify", "consistency", "--old", old.toString(), "--new", current.toString(), "--proof",
        proof.toString(), "--key", grownKey);
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.out()).contains("FAIL proof sizes: the proof is from size 5 to 12");
  }

  @Test
  void logPassesForACompleteExportAndFailsForADroppedLine() throws Exception {
    LogFixture full = LogFixture.populated();
    List<String> lines = new ArrayList<>(full.exportLines());
    Path export = Files.write(dir.resolve("export.jsonl"), lines, StandardCharsets.UTF_8);
    Path checkpoint = Files.writeString(dir.resolve("cp.txt"), full.checkpoint());

    Run good = bucket("verify", "log", "--log", export.toString(), "--checkpoint", checkpoint.toString(), "--key",
        full.verifierKey());
    assertThat(good.exitCode()).as(good.out()).isZero();

    lines.remove(9);
    Files.write(export, lines, StandardCharsets.UTF_8);
    Run bad = bucket("verify", "log", "--log", export.toString(), "--checkpoint", checkpoint.toString(), "--key",
        full.verifierKey());
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.out()).contains("FAIL entry indexes: line 10 holds entry 10 where entry 9 belongs: entry 9 is "
        + "missing");
  }

  @Test
  void helpShowsTheUsageOfEachCommand() {
    assertThat(bucket("verify", "bundle", "--help").out())
        .startsWith("Usage: bucket verify bundle [-h] --bundle=<file> --key=<key|@file>").contains("--payload=<file>");
    assertThat(bucket("verify", "--help").out()).contains("bundle", "consistency", "log");
    assertThat(bucket("export", "--help").out()).startsWith("Usage: bucket export ");
  }

  @Test
  void verifyWithoutASubcommandIsAUsageError() {
    Run run = bucket("verify");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required subcommand");
  }
}
