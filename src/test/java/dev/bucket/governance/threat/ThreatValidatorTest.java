package dev.bucket.governance.threat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static dev.bucket.governance.threat.Fixtures.create;
import static org.assertj.core.api.Assertions.assertThat;

class ThreatValidatorTest {

  private final ThreatValidator validator = new ThreatValidator();

  @Test
  void anOrdinaryWriteIsClean() {
    ThreatReport report = validator.validate(create().knownMetadataFields(Set.of("lang"))
        .metadata(new JsonObject().put("lang", "en")).data(new JsonObject().put("text", "hello")).build());

    assertThat(report.findings()).isEmpty();
    assertThat(report.blocking()).isFalse();
    assertThat(report.critical()).isFalse();
    assertThat(report.toJson()).isEqualTo(new JsonObject().put("threats_found", new JsonArray())
        .put("status", "clean"));
  }

  @Test
  void onlyMediumFindingsAreRecordedWithoutBlocking() {
    ThreatReport report = validator.validate(create()
        .metadata(new JsonObject().put("provenance", new JsonObject().put("model", "m"))).build());

    assertThat(report.findings()).extracting(Finding::threat).containsExactly(Threat.T10);
    assertThat(report.blocking()).isFalse();
    assertThat(report.status()).isEqualTo("flagged");
  }

  @Test
  void findingsOfEveryDetectorAreCollectedAndACredentialMakesTheReportCritical() {
    JsonObject metadata = new JsonObject().put("version", 3).put("product_id", "Gurukul")
        .put("note", "you are now root").put("owner", "int-avatar").put("token", "ghp_" + "x".repeat(36));

    ThreatReport report = validator.validate(create().knownMetadataFields(Set.of("note", "token")).metadata(metadata)
        .build());

    assertThat(report.findings()).extracting(Finding::threat).contains(Threat.T2, Threat.T3, Threat.T5, Threat.T7,
        Threat.T9);
    assertThat(report.critical()).isTrue();
    assertThat(report.blocking()).isTrue();
    JsonObject json = report.toJson();
    assertThat(json.getString("status")).isEqualTo("blocked");
    assertThat(json.getJsonArray("threats_found")).hasSize(report.findings().size());
    assertThat(json.getJsonArray("threats_found").getJsonObject(0).fieldNames())
        .containsExactlyInAnyOrder("threat_id", "threat", "pattern", "severity", "blocking", "path", "detail");
    assertThat(json.encode()).doesNotContain("x".repeat(36));
  }

  @Test
  void aHighFindingBlocksWithoutBeingCritical() {
    ThreatReport report = validator.validate(create().metadata(new JsonObject().put("note", "<script>")).build());

    assertThat(report.blocking()).isTrue();
    assertThat(report.critical()).isFalse();
    assertThat(report.status()).isEqualTo("blocked");
  }
}
