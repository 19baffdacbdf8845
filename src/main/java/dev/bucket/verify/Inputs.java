package dev.bucket.verify;

import dev.bucket.transparency.NoteVerifier;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the verifiers' inputs, turning every way they can be unusable into an {@link UnusableInputException}. */
public final class Inputs {

  private Inputs() {
  }

  /**
   * The verifier key given as {@code <name>+<key ID>+<key>} or as {@code @path} of a file holding it (for instance
   * what {@code GET /v1/log/key} served).
   */
  public static NoteVerifier verifierKey(String spec) throws UnusableInputException {
    String key = spec;
    String source = "verifier key";
    if (spec.startsWith("@")) {
      source = "verifier key file " + spec.substring(1);
      key = text(Path.of(spec.substring(1)), "verifier key file");
    }
    key = key.strip();
    if (key.indexOf('\n') >= 0) {
      throw new UnusableInputException(source + " holds more than one line; expected a single verifier key");
    }
    try {
      return NoteVerifier.fromVerifierKey(key);
    } catch (IllegalArgumentException e) {
      throw new UnusableInputException(source + " is not a valid verifier key: " + e.getMessage(), e);
    }
  }

  /** The file's text, which must be UTF-8. */
  public static String text(Path file, String what) throws UnusableInputException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UnusableInputException("cannot read " + what + " " + file + ": " + describe(e), e);
    }
  }

  /** The file's content as one JSON object. */
  public static JsonObject jsonObject(Path file, String what) throws UnusableInputException {
    String text = text(file, what);
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new UnusableInputException(what + " " + file + " is not a JSON object: " + e.getMessage(), e);
    }
  }

  /** Fails unless {@code file} is a readable regular file. */
  public static void requireReadableFile(Path file, String what) throws UnusableInputException {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new UnusableInputException("cannot read " + what + " " + file + ": not a readable file");
    }
  }

  /** The exception's own words, with its type where those alone would be cryptic (e.g. a bare path). */
  static String describe(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
