package dev.bucket.governance.threat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static dev.bucket.governance.threat.Fixtures.EXECUTOR;
import static dev.bucket.governance.threat.Fixtures.create;
import static org.assertj.core.api.Assertions.assertThat;

class SchemaEvolutionDetectorTest {

  private static final Set<String> KNOWN = Set.of("lang", "turns");
  private final SchemaEvolutionDetector detector = new SchemaEvolutionDetector();

  @Test
  void t3FlagsMetadataFieldsTheActiveSchemaDoesNotName() {
    List<Finding> findings = detector.inspect(create().knownMetadataFields(KNOWN)
        .metadata(new JsonObject().put("lang", "en").put("sentiment", 0.4)).build());

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.pattern()).isEqualTo("unknown_metadata_field");
      assertThat(f.path()).isEqualTo("$.metadata.sentiment");
      assertThat(f.severity()).isEqualTo(Severity.HIGH);
      assertThat(f.detail()).contains("conversation");
    });
  }

  @Test
  void t3FlagsASchemaClaimEvenWhenTheSchemaNamesIt() {
    List<Finding> findings = detector.inspect(create().knownMetadataFields(Set.of("lang", "schema_version"))
        .metadata(new JsonObject().put("schema_version", 2).put("$schema", "https://example.org/s")).build());

    assertThat(findings).extracting(Finding::pattern).containsExactly("schema_claim", "schema_claim");
    assertThat(findings).extracting(Finding::path)
        .containsExactly("$.metadata.schema_version", "$.metadata['$schema']");
  }

  @Test
  void t3AcceptsMetadataWithinTheActiveSchema() {
    assertThat(detector.inspect(create().knownMetadataFields(KNOWN)
        .metadata(new JsonObject().put("lang", "en").put("turns", 3)).build())).isEmpty();
  }

  @Test
  void t3ComparesNothingWhenNoSchemaIsKnownAndIgnoresGovernanceRequests() {
    assertThat(detector.inspect(create().metadata(new JsonObject().put("anything", 1)).build())).isEmpty();
    assertThat(detector.inspect(WriteInspection.governance(EXECUTOR, null, "schema.propose",
        new JsonObject().put("schema_version", 3)).build())).isEmpty();
  }
}
