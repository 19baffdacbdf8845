package dev.bucket.governance.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The frozen v1 schema of every shipped class, against realistic, minimal and broken write envelopes. */
class ShippedSchemasTest {

  static final SchemaCatalog CATALOG = SchemaCatalog.load(Path.of("conf", "schemas"));

  /** A realistic envelope for each class, and one of its own metadata fields given a value of the wrong type. */
  record Sample(String artifactClass, String envelope, String field, Object wrongValue) {
    JsonObject json() {
      return new JsonObject(envelope);
    }
  }

  static final List<Sample> SAMPLES = List.of(
      new Sample("metadata", """
          {"metadata": {"conversation_id": "conv-42", "model": "assistant-large", "language": "en",
                        "source": "chat", "tags": ["greeting"]},
           "data": {"text": "hello"}}""", "conversation_id", 42),
      new Sample("artifact_manifest", """
          {"metadata": {"manifest_format": "bucket-manifest/1", "entry_count": 3, "generated_by": "assistant",
                        "generated_at": "2026-03-01T10:00:00Z"},
           "data": {"entries": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}}""", "entry_count", "three"),
      new Sample("audit_entry", """
          {"metadata": {"actor": "assistant", "action": "summarised", "occurred_at": "2026-03-01T10:00:00+01:00",
                        "conversation_id": "conv-42"},
           "data": {"detail": "summary of 12 messages"}}""", "occurred_at", 1_700_000_000),
      new Sample("avatar_config", """
          {"metadata": {"avatar_id": "ava-7", "config_version": "2.1", "locale": "hi-IN", "voice": "warm"},
           "data": {"hair": "short", "scale": 1.2}}""", "locale", true),
      new Sample("model_checkpoint", """
          {"metadata": {"step": 1000, "epoch": 3, "framework": "pytorch", "format": "safetensors",
                        "parent_checkpoint": "ckpt-900", "metrics": {"loss": 0.42, "accuracy": 0.91},
                        "retain_until": "2033-01-01T00:00:00Z"}}""", "step", 1.5),
      new Sample("iteration_history", """
          {"metadata": {"avatar_id": "ava-7", "iteration": 12, "started_at": "2026-03-01T10:00:00Z",
                        "ended_at": "2026-03-01T11:00:00Z", "outcome": "accepted"},
           "data": [{"turn": 1}, {"turn": 2}]}""", "iteration", "12"),
      new Sample("lesson_content", """
          {"metadata": {"title": "Fractions", "language": "en", "grade_level": 5, "subject": "mathematics",
                        "course_id": "math-5", "content_format": "markdown",
                        "description": "Introduces halves and quarters"},
           "data": "# Fractions\\nA fraction is a part of a whole."}""", "grade_level", "five"),
      new Sample("assessment", """
          {"metadata": {"title": "Fractions quiz", "course_id": "math-5", "assessment_type": "quiz",
                        "max_score": 10, "language": "en"},
           "data": {"questions": [{"q": "1/2 + 1/4?", "a": "3/4"}]}}""", "max_score", "ten"),
      new Sample("learner_progress", """
          {"metadata": {"learner_id": "learner-0193", "course_id": "math-5", "completion": 0.4,
                        "last_activity": "2026-03-01T10:00:00Z"},
           "data": {"completed_lessons": ["fractions-1", "fractions-2"]}}""", "completion", "40%"),
      new Sample("workflow_state", """
          {"metadata": {"workflow_id": "wf-1", "workflow_type": "approval", "state": "waiting", "sequence": 7},
           "data": {"pending": ["review"], "assignee": "team-a"}}""", "sequence", "seven"),
      new Sample("event_history", """
          {"metadata": {"workflow_id": "wf-1", "from_sequence": 0, "to_sequence": 7, "event_count": 8},
           "data": [{"seq": 0, "type": "started"}, {"seq": 7, "type": "waiting"}]}""", "event_count",
          new JsonArray().add(8)),
      new Sample("decision_record", """
          {"metadata": {"decision_id": "dec-9", "policy_id": "retention", "policy_version": "3",
                        "outcome": "deny", "decided_at": "2026-03-01T10:00:00Z"},
           "data": {"subject": "artifact x", "why": "under legal hold"}}""", "policy_version", 3),
      new Sample("enforcement_log", """
          {"metadata": {"engine_instance": "enf-a", "period_start": "2026-03-01T00:00:00Z",
                        "period_end": "2026-03-02T00:00:00Z", "entry_count": 1204}}""", "period_end",
          new JsonObject().put("at", "tomorrow")));

  static Stream<Sample> samples() {
    return SAMPLES.stream();
  }

  static Stream<String> classes() {
    return CATALOG.classes().stream();
  }

  @Test
  void thereIsASampleForEveryShippedClassAndEachIsAtVersionOne() {
    assertThat(SAMPLES).extracting(Sample::artifactClass).containsExactlyInAnyOrderElementsOf(CATALOG.classes());
    assertThat(CATALOG.classes()).allSatisfy(c -> assertThat(CATALOG.activeVersion(c)).isEqualTo(1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void aRealisticEnvelopeIsValid(Sample sample) {
    assertThat(CATALOG.validate(sample.artifactClass(), sample.json())).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void anUnknownMetadataFieldIsRejectedAtItsPath(Sample sample) {
    JsonObject envelope = sample.json();
    envelope.getJsonObject("metadata").put("colour", "blue");

    assertThat(CATALOG.validate(sample.artifactClass(), envelope)).singleElement().satisfies(v -> {
      assertThat(v.path()).isEqualTo("/metadata/colour");
      assertThat(v.message()).contains("'colour'").contains("additional properties");
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void aFieldOfTheWrongTypeIsRejectedAtItsPath(Sample sample) {
    JsonObject envelope = sample.json();
    envelope.getJsonObject("metadata").put(sample.field(), sample.wrongValue());

    assertThat(CATALOG.validate(sample.artifactClass(), envelope))
        .extracting(SchemaViolation::path)
        .containsExactly("/metadata/" + sample.field());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classes")
  void aSimpleWriteWithOnlyTheCommonFieldsIsValidForEveryClass(String artifactClass) {
    JsonObject simple = new JsonObject().put("metadata", new JsonObject()
        .put("source", "batch-import")
        .put("tags", new JsonArray().add("a").add("b"))
        .put("description", "imported")
        .put("retain_until", "2040-01-01T00:00:00Z"));

    assertThat(CATALOG.validate(artifactClass, simple)).isEmpty();
    // A binary upload carries no data, and may carry no metadata fields at all.
    assertThat(CATALOG.validate(artifactClass, new JsonObject().put("metadata", new JsonObject()))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classes")
  void theCommonFieldsAreBoundedForEveryClass(String artifactClass) {
    JsonArray tooManyTags = new JsonArray();
    for (int i = 0; i < 33; i++) {
      tooManyTags.add("t" + i);
    }
    JsonObject envelope = new JsonObject().put("metadata", new JsonObject()
        .put("tags", tooManyTags)
        .put("description", "x".repeat(4097))
        .put("retain_until", "next year")
        .put("source", 7));

    assertThat(CATALOG.validate(artifactClass, envelope)).extracting(SchemaViolation::path).containsExactlyInAnyOrder(
        "/metadata/tags", "/metadata/description", "/metadata/retain_until", "/metadata/source");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classes")
  void theEnvelopeHoldsOnlyMetadataAndDataAndNeedsMetadata(String artifactClass) {
    JsonObject envelope = new JsonObject().put("metadata", new JsonObject()).put("payload", "x");
    assertThat(CATALOG.validate(artifactClass, envelope)).extracting(SchemaViolation::path)
        .containsExactly("/payload");
    JsonObject noMetadata = new JsonObject().put("data", new JsonObject());
    assertThat(CATALOG.validate(artifactClass, noMetadata)).extracting(SchemaViolation::path)
        .containsExactly("/metadata");
  }

  @Test
  void structuredClassesRefuseDataThatIsNotAnObject() {
    for (String artifactClass : List.of("workflow_state", "avatar_config", "decision_record", "learner_progress",
        "assessment", "artifact_manifest", "audit_entry")) {
      JsonObject envelope = new JsonObject().put("metadata", new JsonObject()).put("data", "not an object");
      assertThat(CATALOG.validate(artifactClass, envelope)).extracting(SchemaViolation::path)
          .as(artifactClass).containsExactly("/data");
    }
    JsonObject text = new JsonObject().put("metadata", new JsonObject()).put("data", "plain text lesson");
    assertThat(CATALOG.validate("lesson_content", text)).isEmpty();
  }

  @Test
  void enumeratedFieldsAcceptOnlyTheirValues() {
    JsonObject decision = new JsonObject().put("metadata", new JsonObject().put("outcome", "maybe"));
    assertThat(CATALOG.validate("decision_record", decision)).extracting(SchemaViolation::path)
        .containsExactly("/metadata/outcome");
  }

  @Test
  void aClassWithoutASchemaCannotBeValidated() {
    assertThatThrownBy(() -> CATALOG.validate("system_config", new JsonObject().put("metadata", new JsonObject())))
        .isInstanceOf(SchemaException.class)
        .hasMessage("artifact class 'system_config': no schema");
  }
}
