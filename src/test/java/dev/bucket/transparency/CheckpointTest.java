package dev.bucket.transparency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTest {

  private static final byte[] ROOT = MerkleHash.leafHash(new byte[] {42});
  private static final String ROOT_B64 = Base64.getEncoder().encodeToString(ROOT);

  @Test
  void bodyIsOriginSizeBase64RootAndExtensionLinesEachEndingInNewline() {
    Checkpoint checkpoint = new Checkpoint("bucket.example/audit", 1234, ROOT, List.of("ext one", "ext-two"));

    assertThat(checkpoint.body())
        .isEqualTo("bucket.example/audit\n1234\n" + ROOT_B64 + "\next one\next-two\n");
    assertThat(new Checkpoint("o", 0, MerkleHash.emptyRoot()).body())
        .isEqualTo("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  }

  @Test
  void parseAndBodyRoundTrip() {
    for (Checkpoint checkpoint : List.of(
        new Checkpoint("bucket.example/audit", 1234, ROOT, List.of("ext one", "ext-two")),
        new Checkpoint("o", 0, MerkleHash.emptyRoot()),
        new Checkpoint("o", Long.MAX_VALUE, ROOT))) {
      Checkpoint parsed = Checkpoint.parse(checkpoint.body());

      assertThat(parsed).isEqualTo(checkpoint);
      assertThat(parsed.body()).isEqualTo(checkpoint.body());
    }
  }

  @Test
  void theTlogCheckpointSpecExampleParsesAndFormatsByteForByte() {
    // c2sp.org/tlog-checkpoint, the example at the top of the specification.
    String body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    Checkpoint checkpoint = Checkpoint.parse(body);

    assertThat(checkpoint.origin()).isEqualTo("example.com/behind-the-sofa");
    assertThat(checkpoint.size()).isEqualTo(20852163L);
    assertThat(checkpoint.extensions()).isEmpty();
    assertThat(checkpoint.body()).isEqualTo(body);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "origin\n1\nROOT",
      "origin\n1\n",
      "origin\n1\nROOT\n\n",
      "origin\n1\nROOT\next\n\nmore\n",
      "\n1\nROOT\n",
      "origin\n\nROOT\n",
      "origin\n007\nROOT\n",
      "origin\n+7\nROOT\n",
      "origin\n-1\nROOT\n",
      "origin\n 7\nROOT\n",
      "origin\n7 \nROOT\n",
      "origin\n0x10\nROOT\n",
      "origin\n9223372036854775808\nROOT\n",
      "origin\n1\nnot base64!\n",
      "origin\n1\nAAAA\n",
      "origin\n1\nROOTNOPAD\n",
      "origin\n1\nROOT\n\r\n",
      "origin\r\n1\nROOT\n",
      "orig\tin\n1\nROOT\n"})
  void parseRejectsMalformedText(String template) {
    String body = template
        .replace("ROOTNOPAD", ROOT_B64.substring(0, ROOT_B64.length() - 1))
        .replace("ROOT", ROOT_B64);

    assertThatThrownBy(() -> Checkpoint.parse(body)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checkpoint");
  }

  @Test
  void parseRejectsABase64RootWithNonZeroPaddingBits() {
    // The last character of a 32-byte encoding carries two padding bits; "I" and "J" decode to the same bytes.
    String canonical = Base64.getEncoder().encodeToString(new byte[32]);
    String sloppy = canonical.substring(0, 42) + "B=";

    assertThat(Base64.getDecoder().decode(sloppy)).isEqualTo(new byte[32]);
    assertThatThrownBy(() -> Checkpoint.parse("o\n1\n" + sloppy + "\n"))
        .hasMessageContaining("not canonical");
  }

  @Test
  void constructorRejectsFieldsThatCannotBeANoteLine() {
    assertThatThrownBy(() -> new Checkpoint("two\nlines", 1, ROOT)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("", 1, ROOT)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", -1, ROOT)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", 1, new byte[31])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", 1, ROOT, List.of(""))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", 1, ROOT, List.of("a\nb")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rootHashIsCopiedInAndOut() {
    byte[] root = ROOT.clone();
    Checkpoint checkpoint = new Checkpoint("o", 1, root);
    root[0] ^= 1;
    checkpoint.rootHash()[0] ^= 1;

    assertThat(checkpoint.rootHash()).isEqualTo(ROOT);
  }
}
