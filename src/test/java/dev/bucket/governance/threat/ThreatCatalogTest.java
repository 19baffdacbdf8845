package dev.bucket.governance.threat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThreatCatalogTest {

  @Test
  void catalogHoldsTheTenSeedThreatsWithTheirSeverities() {
    assertThat(ThreatCatalog.all()).extracting(Threat::id)
        .containsExactly("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10");
    assertThat(ThreatCatalog.all()).extracting(Threat::severity).containsExactly(Severity.HIGH, Severity.CRITICAL,
        Severity.HIGH, Severity.MEDIUM, Severity.CRITICAL, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL,
        Severity.HIGH, Severity.MEDIUM);
    assertThat(Threat.T2.title()).isEqualTo("Metadata Poisoning");
  }

  @Test
  void lookupByIdIgnoresCaseAndFindsNothingForAnUnknownId() {
    assertThat(ThreatCatalog.byId("T10")).contains(Threat.T10);
    assertThat(ThreatCatalog.byId("t1")).contains(Threat.T1);
    assertThat(ThreatCatalog.byId("T11")).isEmpty();
  }

  @Test
  void lookupByPatternFindsTheThreatOfADetectorPatternASubPatternOrASlug() {
    assertThat(ThreatCatalog.byPattern("control_characters")).containsExactly(Threat.T2);
    assertThat(ThreatCatalog.byPattern("credential_exposure")).containsExactly(Threat.T2);
    assertThat(ThreatCatalog.byPattern("cloud_access_key")).containsExactly(Threat.T2);
    assertThat(ThreatCatalog.byPattern("write_contention")).containsExactly(Threat.T4);
    assertThat(ThreatCatalog.byPattern("audit_tampering")).containsExactly(Threat.T8);
  }

  @Test
  void lookupByUnknownPatternIsEmptyNotAnError() {
    assertThat(ThreatCatalog.byPattern("no_such_pattern")).isEmpty();
    assertThat(ThreatCatalog.byPatternJson("no_such_pattern"))
        .isEqualTo(new JsonObject().put("count", 0).put("threats", new JsonArray())
            .put("pattern", "no_such_pattern"));
  }

  @Test
  void everyPatternBelongsToExactlyOneThreat() {
    Set<String> seen = new HashSet<>();
    for (Threat threat : Threat.values()) {
      assertThat(seen.add(threat.slug())).as(threat.slug()).isTrue();
      threat.patterns().forEach(p -> assertThat(seen.add(p)).as(p).isTrue());
      threat.subPatterns().values().forEach(sub -> sub.forEach(p -> assertThat(seen.add(p)).as(p).isTrue()));
    }
  }

  @Test
  void jsonViewNamesIdSeverityMitigationAndPatterns() {
    JsonObject all = ThreatCatalog.toJson();
    JsonObject t2 = all.getJsonArray("threats").getJsonObject(1);

    assertThat(all.getInteger("count")).isEqualTo(10);
    assertThat(t2.getString("id")).isEqualTo("T2");
    assertThat(t2.getString("name")).isEqualTo("Metadata Poisoning");
    assertThat(t2.getString("pattern")).isEqualTo("metadata_poisoning");
    assertThat(t2.getString("severity")).isEqualTo("CRITICAL");
    assertThat(t2.getString("mitigation")).isNotBlank();
    assertThat(t2.getJsonArray("patterns").getList()).contains("credential_exposure", "prompt_injection");
    assertThat(t2.getJsonObject("sub_patterns").getJsonArray("credential_exposure").getList())
        .containsExactly("connection_string_password", "cloud_access_key", "private_key_block", "bearer_token",
            "secret_field");
    assertThat(ThreatCatalog.byPatternJson("bearer_token").getJsonArray("threats").getJsonObject(0).getString("id"))
        .isEqualTo("T2");
  }

  @Test
  void findingRefusesAPatternItsThreatDoesNotReport() {
    assertThatThrownBy(() -> new Finding(Threat.T1, "prompt_injection", Severity.HIGH, null, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("T1");
  }
}
