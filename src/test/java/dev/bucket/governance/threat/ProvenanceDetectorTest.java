package dev.bucket.governance.threat;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.junit.jupiter.api.Test;

import static dev.bucket.governance.threat.Fixtures.withMetadata;
import static org.assertj.core.api.Assertions.assertThat;

class ProvenanceDetectorTest {

  private static final String SIGNATURE = Base64.getEncoder().encodeToString(new byte[64]);
  private final ProvenanceDetector detector = new ProvenanceDetector();

  @Test
  void t10FlagsUnsignedProvenanceAsUnverifiedButNotBlocking() {
    JsonObject provenance = new JsonObject().put("model", "assistant-7b").put("source", "chat");

    assertThat(detector.inspect(withMetadata(new JsonObject().put("provenance", provenance)))).singleElement()
        .satisfies(f -> {
          assertThat(f.pattern()).isEqualTo("unsigned_provenance");
          assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
          assertThat(f.blocking()).isFalse();
          assertThat(f.detail()).startsWith("provenance unverified");
          assertThat(f.path()).isEqualTo("$.metadata.provenance");
        });
  }

  @Test
  void t10FlagsASignatureWithoutKeyIdAndProvenanceThatIsNotAnObject() {
    assertThat(detector.inspect(withMetadata(new JsonObject().put("provenance",
        new JsonObject().put("signature", SIGNATURE))))).extracting(Finding::pattern)
        .containsExactly("unsigned_provenance");
    assertThat(detector.inspect(withMetadata(new JsonObject().put("provenance", "trust me"))))
        .extracting(Finding::pattern).containsExactly("unsigned_provenance");
  }

  @Test
  void t10FlagsASignatureThatIsNotBase64OfSixtyFourBytes() {
    for (String bad : new String[] {"not base64!", Base64.getEncoder().encodeToString(new byte[32]), "AAAA===="}) {
      JsonObject provenance = new JsonObject().put("signature", bad).put("key_id", "writer-key-1");

      assertThat(detector.inspect(withMetadata(new JsonObject().put("provenance", provenance)))).as(bad)
          .singleElement().satisfies(f -> {
            assertThat(f.pattern()).isEqualTo("malformed_signature");
            assertThat(f.blocking()).isFalse();
          });
    }
  }

  @Test
  void t10AcceptsProvenanceWithAKeyIdAndAnEd25519SizedSignature() {
    String urlSafeUnpadded = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);

    for (String signature : new String[] {SIGNATURE, urlSafeUnpadded}) {
      JsonObject provenance = new JsonObject().put("model", "assistant-7b").put("signature", signature)
          .put("key_id", "writer-key-1");
      assertThat(detector.inspect(withMetadata(new JsonObject().put("provenance", provenance)))).isEmpty();
    }
  }

  @Test
  void t10HasNothingToSayWithoutProvenance() {
    assertThat(detector.inspect(withMetadata(new JsonObject().put("lang", "en")))).isEmpty();
  }
}
