package dev.bucket.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The size of a JSON object as the MongoDB client encodes it to BSON (Integer as int32, Long as int64), counted
 * without encoding it, so that a batch too large for one document is refused before anything is written.
 */
final class BsonSize {

  private BsonSize() {
  }

  static int of(JsonObject document) {
    return document(document.getMap());
  }

  private static int document(Map<String, Object> fields) {
    int size = 4 + 1; // length, terminator
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      size += element(field.getKey(), field.getValue());
    }
    return size;
  }

  private static int array(List<?> values) {
    int size = 4 + 1;
    for (int i = 0; i < values.size(); i++) {
      size += element(Integer.toString(i), values.get(i));
    }
    return size;
  }

  /** Type byte, name as a C string, value. */
  private static int element(String name, Object value) {
    return 1 + utf8(name) + 1 + value(value);
  }

  @SuppressWarnings("unchecked")
  private static int value(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof Boolean) {
      return 1;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return 4;
    }
    if (value instanceof Long || value instanceof Double || value instanceof Float) {
      return 8;
    }
    if (value instanceof JsonObject object) {
      return document(object.getMap());
    }
    if (value instanceof Map<?, ?> map) {
      return document((Map<String, Object>) map);
    }
    if (value instanceof JsonArray array) {
      return array(array.getList());
    }
    if (value instanceof List<?> list) {
      return array(list);
    }
    if (value instanceof byte[] bytes) {
      return 4 + 1 + bytes.length;
    }
    if (value instanceof Number) {
      return 16; // decimal128, the widest number
    }
    return 4 + utf8(value.toString()) + 1; // strings, and anything else the client writes as text
  }

  private static int utf8(String text) {
    int bytes = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x800) {
        bytes += Character.isSurrogate(c) ? 1 : 2; // a surrogate pair is 4 bytes for 2 chars
      } else if (c >= 0x80) {
        bytes += 1;
      }
    }
    return bytes;
  }
}
