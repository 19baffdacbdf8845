package dev.bucket.governance.threat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Visits every value of a JSON tree in document order, with its JSON path. Iterative rather than recursive: JSON data
 * may nest far deeper than metadata, and a hostile body must not be able to overflow the stack.
 */
final class JsonWalk {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}");
  private static final Pattern PRINTABLE = Pattern.compile("[\\x20-\\x7e]{1,64}");
  static final String REDACTED_KEY = "['<redacted>']";

  /**
   * A visited value.
   *
   * @param key   its field name when it is an object member, else null
   * @param depth how many containers enclose it (the root has 0)
   */
  record Node(String path, String key, Object value, int depth) {
  }

  private JsonWalk() {
  }

  static void walk(Object root, String rootPath, Consumer<Node> visitor) {
    Deque<Node> stack = new ArrayDeque<>();
    stack.push(new Node(rootPath, null, root, 0));
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      visitor.accept(node);
      List<Node> children = new ArrayList<>();
      if (node.value() instanceof JsonObject object) {
        for (String key : object.fieldNames()) {
          children.add(new Node(child(node.path(), key), key, object.getValue(key), node.depth() + 1));
        }
      } else if (node.value() instanceof JsonArray array) {
        for (int i = 0; i < array.size(); i++) {
          children.add(new Node(node.path() + "[" + i + "]", null, array.getValue(i), node.depth() + 1));
        }
      }
      for (int i = children.size() - 1; i >= 0; i--) {
        stack.push(children.get(i));
      }
    }
  }

  /**
   * The path of member {@code key} of the value at {@code parent}. A key is part of the request too: one that holds
   * a credential, a control character or just a lot of text is shown as {@code ['<redacted>']}, so a path can always
   * be printed and logged.
   */
  static String child(String parent, String key) {
    if (Credentials.anyMatch(key)) {
      return parent + REDACTED_KEY;
    }
    if (IDENTIFIER.matcher(key).matches()) {
      return parent + "." + key;
    }
    if (PRINTABLE.matcher(key).matches()) {
      return parent + "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }
    return parent + REDACTED_KEY;
  }
}
