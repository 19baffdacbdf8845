package dev.bucket.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bucket.transparency.NoteSigner;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ConsistencyVerifierTest {

  private final LogFixture log = LogFixture.populated();

  private Report verify(long first, long second, JsonObject proof) throws UnusableInputException {
    return verify(log.checkpoint(first), log.checkpoint(second), proof);
  }

  private Report verify(String oldNote, String newNote, JsonObject proof) throws UnusableInputException {
    return new ConsistencyVerifier(log.signer.verifier()).verify(oldNote, newNote,
        ConsistencyVerifier.Proof.parse(proof));
  }

  private static void assertFailsAt(Report report, String step, String... reasonParts) {
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(report.failure()).get().satisfies(failure -> {
      assertThat(failure.name()).isEqualTo(step);
      assertThat(failure.detail()).contains(reasonParts);
    });
  }

  @Test
  void aGrownLogIsConsistentWithEveryEarlierCheckpoint() throws Exception {
    for (long first = 1; first <= log.size(); first++) {
      Report report = verify(first, log.size(), log.consistencyJson(first, log.size()));
      assertThat(report.exitCode()).as("first %d: %s", first, report).isZero();
    }
    assertThat(verify(5, 12, log.consistencyJson(5, 12)).toString())
        .contains("ok   consistency proof (size 12 extends size 5)");
  }

  @Test
  void equalCheckpointsAreConsistentWithAnEmptyProof() throws Exception {
    Report report = verify(7, 7, log.consistencyJson(7, 7));

    assertThat(report.exitCode()).isZero();
    assertThat(report.toString()).contains("same tree");
  }

  @Test
  void anEmptyTreeIsExtendedByEveryTree() throws Exception {
    JsonObject proof = new JsonObject().put("first", 0).put("second", 12).put("hashes", new JsonArray());

    assertThat(verify(0, 12, proof).exitCode()).isZero();
  }

  @Test
  void aFlippedProofHashFailsNamingTheRfcStep() throws Exception {
    JsonObject proof = log.consistencyJson(5, 12);
    JsonArray hashes = proof.getJsonArray("hashes");
    byte[] hash = Base64.getDecoder().decode(hashes.getString(0));
    hash[31] ^= 1;
    hashes.set(0, LogFixture.b64(hash));

    assertFailsAt(verify(5, 12, proof), ConsistencyVerifier.CONSISTENCY, "does not extend", "RFC 9162", "step 7");
  }

  @Test
  void aProofForOtherSizesFailsAtTheSizes() throws Exception {
    assertFailsAt(verify(4, 12, log.consistencyJson(5, 12)), ConsistencyVerifier.SIZES, "from size 5 to 12",
        "sizes 4 and 12");
  }

  @Test
  void aNewCheckpointSmallerThanTheOldFailsAtTheSizes() throws Exception {
    assertFailsAt(verify(12, 5, log.consistencyJson(5, 12)), ConsistencyVerifier.SIZES, "more than the new one's");
  }

  @Test
  void aRewrittenHistoryIsNotConsistent() throws Exception {
    // Same key, same origin, but entry 2 differs: the log forked after entry 1.
    LogFixture fork = new LogFixture(log.signer);
    for (int i = 0; i < log.size(); i++) {
      fork.appendBytes(i == 2 ? LogFixture.bytes("{\"rewritten\":true}") : log.entries.get(i));
    }

    assertFailsAt(verify(log.checkpoint(5), fork.checkpoint(12), fork.consistencyJson(5, 12)),
        ConsistencyVerifier.CONSISTENCY, "step 7", "first root");
    assertFailsAt(verify(log.checkpoint(7), fork.checkpoint(7), fork.consistencyJson(7, 7)),
        ConsistencyVerifier.CONSISTENCY, "roots differ");
  }

  @Test
  void aNewCheckpointSignedByAnotherKeyFails() throws Exception {
    LogFixture other = new LogFixture(NoteSigner.generate(LogFixture.ORIGIN));
    log.entries.forEach(other::appendBytes);

    assertFailsAt(verify(log.checkpoint(5), other.checkpoint(12), log.consistencyJson(5, 12)),
        ConsistencyVerifier.NEW_CHECKPOINT, "not signed by the trusted key");
  }

  @Test
  void anEditedOldCheckpointFails() throws Exception {
    assertFailsAt(verify(log.checkpoint(5).replaceFirst("\n5\n", "\n6\n"), log.checkpoint(12),
        log.consistencyJson(5, 12)), ConsistencyVerifier.OLD_CHECKPOINT, "invalid signature");
  }

  @Test
  void aProofWithoutSizesIsUnusableInput() {
    assertThatThrownBy(() -> ConsistencyVerifier.Proof.parse(new JsonObject().put("hashes", new JsonArray())))
        .isInstanceOf(UnusableInputException.class);
  }
}
