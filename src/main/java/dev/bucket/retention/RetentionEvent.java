package dev.bucket.retention;

import dev.bucket.time.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;

/**
 * One change to an artifact version's retention, numbered {@code seq} = 1, 2, … per version. Events are inserted
 * once and never updated or deleted; the version's {@link RetentionState} is the fold of its events. Instants are
 * kept to the millisecond, the precision of {@link Timestamps}, so an event reads back exactly as it was written.
 *
 * @param artifactKey the version's key, {@code product/artifact/version}
 * @param at when the change was decided
 * @param actor the principal id that asked for it
 * @param reason free text from the actor; may be null
 * @param retainUntil the new retain-until instant for {@link Type#EXTENDED}, null for every other type
 */
public record RetentionEvent(Type type, String artifactKey, int seq, Instant at, String actor, String reason,
                             Instant retainUntil) {

  public enum Type {
    EXTENDED, HOLD_SET, HOLD_RELEASED, TOMBSTONED;

    /** Stored form: {@code extended}, {@code hold_set}, {@code hold_released}, {@code tombstoned}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Type fromWire(String wire) {
      for (Type type : values()) {
        if (type.wire().equals(wire)) {
          return type;
        }
      }
      throw new IllegalArgumentException("unknown retention event type: " + wire);
    }
  }

  public RetentionEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(artifactKey, "artifactKey");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    if (artifactKey.isBlank() || actor.isBlank()) {
      throw new IllegalArgumentException("artifactKey and actor must not be blank");
    }
    if (seq < 1) {
      throw new IllegalArgumentException("seq starts at 1, got " + seq);
    }
    if ((type == Type.EXTENDED) != (retainUntil != null)) {
      throw new IllegalArgumentException("exactly the EXTENDED event carries retain_until");
    }
    at = at.truncatedTo(ChronoUnit.MILLIS);
    retainUntil = retainUntil == null ? null : retainUntil.truncatedTo(ChronoUnit.MILLIS);
  }

  /** The event's name in messages: {@code <product>/<artifact>/<version>#<seq>}. */
  public String id() {
    return artifactKey + "#" + seq;
  }

  public JsonObject toDocument() {
    JsonObject doc = new JsonObject()
        .put("artifact_key", artifactKey)
        .put("seq", seq)
        .put("type", type.wire())
        .put("at", Timestamps.format(at))
        .put("actor", actor)
        .put("reason", reason);
    if (retainUntil != null) {
      doc.put("retain_until", Timestamps.format(retainUntil));
    }
    return doc;
  }

  public static RetentionEvent fromDocument(JsonObject doc) {
    String until = doc.getString("retain_until");
    return new RetentionEvent(Type.fromWire(doc.getString("type")), doc.getString("artifact_key"),
        doc.getInteger("seq"), Instant.parse(doc.getString("at")), doc.getString("actor"), doc.getString("reason"),
        until == null ? null : Instant.parse(until));
  }

  /** The public representation, for an API that lists a version's retention history. */
  public JsonObject toView() {
    return toDocument();
  }
}
