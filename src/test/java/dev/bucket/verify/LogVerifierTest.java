package dev.bucket.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.transparency.NoteSigner;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogVerifierTest {

  @TempDir
  Path dir;

  private final LogFixture log = LogFixture.populated();
  private final List<String> lines = new ArrayList<>(log.exportLines());

  private Report verify() throws Exception {
    return verify(log.checkpoint());
  }

  private Report verify(String checkpoint) throws Exception {
    Path export = Files.write(dir.resolve("export.jsonl"), lines, StandardCharsets.UTF_8);
    return new LogVerifier(log.signer.verifier()).verify(export, checkpoint);
  }

  private static void assertFailsAt(Report report, String step, String... reasonParts) {
    assertThat(report.exitCode()).as(report.toString()).isEqualTo(1);
    assertThat(report.failure()).get().satisfies(failure -> {
      assertThat(failure.name()).isEqualTo(step);
      assertThat(failure.detail()).contains(reasonParts);
    });
  }

  /** The export line {@code line} with its entry replaced by {@code entry} (the index kept). */
  private void replaceEntry(int line, String entry) {
    assertThat(entry).isNotEqualTo(entry(line));
    lines.set(line, new JsonObject(lines.get(line)).put("entry", LogFixture.b64(LogFixture.bytes(entry))).encode());
  }

  private String entry(int index) {
    return new String(log.entries.get(index), StandardCharsets.UTF_8);
  }

  @Test
  void aCompleteExportMatchesItsCheckpoint() throws Exception {
    Report report = verify();

    assertThat(report.exitCode()).as(report.toString()).isZero();
    assertThat(report.steps()).extracting(Report.Step::name).containsExactly(LogVerifier.CHECKPOINT,
        LogVerifier.INDEXES, LogVerifier.ROOT, LogVerifier.CONTENTS);
    assertThat(report.toString()).contains("ok   entry indexes (12 entries, dense from 0)");
  }

  @Test
  void entriesBeyondTheCheckpointAreAllowedButNotVerified() throws Exception {
    Report report = verify(log.checkpoint(9));

    assertThat(report.exitCode()).as(report.toString()).isZero();
    assertThat(report.toString()).contains("the 3 after entry 8 are beyond the checkpoint and not verified");
  }

  @Test
  void anEmptyExportMatchesAnEmptyCheckpoint() throws Exception {
    lines.clear();

    assertThat(verify(log.checkpoint(0)).exitCode()).isZero();
  }

  @Test
  void aDroppedLineIsReportedAsTheMissingEntry() throws Exception {
    lines.remove(4);

    assertFailsAt(verify(), LogVerifier.INDEXES, "line 5 holds entry 5 where entry 4 belongs", "entry 4 is missing");
  }

  @Test
  void aSwappedPairIsReportedAsOutOfOrder() throws Exception {
    Collections.swap(lines, 6, 7);

    assertFailsAt(verify(), LogVerifier.INDEXES, "line 7 holds entry 7 where entry 6 belongs", "out of order",
        "entry 6 comes later, at line 8");
  }

  @Test
  void aRepeatedLineIsReportedAsADuplicate() throws Exception {
    lines.add(3, lines.get(2));

    assertFailsAt(verify(), LogVerifier.INDEXES, "line 4 holds entry 2", "entry 2 is duplicated");
  }

  @Test
  void anExportShorterThanTheCheckpointFails() throws Exception {
    lines.remove(lines.size() - 1);

    assertFailsAt(verify(), LogVerifier.INDEXES, "11 entries but the checkpoint covers 12", "entry 11 is missing");
  }

  @Test
  void anEditedEntryThatStillParsesIsARootMismatchThatCannotBeLocated() throws Exception {
    replaceEntry(4, entry(4).replace("\"actor\":\"bob\"", "\"actor\":\"eve\""));

    assertFailsAt(verify(), LogVerifier.ROOT, "the checkpoint's is", "cannot be located from the root alone");
  }

  @Test
  void anEditedEntryThatNoLongerParsesIsLocated() throws Exception {
    replaceEntry(8, entry(8).replace("\"status\":403", "\"status\":"));

    assertFailsAt(verify(), LogVerifier.ROOT, "the first suspect entry is 8", "not a JSON object");
  }

  @Test
  void anEntryNamingAnotherIndexIsLocated() throws Exception {
    replaceEntry(3, entry(4));

    assertFailsAt(verify(), LogVerifier.ROOT, "the first suspect entry is 3 (it says it is entry 4)");
  }

  @Test
  void aSignedEntryThatIsNotALogEntryFailsTheContentsStep() throws Exception {
    // A log that signed garbage is consistent with its checkpoint but still not sound.
    LogFixture odd = new LogFixture(log.signer);
    odd.appendBytes(log.entries.get(0));
    odd.appendBytes(LogFixture.bytes("{\"hello\":\"world\"}"));
    lines.clear();
    lines.addAll(odd.exportLines());

    assertFailsAt(verify(odd.checkpoint()), LogVerifier.CONTENTS, "entry 1 is signed by the log but",
        "unexpected field 'hello'");
  }

  @Test
  void aMalformedLineFailsNamingIt() throws Exception {
    lines.set(2, "{\"index\": 2, \"entry\": 42}");

    assertFailsAt(verify(), LogVerifier.INDEXES, "line 3 is not", "entry is not a string");
  }

  @Test
  void anEntryThatIsNotBase64FailsNamingItsLine() throws Exception {
    lines.set(2, "{\"index\": 2, \"entry\": \"***\"}");

    assertFailsAt(verify(), LogVerifier.INDEXES, "line 3 is not", "not base64");
  }

  @Test
  void aCheckpointSignedByAnotherKeyFails() throws Exception {
    NoteSigner impostor = NoteSigner.generate(LogFixture.ORIGIN);
    String note = impostor.sign(new dev.bucket.transparency.Checkpoint(LogFixture.ORIGIN, log.size(),
        log.root(log.size())).body());

    assertFailsAt(verify(note), LogVerifier.CHECKPOINT, "not signed by the trusted key");
  }

  @Test
  void anExportThatCannotBeReadIsUnusableInput() throws Exception {
    Path notUtf8 = Files.write(dir.resolve("binary.jsonl"), new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});

    Report report = new LogVerifier(log.signer.verifier()).verify(notUtf8, log.checkpoint());

    assertThat(report.exitCode()).isEqualTo(2);
    assertThat(report.failure()).get().extracting(Report.Step::name).isEqualTo(LogVerifier.INDEXES);
  }

  @Test
  void exportLinesCarryTheExactBytes() {
    JsonObject first = new JsonObject(lines.get(0));

    assertThat(Base64.getDecoder().decode(first.getString("entry"))).isEqualTo(log.entries.get(0));
  }
}
