package dev.bucket.storage;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Writes committed together by {@link Store#commit}: all or nothing, durable when the commit succeeds. Not
 * thread-safe; build it on one thread and hand it over. Values are copied when added, so the caller may reuse them.
 */
public final class Batch {

  /** What one operation does to its key. */
  public enum Kind {
    /** Create the key; the whole batch fails with {@link KeyConflictException} if it exists. */
    INSERT,
    /** Create or replace the key's value. */
    PUT,
    /** Remove the key (absent is fine). */
    DELETE,
    /** Add each numeric field of the value to the stored counter (absent fields and keys count as 0). */
    INCREMENT
  }

  /** One operation. {@code value} is null for {@link Kind#DELETE}. */
  public record Op(Kind kind, Space space, String key, JsonObject value) {
    public Op {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(space, "space");
      Keys.requireValid(key);
      if (kind != Kind.DELETE) {
        Objects.requireNonNull(value, "value");
      }
    }
  }

  private final List<Op> ops = new ArrayList<>();

  /** Creates {@code key}; the commit fails with {@link KeyConflictException} if it already exists. */
  public Batch insert(Space space, String key, JsonObject value) {
    ops.add(new Op(Kind.INSERT, space, key, value.copy()));
    return this;
  }

  /** Creates or replaces {@code key}. */
  public Batch put(Space space, String key, JsonObject value) {
    ops.add(new Op(Kind.PUT, space, key, value.copy()));
    return this;
  }

  /** Removes {@code key}. */
  public Batch delete(Space space, String key) {
    ops.add(new Op(Kind.DELETE, space, key, null));
    return this;
  }

  /** Adds each (integral) field of {@code deltas} to the counter document at {@code key}. */
  public Batch increment(Space space, String key, JsonObject deltas) {
    for (String field : deltas.fieldNames()) {
      if (!(deltas.getValue(field) instanceof Number n) || n.doubleValue() != n.longValue()) {
        throw new IllegalArgumentException("counter delta " + field + " must be an integer");
      }
    }
    ops.add(new Op(Kind.INCREMENT, space, key, deltas.copy()));
    return this;
  }

  /** Appends every operation of {@code other}, in order. */
  public Batch addAll(Batch other) {
    ops.addAll(other.ops);
    return this;
  }

  /** Whether this batch inserts {@code key} into {@code space}: which batch a {@link KeyConflictException} refused. */
  public boolean inserts(Space space, String key) {
    for (Op op : ops) {
      if (op.kind() == Kind.INSERT && op.space() == space && op.key().equals(key)) {
        return true;
      }
    }
    return false;
  }

  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }

  public int size() {
    return ops.size();
  }
}
