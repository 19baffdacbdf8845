package dev.bucket.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The API's OpenAPI 3.1 document. Its source is docs/openapi.yaml, which the build packs into the jar as
 * {@value #RESOURCE}; the gateway serves it as JSON at {@value #PATH}, converted once per process before the gates
 * start.
 */
public final class ApiContract {

  public static final String PATH = "/openapi.json";
  public static final String RESOURCE = "openapi.yaml";

  private static Buffer json;

  private ApiContract() {
  }

  /** The document as JSON. Blocking the first time (it reads and converts the YAML): call it off the event loop. */
  public static synchronized Buffer json() {
    if (json == null) {
      try (InputStream yaml = ApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (yaml == null) {
          throw new IllegalStateException(RESOURCE + " is missing from the classpath (the build copies docs/"
              + RESOURCE + ")");
        }
        json = Buffer.buffer(new ObjectMapper().writeValueAsBytes(new YAMLMapper().readTree(yaml)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + RESOURCE, e);
      }
    }
    return json;
  }
}
