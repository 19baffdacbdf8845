package dev.bucket.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;
import dev.bucket.gate.ApiContract;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * docs/openapi.yaml as the tests read it (from the classpath, as the jar carries it): its operations, and the check
 * every response the shared {@link Api} client receives goes through, so the document cannot drift from what the
 * gateway answers. JSON bodies are validated against the response's schema with networknt's json-schema-validator
 * in the OpenAPI 3.1 dialect (vertx-openapi 5.0 refuses documents that declare application/problem+json).
 */
public final class Contract {

  private static final String LOCATION = "classpath:" + ApiContract.RESOURCE;
  private static final Set<String> METHODS = Set.of("get", "head", "post", "put", "patch", "delete", "options");
  private static final JsonNode DOCUMENT = load();
  private static final List<Template> TEMPLATES = templates();
  private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
      builder -> builder.metaSchema(OpenApi31.getInstance()).defaultMetaSchemaIri(OpenApi31.getInstance().getIri()));
  private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().build();
  /**
   * Every JSON body schema of the document, by its JSON pointer, compiled up front: compiling one costs a noticeable
   * share of this 2-core machine, which must not be taken in the middle of a test's timed load.
   */
  private static final Map<String, JsonSchema> COMPILED = compileAll();

  private record Template(String path, Pattern pattern, int literals) {
  }

  private Contract() {
  }

  public static JsonNode document() {
    return DOCUMENT;
  }

  /** Every operation of the document as {@code METHOD /path/{param}}. */
  public static Set<String> operations() {
    Set<String> operations = new TreeSet<>();
    DOCUMENT.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
      if (METHODS.contains(operation.getKey())) {
        operations.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }));
    return operations;
  }

  /**
   * Fails with an {@link AssertionError} naming the difference when {@code response} to {@code method uri} is not
   * one the document allows: an undocumented operation or status, a media type the response does not declare, or a
   * JSON body its schema refuses. A request the document has no operation for must be answered with a problem.
   */
  public static void check(HttpMethod method, String uri, HttpResponse<Buffer> response) {
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    String what = method + " " + uri + " → " + response.statusCode();
    JsonNode operation = operation(method, path);
    if (operation == null) {
      // No such operation: the router refused it (404, 405), or authentication did first (401).
      requireProblem(what, response);
      return;
    }
    JsonNode answers = operation.path("responses");
    String status = Integer.toString(response.statusCode());
    String key = answers.has(status) ? status : answers.has(status.charAt(0) + "XX") ? status.charAt(0) + "XX"
        : answers.has("default") ? "default" : null;
    if (key == null) {
      throw new AssertionError(what + ": docs/openapi.yaml has no response " + status + " for this operation"
          + " (it lists " + fieldNames(answers) + "): " + response.bodyAsString());
    }
    JsonNode answer = resolve(answers.path(key));
    requireHeaders(what, answer, response);
    Buffer body = response.body();
    if (body == null || body.length() == 0 || method == HttpMethod.HEAD) {
      return;
    }
    String mediaType = mediaType(response);
    JsonNode content = answer.path("content");
    String declared = content.has(mediaType) ? mediaType
        : content.has(mediaType.replaceAll("/.*", "/*")) ? mediaType.replaceAll("/.*", "/*")
        : content.has("*/*") ? "*/*" : null;
    if (declared == null) {
      throw new AssertionError(what + ": response " + key + " of docs/openapi.yaml declares no body of type "
          + mediaType + " (it declares " + fieldNames(content) + ")");
    }
    if (isJson(declared) && content.path(declared).has("schema")) {
      String pointer = "/paths/" + escape(templateOf(path)) + "/" + method.name().toLowerCase(Locale.ROOT)
          + "/responses/" + key + "/content/" + escape(declared) + "/schema";
      validate(what, content.path(declared).path("schema"), pointer, body);
    }
  }

  /** The headers the response declares required are present and match their schema. */
  private static void requireHeaders(String what, JsonNode answer, HttpResponse<Buffer> response) {
    answer.path("headers").properties().forEach(declared -> {
      JsonNode header = resolve(declared.getValue());
      String value = response.getHeader(declared.getKey());
      if (value == null && header.path("required").asBoolean()) {
        throw new AssertionError(what + ": the answer lacks the header " + declared.getKey()
            + " that docs/openapi.yaml requires");
      }
      if (value != null && header.path("schema").has("pattern")
          && !Pattern.compile(header.path("schema").path("pattern").asText()).matcher(value).find()) {
        throw new AssertionError(what + ": header " + declared.getKey() + " '" + value + "' does not match "
            + header.path("schema").path("pattern").asText());
      }
    });
  }

  private static void requireProblem(String what, HttpResponse<Buffer> response) {
    if (response.statusCode() < 400 || !"application/problem+json".equals(mediaType(response))) {
      throw new AssertionError(what + ": docs/openapi.yaml has no such operation, and the answer is not a problem:"
          + " " + response.bodyAsString());
    }
    requireHeaders(what, DOCUMENT.at("/components/responses/Problem"), response);
    validate(what, DOCUMENT.at("/components/schemas/Problem"), "/components/schemas/Problem", response.body());
  }

  private static void validate(String what, JsonNode schema, String pointer, Buffer body) {
    JsonSchema compiled = COMPILED.computeIfAbsent(pointer, p -> compile(schema));
    Set<ValidationMessage> errors;
    try {
      errors = compiled.validate(new com.fasterxml.jackson.databind.ObjectMapper().readTree(body.getBytes()));
    } catch (IOException e) {
      throw new AssertionError(what + ": the body is not JSON: " + body, e);
    }
    if (!errors.isEmpty()) {
      throw new AssertionError(what + ": the body does not match docs/openapi.yaml#" + pointer + ": " + errors
          + "\n" + body);
    }
  }

  private static JsonSchema compile(JsonNode schema) {
    JsonSchema compiled = SCHEMAS.getSchema(SchemaLocation.of(LOCATION), withComponents(schema), CONFIG);
    compiled.initializeValidators(); // references too, now rather than on the first validation
    return compiled;
  }

  private static Map<String, JsonSchema> compileAll() {
    Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();
    compiled.put("/components/schemas/Problem", compile(DOCUMENT.at("/components/schemas/Problem")));
    DOCUMENT.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation ->
        operation.getValue().path("responses").properties().forEach(answer ->
            resolve(answer.getValue()).path("content").properties().forEach(media -> {
              if (isJson(media.getKey()) && media.getValue().has("schema")) {
                compiled.put("/paths/" + escape(path.getKey()) + "/" + operation.getKey() + "/responses/"
                    + answer.getKey() + "/content/" + escape(media.getKey()) + "/schema",
                    compile(media.getValue().path("schema")));
              }
            }))));
    return compiled;
  }

  /**
   * A copy of a schema taken out of the document, carrying the document's {@code components} so that its references
   * ({@code #/components/schemas/...}) resolve within it.
   */
  private static JsonNode withComponents(JsonNode schema) {
    ObjectNode copy = (ObjectNode) schema.deepCopy();
    copy.set("components", DOCUMENT.get("components"));
    return copy;
  }

  private static JsonNode operation(HttpMethod method, String path) {
    String template = templateOf(path);
    return template == null ? null
        : DOCUMENT.path("paths").path(template).get(method.name().toLowerCase(Locale.ROOT));
  }

  /** The document's path that {@code path} is an instance of; a literal segment beats a parameter. */
  private static String templateOf(String path) {
    return TEMPLATES.stream().filter(t -> t.pattern().matcher(path).matches())
        .max(Comparator.comparingInt(Template::literals)).map(Template::path).orElse(null);
  }

  private static JsonNode resolve(JsonNode node) {
    return node.has("$ref") ? DOCUMENT.at(node.get("$ref").asText().substring(1)) : node;
  }

  private static String mediaType(HttpResponse<Buffer> response) {
    String type = response.getHeader("Content-Type");
    return type == null ? "" : type.replaceAll(";.*", "").trim().toLowerCase(Locale.ROOT);
  }

  private static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  private static String escape(String pointerToken) {
    return pointerToken.replace("~", "~0").replace("/", "~1");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode load() {
    try (InputStream yaml = Contract.class.getClassLoader().getResourceAsStream(ApiContract.RESOURCE)) {
      return new YAMLMapper().readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Template> templates() {
    List<Template> templates = new ArrayList<>();
    DOCUMENT.path("paths").fieldNames().forEachRemaining(path -> {
      StringBuilder regex = new StringBuilder();
      int literals = 0;
      for (String segment : path.substring(1).split("/", -1)) {
        boolean parameter = segment.startsWith("{") && segment.endsWith("}");
        regex.append('/').append(parameter ? "[^/]+" : Pattern.quote(segment));
        literals += parameter ? 0 : 1;
      }
      templates.add(new Template(path, Pattern.compile(regex.toString()), literals));
    });
    return templates;
  }
}
