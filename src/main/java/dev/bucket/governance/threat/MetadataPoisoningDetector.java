package dev.bucket.governance.threat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * T2: what metadata must not carry.
 *
 * <p>Metadata is indexed, listed, shown in consoles and handed to AI tools as context, so it gets every check:
 * structure (value and key size, nesting, key count), content (control characters, markup, prompt-injection markers)
 * and credentials. A governance request body gets the content and credential checks: it is read by people and by the
 * executor, but rule files and schemas may legitimately be large. JSON data gets only the credential checks: it is
 * the artifact itself, and a transcript quoting a jailbreak or a snippet of HTML is legitimate content, whereas a
 * credential stored in an append-only depository can never be removed again.
 *
 * <p>Credential findings are CRITICAL; all others are HIGH.
 */
public final class MetadataPoisoningDetector implements Detector {

  public static final int MAX_VALUE_BYTES = 8 * 1024;
  public static final int MAX_KEY_CHARS = 128;
  public static final int MAX_DEPTH = 8;
  public static final int MAX_KEYS = 256;

  /**
   * Phrases that try to steer an AI system that later reads the metadata, matched case-insensitively with runs of
   * whitespace read as one space. Short and specific on purpose: each false positive refuses a write.
   */
  public static final List<String> PROMPT_INJECTION_MARKERS = List.of(
      "ignore previous instructions", "ignore all previous", "ignore all prior", "ignore the above instructions",
      "disregard previous instructions", "disregard all prior", "system prompt:", "you are now",
      "<|im_start|>", "<|im_end|>", "<|system|>", "[inst]", "<<sys>>");

  /** {@code <script}, {@code javascript:} and {@code onerror=}, case-insensitive, with optional whitespace. */
  private static final Pattern SCRIPT = Pattern.compile("(?i)<\\s*script\\b|javascript\\s*:|\\bonerror\\s*=");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private enum Scope {
    METADATA(true, true), GOVERNANCE(false, true), DATA(false, false);

    final boolean structure;
    final boolean content;

    Scope(boolean structure, boolean content) {
      this.structure = structure;
      this.content = content;
    }
  }

  @Override
  public List<Finding> inspect(WriteInspection in) {
    Findings out = new Findings();
    scan(in.metadata(), "$.metadata", Scope.METADATA, out);
    if (in.governance() != null) {
      scan(in.governance().body(), "$", Scope.GOVERNANCE, out);
    }
    if (in.data() != null) {
      scan(in.data(), "$.data", Scope.DATA, out);
    }
    return out.list();
  }

  private static void scan(Object root, String rootPath, Scope scope, Findings out) {
    int[] keys = {0};
    boolean[] tooDeep = {false};
    JsonWalk.walk(root, rootPath, node -> {
      if (node.key() != null) {
        keys[0]++;
        checkText(node.key(), "key", node.path(), scope, out);
        if (scope.structure && node.key().length() > MAX_KEY_CHARS) {
          out.add(high("oversize_key", node.path(), "a key of " + node.key().length() + " characters at " + node.path()
              + "; the limit is " + MAX_KEY_CHARS));
        }
      }
      boolean container = node.value() instanceof JsonObject || node.value() instanceof JsonArray;
      if (scope.structure && container && !tooDeep[0] && node.depth() + 1 > MAX_DEPTH) {
        tooDeep[0] = true;
        out.add(high("deep_nesting", node.path(), "the metadata nests deeper than " + MAX_DEPTH + " levels at "
            + node.path()));
      }
      if (node.value() instanceof String value) {
        checkText(value, "value", node.path(), scope, out);
        if (scope.structure && longerThan(value, MAX_VALUE_BYTES)) {
          out.add(high("oversize_value", node.path(), "a value longer than " + MAX_VALUE_BYTES + " bytes at "
              + node.path()));
        }
        if (node.key() != null && Credentials.namesSecret(node.key()) && Credentials.holdsSecret(value)) {
          out.add(new Finding(Threat.T2, Credentials.SECRET_FIELD, Severity.CRITICAL, node.path(),
              "a non-empty value under a password or secret key at " + node.path() + " (value not shown)"));
        }
      }
    });
    if (scope.structure && keys[0] > MAX_KEYS) {
      out.add(high("too_many_keys", rootPath, "the metadata holds " + keys[0] + " keys in all; the limit is "
          + MAX_KEYS));
    }
  }

  /** Checks shared by keys and string values: {@code what} says which, for the detail. */
  private static void checkText(String text, String what, String path, Scope scope, Findings out) {
    if (scope.content) {
      int control = firstControlCharacter(text);
      if (control >= 0) {
        out.add(high("control_characters", path, String.format("a control character (U+%04X) in a %s at %s",
            control, what, path)));
      }
      if (SCRIPT.matcher(text).find()) {
        out.add(high("script_injection", path, "a script marker (<script, javascript: or onerror=) in a " + what
            + " at " + path));
      }
      String normalised = WHITESPACE.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ");
      PROMPT_INJECTION_MARKERS.stream().filter(normalised::contains).findFirst().ifPresent(marker ->
          out.add(high("prompt_injection", path, "a prompt-injection marker ('" + marker + "') in a " + what + " at "
              + path)));
    }
    for (Credentials.Rule rule : Credentials.matching(text)) {
      out.add(new Finding(Threat.T2, rule.pattern(), Severity.CRITICAL, path, "a " + what + " matching credential "
          + "pattern " + rule.pattern() + " (" + rule.label() + ") at " + path + " (value not shown)"));
    }
  }

  /**
   * The first character that has no place in metadata, or -1: C0 and C1 controls other than tab, line feed and
   * carriage return, and the bidirectional overrides and isolates that make text display differently from what it
   * is.
   */
  private static int firstControlCharacter(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r';
      boolean bidi = (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
      if (control || bidi) {
        return c;
      }
    }
    return -1;
  }

  /** UTF-8 length above {@code limit}, without encoding strings that cannot be (3 bytes per char at most). */
  private static boolean longerThan(String value, int limit) {
    return value.length() > limit
        || value.length() > limit / 3 && value.getBytes(StandardCharsets.UTF_8).length > limit;
  }

  private static Finding high(String pattern, String path, String detail) {
    return new Finding(Threat.T2, pattern, Severity.HIGH, path, detail);
  }
}
