package dev.bucket.storage;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * Unique-index keys of the embedded store. H2's default type orders keys it does not know by comparing their Java
 * serialisations, so every step of every index lookup serialised two keys: half the embedded server's CPU on the
 * write path. This type orders keys ({@link KeyValue}s, normalised by the index before they get here) value by value
 * in MongoDB's BSON comparison order, so keys that order as equal are exactly the keys MongoDB treats as duplicates,
 * and stores them as BSON documents {@code {"0": v0, "1": v1, ...}}.
 */
final class IndexKeyType extends BasicDataType<KeyValue> {

  /** Without list handling, lists compare element by element: a total order rather than MongoDB's sort order. */
  private static final Comparator<Object> VALUES = ValueComparator.ascWithoutListHandling();

  @Override
  public int compare(KeyValue a, KeyValue b) {
    int common = Math.min(a.size(), b.size());
    for (int i = 0; i < common; i++) {
      int order = VALUES.compare(a.get(i), b.get(i));
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  @Override
  public int getMemory(KeyValue key) {
    int sum = 40;
    for (Object value : key) {
      sum += 8 + BsonBytes.memory(value);
    }
    return sum;
  }

  @Override
  public void write(WriteBuffer out, KeyValue key) {
    Document document = new Document();
    for (int i = 0; i < key.size(); i++) {
      document.put(Integer.toString(i), key.get(i));
    }
    BsonBytes.write(out, document);
  }

  @Override
  public KeyValue read(ByteBuffer in) {
    return new KeyValue(new ArrayList<>(BsonBytes.read(in).values()));
  }

  @Override
  public KeyValue[] createStorage(int size) {
    return new KeyValue[size];
  }
}
