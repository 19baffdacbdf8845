package dev.bucket.governance.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proposing, activating and loading schema versions, and detecting drift of stored envelopes. */
class SchemaEvolutionTest {

  static final Path SCHEMAS = Path.of("conf", "schemas");

  // Shared by every test: a catalog never changes, activation makes a new one.
  static final SchemaCatalog CATALOG = SchemaCatalog.load(SCHEMAS);

  final SchemaCatalog catalog = CATALOG;

  static JsonObject checkpointV1() {
    return CATALOG.version("model_checkpoint", 1).schema();
  }

  static JsonObject metadataFields(JsonObject schema) {
    return schema.getJsonObject("properties").getJsonObject("metadata").getJsonObject("properties");
  }

  /** model_checkpoint v1 plus a learning_rate metadata field. */
  static JsonObject checkpointWithLearningRate() {
    JsonObject schema = checkpointV1();
    metadataFields(schema).put("learning_rate", new JsonObject().put("type", "number").put("exclusiveMinimum", 0));
    return schema;
  }

  static JsonObject envelope(JsonObject metadata) {
    return new JsonObject().put("metadata", metadata);
  }

  static String independentSha256(JsonObject schema) throws Exception {
    byte[] canonical = new JsonCanonicalizer(schema.encode()).getEncodedUTF8();
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
  }

  @Test
  void aValidProposalGetsTheNextVersionAndTheHashOfItsCanonicalBytesButIsNotActive() throws Exception {
    JsonObject candidate = checkpointWithLearningRate();

    SchemaProposal proposal = catalog.propose("model_checkpoint", candidate);

    assertThat(proposal.artifactClass()).isEqualTo("model_checkpoint");
    assertThat(proposal.version()).isEqualTo(2);
    assertThat(proposal.schema()).isEqualTo(candidate);
    assertThat(proposal.sha256()).isEqualTo(independentSha256(candidate)).hasSize(64);
    assertThat(catalog.activeVersion("model_checkpoint")).isEqualTo(1);
    assertThat(catalog.validate("model_checkpoint", envelope(new JsonObject().put("learning_rate", 0.01))))
        .extracting(SchemaViolation::path).containsExactly("/metadata/learning_rate");
  }

  @Test
  void theHashDoesNotDependOnFormattingOrKeyOrder() {
    JsonObject reordered = new JsonObject();
    JsonObject candidate = checkpointWithLearningRate();
    candidate.fieldNames().stream().sorted(Comparator.reverseOrder())
        .forEach(key -> reordered.put(key, candidate.getValue(key)));

    assertThat(catalog.propose("model_checkpoint", reordered).sha256())
        .isEqualTo(catalog.propose("model_checkpoint", candidate).sha256());
  }

  @Test
  void activationMakesANewCatalogInWhichTheProposalIsActive() {
    SchemaProposal proposal = catalog.propose("model_checkpoint", checkpointWithLearningRate());
    JsonObject withLearningRate = envelope(new JsonObject().put("step", 10).put("learning_rate", 0.01));

    SchemaCatalog next = catalog.activate(proposal);

    assertThat(next.activeVersion("model_checkpoint")).isEqualTo(2);
    assertThat(next.validate("model_checkpoint", withLearningRate)).isEmpty();
    assertThat(next.history("model_checkpoint")).extracting(SchemaVersion::version).containsExactly(1, 2);
    assertThat(next.version("model_checkpoint", 2).sha256()).isEqualTo(proposal.sha256());
    assertThat(next.drift("model_checkpoint", 1, withLearningRate)).isNotEmpty();
    // The catalog the proposal came from is unchanged.
    assertThat(catalog.activeVersion("model_checkpoint")).isEqualTo(1);
    assertThat(catalog.validate("model_checkpoint", withLearningRate)).isNotEmpty();
    assertThat(next.activeVersion("avatar_config")).isEqualTo(1);
  }

  @Test
  void aFirstProposalForANewClassIsVersionOne() {
    JsonObject schema = checkpointV1();
    metadataFields(schema).remove("step");

    SchemaProposal proposal = catalog.propose("index_snapshot", schema);
    SchemaCatalog next = catalog.activate(proposal);

    assertThat(proposal.version()).isEqualTo(1);
    assertThat(next.has("index_snapshot")).isTrue();
    assertThat(catalog.has("index_snapshot")).isFalse();
    assertThat(next.validate("index_snapshot", envelope(new JsonObject().put("step", 1))))
        .extracting(SchemaViolation::path).containsExactly("/metadata/step");
  }

  @Test
  void aSchemaThatIsNotValidDraft2020_12IsRejectedWithTheMetaSchemasReasons() {
    JsonObject schema = checkpointV1();
    metadataFields(schema).getJsonObject("step").put("type", "int");
    metadataFields(schema).getJsonObject("framework").put("maxLength", "long");

    assertThatThrownBy(() -> catalog.propose("model_checkpoint", schema))
        .isInstanceOf(SchemaException.class)
        .hasMessageStartingWith("proposed model_checkpoint v2: ")
        .satisfies(e -> assertThat(((SchemaException) e).violations()).extracting(SchemaViolation::path)
            .contains("/properties/metadata/properties/step/type",
                "/properties/metadata/properties/framework/maxLength"));
  }

  @Test
  void aSchemaThatOpensTheMetadataIsRejected() {
    JsonObject open = checkpointV1();
    open.getJsonObject("properties").getJsonObject("metadata").put("additionalProperties", true);
    JsonObject silent = checkpointV1();
    silent.getJsonObject("properties").getJsonObject("metadata").remove("additionalProperties");

    for (JsonObject schema : new JsonObject[] {open, silent}) {
      assertThatThrownBy(() -> catalog.propose("model_checkpoint", schema))
          .isInstanceOf(SchemaException.class)
          .hasMessage("proposed model_checkpoint v2: /properties/metadata/additionalProperties: must be false:"
              + " unknown metadata fields are refused, a schema never evolves silently");
    }
  }

  @Test
  void aSchemaThatDoesNotKeepTheEnvelopeClosedIsRejectedForEachReason() {
    JsonObject schema = checkpointV1();
    schema.put("$schema", "http://json-schema.org/draft-07/schema#");
    schema.put("additionalProperties", true);
    schema.put("required", new JsonArray());
    schema.getJsonObject("properties").put("payload", new JsonObject());
    metadataFields(schema).remove("tags");

    assertThatThrownBy(() -> catalog.propose("model_checkpoint", schema))
        .isInstanceOf(SchemaException.class)
        .satisfies(e -> assertThat(((SchemaException) e).violations()).extracting(SchemaViolation::path)
            .containsExactly("/$schema", "/additionalProperties", "/required", "/properties/payload",
                "/properties/metadata/properties/tags"));
  }

  @Test
  void aSchemaReferringToAnotherDocumentIsRejectedWithoutFetchingIt() {
    JsonObject schema = checkpointV1();
    metadataFields(schema).put("parent_checkpoint", new JsonObject().put("$ref", "http://127.0.0.1:9/parent.json"));
    JsonObject dangling = checkpointV1();
    metadataFields(dangling).put("parent_checkpoint", new JsonObject().put("$ref", "#/$defs/missing"));

    assertThatThrownBy(() -> catalog.propose("model_checkpoint", schema))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("cannot be compiled")
        .hasMessageContaining("is not allowed to be loaded");
    assertThatThrownBy(() -> catalog.propose("model_checkpoint", dangling))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("cannot be compiled");
  }

  @Test
  void aProposalIdenticalToTheActiveVersionIsRejected() {
    assertThatThrownBy(() -> catalog.propose("model_checkpoint", checkpointV1()))
        .isInstanceOf(SchemaException.class)
        .hasMessage("proposed model_checkpoint v2: identical to the active version 1");
  }

  @Test
  void aProposalForAnInvalidClassNameIsRejectedAndCannotBeActivated() {
    assertThatThrownBy(() -> catalog.propose("Model Checkpoint", checkpointWithLearningRate()))
        .isInstanceOf(SchemaException.class)
        .hasMessage("artifact class 'Model Checkpoint': not a class name ([a-z][a-z0-9_]{0,63})");
    SchemaProposal forged = new SchemaProposal("Model Checkpoint", 1, checkpointWithLearningRate(), "0".repeat(64));
    assertThatThrownBy(() -> catalog.activate(forged))
        .isInstanceOf(SchemaException.class)
        .hasMessage("artifact class 'Model Checkpoint': not a class name ([a-z][a-z0-9_]{0,63})");
  }

  @Test
  void aStaleProposalCannotBeActivated() {
    SchemaProposal first = catalog.propose("model_checkpoint", checkpointWithLearningRate());
    JsonObject other = checkpointV1();
    metadataFields(other).put("seed", new JsonObject().put("type", "integer"));
    SchemaProposal second = catalog.propose("model_checkpoint", other);
    SchemaCatalog next = catalog.activate(first);

    assertThatThrownBy(() -> next.activate(second))
        .isInstanceOf(SchemaException.class)
        .hasMessage("proposal model_checkpoint v2: stale, the next version of model_checkpoint is 3");
    assertThat(next.activate(next.propose("model_checkpoint", other)).activeVersion("model_checkpoint"))
        .isEqualTo(3);
  }

  @Test
  void aProposalWhoseSchemaNoLongerMatchesItsHashCannotBeActivated() {
    SchemaProposal proposal = catalog.propose("model_checkpoint", checkpointWithLearningRate());
    JsonObject swapped = checkpointWithLearningRate();
    metadataFields(swapped).put("learning_rate", new JsonObject());

    assertThatThrownBy(() -> catalog.activate(new SchemaProposal("model_checkpoint", 2, swapped, proposal.sha256())))
        .isInstanceOf(SchemaException.class)
        .hasMessage("proposal model_checkpoint v2: sha256 does not match its schema (changed since it was proposed?)");
  }

  @Test
  void anEnvelopeStoredUnderAVersionIsCheckedAgainstThatVersionNotTheActiveOne() {
    JsonObject stored = envelope(new JsonObject().put("step", 10));
    JsonObject stricter = checkpointV1();
    stricter.getJsonObject("properties").getJsonObject("metadata").put("required", new JsonArray().add("framework"));
    SchemaCatalog next = catalog.activate(catalog.propose("model_checkpoint", stricter));

    assertThat(next.validate("model_checkpoint", stored)).extracting(SchemaViolation::path)
        .containsExactly("/metadata/framework");
    assertThat(next.drift("model_checkpoint", 1, stored)).isEmpty();
  }

  @Test
  void aStoredEnvelopeThatChangedDrifts() {
    JsonObject stored = envelope(new JsonObject().put("step", 10).put("framework", "jax"));
    assertThat(catalog.drift("model_checkpoint", 1, stored)).isEmpty();

    stored.getJsonObject("metadata").put("step", -10).put("injected", true);

    assertThat(catalog.drift("model_checkpoint", 1, stored)).extracting(SchemaViolation::path)
        .containsExactlyInAnyOrder("/metadata/step", "/metadata/injected");
  }

  @Test
  void anEditedFrozenSchemaFileMakesStoredEnvelopesDriftAndChangesItsHash(@TempDir Path dir) throws IOException {
    copySchemas(dir);
    JsonObject stored = envelope(new JsonObject().put("framework", "pytorch"));
    String originalHash = SchemaCatalog.load(dir).version("model_checkpoint", 1).sha256();
    JsonObject edited = checkpointV1();
    metadataFields(edited).getJsonObject("framework").put("maxLength", 3);
    Files.writeString(dir.resolve("model_checkpoint.v1.json"), edited.encodePrettily());

    SchemaCatalog reloaded = SchemaCatalog.load(dir);

    assertThat(reloaded.drift("model_checkpoint", 1, stored)).extracting(SchemaViolation::path)
        .containsExactly("/metadata/framework");
    assertThat(reloaded.version("model_checkpoint", 1).sha256()).isNotEqualTo(originalHash);
  }

  @Test
  void driftAgainstAVersionThatDoesNotExistFails() {
    assertThatThrownBy(() -> catalog.drift("model_checkpoint", 2, envelope(new JsonObject())))
        .isInstanceOf(SchemaException.class)
        .hasMessage("artifact class 'model_checkpoint': no schema version 2 (versions 1 to 1)");
  }

  @Test
  void loadingKeepsEveryVersionAndActivatesTheNewest(@TempDir Path dir) throws IOException {
    copySchemas(dir);
    Files.writeString(dir.resolve("model_checkpoint.v2.json"), checkpointWithLearningRate().encodePrettily());

    SchemaCatalog loaded = SchemaCatalog.load(dir);

    assertThat(loaded.activeVersion("model_checkpoint")).isEqualTo(2);
    assertThat(loaded.history("model_checkpoint")).extracting(SchemaVersion::version).containsExactly(1, 2);
    assertThat(loaded.validate("model_checkpoint", envelope(new JsonObject().put("learning_rate", 0.1)))).isEmpty();
  }

  @Test
  void aDirectoryWithAStrayFileAGapOrABrokenSchemaIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    copySchemas(dir);
    Path stray = Files.writeString(dir.resolve("notes.txt"), "todo");
    assertThatThrownBy(() -> SchemaCatalog.load(dir))
        .isInstanceOf(SchemaException.class)
        .hasMessage(stray + ": not named <class>.v<version>.json");
    Files.delete(stray);

    Path v3 = Files.writeString(dir.resolve("metadata.v3.json"), checkpointWithLearningRate().encode());
    assertThatThrownBy(() -> SchemaCatalog.load(dir))
        .isInstanceOf(SchemaException.class)
        .hasMessage(dir.resolve("metadata.v2.json") + ": missing; versions of a class run 1, 2, 3, ... without gaps"
            + " (metadata has [1, 3])");
    Files.delete(v3);

    Path broken = Files.writeString(dir.resolve("metadata.v2.json"), "{\"type\": ");
    assertThatThrownBy(() -> SchemaCatalog.load(dir))
        .isInstanceOf(SchemaException.class)
        .hasMessage(broken + ": not a JSON object");

    JsonObject open = checkpointV1();
    open.getJsonObject("properties").getJsonObject("metadata").put("additionalProperties", true);
    Files.writeString(broken, open.encode());
    assertThatThrownBy(() -> SchemaCatalog.load(dir))
        .isInstanceOf(SchemaException.class)
        .hasMessageStartingWith(broken + ": /properties/metadata/additionalProperties: must be false");

    assertThatThrownBy(() -> SchemaCatalog.load(dir.resolve("absent")))
        .isInstanceOf(SchemaException.class)
        .hasMessage("schema directory " + dir.resolve("absent") + ": cannot be listed (NoSuchFileException)");
  }

  static void copySchemas(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(SCHEMAS)) {
      for (Path file : files.toList()) {
        Files.copy(file, dir.resolve(file.getFileName()));
      }
    }
  }
}
