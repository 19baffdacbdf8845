package dev.bucket.governance.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * The frozen JSON Schemas (draft 2020-12) of every artifact class, each validating the write envelope
 * {@code {"metadata": {...}, "data": ...}}. A class's versions are 1, 2, 3, ... and the newest is the active one;
 * older versions stay so that artifacts written under them can still be checked (see {@link #drift}).
 *
 * <p>A catalog never changes: {@link #activate} returns a new one. Compiled schemas are thread-safe and shared by
 * every catalog derived from the one that compiled them.
 *
 * <p>Every version, loaded or proposed, must be a valid 2020-12 schema and keep the envelope closed: no top-level
 * fields besides {@code metadata} and {@code data}, {@code additionalProperties: false} on {@code metadata} (unknown
 * fields are refused, so a schema cannot evolve silently), and the common optional metadata fields
 * {@link #COMMON_METADATA} so that a simple write works for every class.
 */
public final class SchemaCatalog {

  public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
  public static final List<String> COMMON_METADATA = List.of("source", "tags", "description", "retain_until");

  private static final Pattern CLASS = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final Pattern FILE = Pattern.compile("(" + CLASS.pattern() + ")\\.v([1-9][0-9]{0,8})\\.json");
  private static final Set<String> ENVELOPE = Set.of("metadata", "data");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  // Only the bundled meta-schemas may be loaded: a $ref to a URL would make validation reach out to the network and
  // depend on a document that is not frozen here.
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory
      .builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012))
      .schemaLoaders(loaders -> loaders.add(new AllowSchemaLoader(
          iri -> iri.toString().startsWith("classpath:draft/2020-12/"))))
      .build();
  // Format assertions on, so that retain_until and the other date-time fields must really be RFC 3339 date-times;
  // English messages whatever the JVM's locale, so that refusals read the same on every node.
  private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
      .pathType(PathType.JSON_POINTER)
      .formatAssertionsEnabled(true)
      .locale(Locale.ENGLISH)
      .build();
  private static final JsonSchema META_SCHEMA = compiled(FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012),
      CONFIG));

  private record Frozen(SchemaVersion version, JsonSchema compiled) {
  }

  /** Per class, its versions in order: index {@code v - 1} holds version {@code v}. */
  private final Map<String, List<Frozen>> classes;

  private SchemaCatalog(Map<String, List<Frozen>> classes) {
    this.classes = classes;
  }

  /** Loads every {@code <class>.v<version>.json} in {@code dir}; any other file, or a gap in versions, is an error. */
  public static SchemaCatalog load(Path dir) {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.sorted().toList();
    } catch (IOException e) {
      throw new SchemaException("schema directory " + dir + ": cannot be listed (" + e.getClass().getSimpleName()
          + ")");
    }
    Map<String, TreeMap<Integer, Frozen>> found = new TreeMap<>();
    for (Path file : files) {
      Matcher name = FILE.matcher(file.getFileName().toString());
      if (!name.matches()) {
        throw new SchemaException(file + ": not named <class>.v<version>.json");
      }
      String artifactClass = name.group(1);
      int version = Integer.parseInt(name.group(2));
      found.computeIfAbsent(artifactClass, c -> new TreeMap<>())
          .put(version, freeze(artifactClass, version, read(file), file.toString()));
    }
    Map<String, List<Frozen>> classes = new LinkedHashMap<>();
    found.forEach((artifactClass, versions) -> {
      for (int v = 1; v <= versions.lastKey(); v++) {
        if (!versions.containsKey(v)) {
          throw new SchemaException(dir.resolve(artifactClass + ".v" + v + ".json") + ": missing; versions of a class"
              + " run 1, 2, 3, ... without gaps (" + artifactClass + " has " + versions.keySet() + ")");
        }
      }
      classes.put(artifactClass, List.copyOf(versions.values()));
    });
    return new SchemaCatalog(Collections.unmodifiableMap(classes));
  }

  public Set<String> classes() {
    return classes.keySet();
  }

  public boolean has(String artifactClass) {
    return classes.containsKey(artifactClass);
  }

  /** How many versions the class has (its active version), 0 for a class without a schema yet. */
  public int knownVersions(String artifactClass) {
    return classes.getOrDefault(artifactClass, List.of()).size();
  }

  public int activeVersion(String artifactClass) {
    return versions(artifactClass).size();
  }

  /** Every version of the class, oldest first; the last is the active one. */
  public List<SchemaVersion> history(String artifactClass) {
    return versions(artifactClass).stream().map(Frozen::version).toList();
  }

  /** The metadata fields the class's active schema names (what the T3 detector compares writes against). */
  public Set<String> metadataFields(String artifactClass) {
    List<Frozen> versions = versions(artifactClass);
    JsonObject metadata = versions.get(versions.size() - 1).version().schema().getJsonObject("properties")
        .getJsonObject("metadata");
    JsonObject properties = metadata.getJsonObject("properties");
    return properties == null ? Set.of() : Set.copyOf(properties.fieldNames());
  }

  public SchemaVersion version(String artifactClass, int version) {
    return frozen(artifactClass, version).version();
  }

  /** Checks a write envelope against the class's active schema; an empty list means it conforms. */
  public List<SchemaViolation> validate(String artifactClass, JsonObject envelope) {
    List<Frozen> versions = versions(artifactClass);
    return violations(versions.get(versions.size() - 1).compiled(), node(envelope));
  }

  /**
   * Checks an envelope stored under schema {@code version} against that same version. Conforming when written, it
   * must still conform: any violation means the stored envelope or the frozen schema changed since.
   */
  public List<SchemaViolation> drift(String artifactClass, int version, JsonObject envelope) {
    return violations(frozen(artifactClass, version).compiled(), node(envelope));
  }

  /**
   * Checks a candidate for the class's next version without activating it. The class need not have a schema yet
   * (its first version is then 1).
   *
   * @throws SchemaException when the candidate is not a valid 2020-12 schema or does not keep the envelope closed
   *                         ({@link SchemaException#violations()} lists why), or is identical to the active version
   */
  public SchemaProposal propose(String artifactClass, JsonObject schema) {
    requireClassName(artifactClass);
    List<Frozen> versions = classes.getOrDefault(artifactClass, List.of());
    int next = versions.size() + 1;
    SchemaVersion candidate = freeze(artifactClass, next, schema, "proposed " + artifactClass + " v" + next).version();
    if (!versions.isEmpty() && versions.get(versions.size() - 1).version().sha256().equals(candidate.sha256())) {
      throw new SchemaException("proposed " + artifactClass + " v" + next + ": identical to the active version "
          + versions.size());
    }
    return new SchemaProposal(artifactClass, next, schema, candidate.sha256());
  }

  /** A new catalog in which the proposal is the class's active version; this catalog is unchanged. */
  public SchemaCatalog activate(SchemaProposal proposal) {
    String artifactClass = proposal.artifactClass();
    requireClassName(artifactClass);
    List<Frozen> versions = classes.getOrDefault(artifactClass, List.of());
    if (proposal.version() != versions.size() + 1) {
      throw new SchemaException("proposal " + artifactClass + " v" + proposal.version() + ": stale, the next version"
          + " of " + artifactClass + " is " + (versions.size() + 1));
    }
    Frozen frozen = freeze(artifactClass, proposal.version(), proposal.schema(),
        "proposal " + artifactClass + " v" + proposal.version());
    if (!frozen.version().sha256().equals(proposal.sha256())) {
      throw new SchemaException("proposal " + artifactClass + " v" + proposal.version() + ": sha256 does not match"
          + " its schema (changed since it was proposed?)");
    }
    List<Frozen> extended = new ArrayList<>(versions);
    extended.add(frozen);
    Map<String, List<Frozen>> next = new LinkedHashMap<>(classes);
    next.put(artifactClass, List.copyOf(extended));
    return new SchemaCatalog(Collections.unmodifiableMap(next));
  }

  private static void requireClassName(String artifactClass) {
    if (!CLASS.matcher(artifactClass).matches()) {
      throw new SchemaException("artifact class '" + artifactClass + "': not a class name (" + CLASS.pattern() + ")");
    }
  }

  private List<Frozen> versions(String artifactClass) {
    List<Frozen> versions = classes.get(artifactClass);
    if (versions == null) {
      throw new SchemaException("artifact class '" + artifactClass + "': no schema");
    }
    return versions;
  }

  private Frozen frozen(String artifactClass, int version) {
    List<Frozen> versions = versions(artifactClass);
    if (version < 1 || version > versions.size()) {
      throw new SchemaException("artifact class '" + artifactClass + "': no schema version " + version
          + " (versions 1 to " + versions.size() + ")");
    }
    return versions.get(version - 1);
  }

  /** Checks a schema document and compiles it; {@code subject} names it in the error. */
  private static Frozen freeze(String artifactClass, int version, JsonObject schema, String subject) {
    Objects.requireNonNull(schema, "schema");
    List<SchemaViolation> problems = violations(META_SCHEMA, node(schema));
    if (problems.isEmpty()) {
      problems = closedEnvelope(schema);
    }
    if (!problems.isEmpty()) {
      throw new SchemaException(subject, problems);
    }
    JsonSchema compiled;
    try {
      compiled = compiled(FACTORY.getSchema(node(schema), CONFIG));
    } catch (JsonSchemaException e) {
      throw new SchemaException(subject, List.of(new SchemaViolation("", "cannot be compiled: " + e.getMessage())));
    }
    return new Frozen(new SchemaVersion(artifactClass, version, schema, sha256(schema)), compiled);
  }

  /** The rules the meta-schema cannot express: the dialect, and an envelope closed at both levels. */
  private static List<SchemaViolation> closedEnvelope(JsonObject schema) {
    List<SchemaViolation> problems = new ArrayList<>();
    if (!DIALECT.equals(schema.getValue("$schema"))) {
      problems.add(new SchemaViolation("/$schema", "must be \"" + DIALECT + "\""));
    }
    if (!"object".equals(schema.getValue("type"))) {
      problems.add(new SchemaViolation("/type", "must be \"object\": the envelope is a JSON object"));
    }
    if (!Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
      problems.add(new SchemaViolation("/additionalProperties", "must be false: the envelope holds only metadata"
          + " and data"));
    }
    if (!(schema.getValue("required") instanceof JsonArray required) || !required.contains("metadata")) {
      problems.add(new SchemaViolation("/required", "must include \"metadata\""));
    }
    JsonObject properties = schema.getValue("properties") instanceof JsonObject p ? p : new JsonObject();
    for (String field : properties.fieldNames()) {
      if (!ENVELOPE.contains(field)) {
        problems.add(new SchemaViolation("/properties/" + escape(field), "the envelope holds only metadata and data"));
      }
    }
    if (!(properties.getValue("metadata") instanceof JsonObject metadata)) {
      problems.add(new SchemaViolation("/properties/metadata", "missing; it must describe the metadata object"));
      return problems;
    }
    if (!"object".equals(metadata.getValue("type"))) {
      problems.add(new SchemaViolation("/properties/metadata/type", "must be \"object\""));
    }
    if (!Boolean.FALSE.equals(metadata.getValue("additionalProperties"))) {
      problems.add(new SchemaViolation("/properties/metadata/additionalProperties", "must be false: unknown"
          + " metadata fields are refused, a schema never evolves silently"));
    }
    JsonObject fields = metadata.getValue("properties") instanceof JsonObject f ? f : new JsonObject();
    for (String common : COMMON_METADATA) {
      if (!fields.containsKey(common)) {
        problems.add(new SchemaViolation("/properties/metadata/properties/" + common, "missing; every class accepts"
            + " the common optional fields " + COMMON_METADATA));
      }
    }
    return problems;
  }

  private static List<SchemaViolation> violations(JsonSchema schema, JsonNode document) {
    // Distinct because the meta-schema reaches some keywords along several dynamic paths and reports each.
    Set<SchemaViolation> violations = new LinkedHashSet<>();
    for (ValidationMessage message : schema.validate(document)) {
      String path = message.getInstanceLocation().toString();
      // required and additionalProperties report the object; point at the property itself.
      if (message.getProperty() != null) {
        path += "/" + escape(message.getProperty());
      }
      violations.add(new SchemaViolation(path, message.getError()));
    }
    return List.copyOf(violations);
  }

  private static JsonSchema compiled(JsonSchema schema) {
    // Resolve every $ref now: a broken schema must fail when it is loaded or proposed, not on the first write.
    schema.initializeValidators();
    return schema;
  }

  private static JsonObject read(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new SchemaException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
    } catch (DecodeException e) {
      throw new SchemaException(file + ": not a JSON object");
    }
  }

  private static JsonNode node(JsonObject json) {
    try {
      return MAPPER.readTree(json.encode());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(JsonObject schema) {
    try {
      byte[] canonical = new JsonCanonicalizer(schema.encode()).getEncodedUTF8();
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }

  /** RFC 6901: {@code ~} and {@code /} inside a key. */
  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
