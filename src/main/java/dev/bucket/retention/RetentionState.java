package dev.bucket.retention;

import dev.bucket.time.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Where an artifact version's retention stands: the fold of its creation time, its product's policy and its
 * {@link RetentionEvent}s. Immutable; {@link #apply} returns the next state.
 *
 * @param retainUntil the version may not be tombstoned before this instant
 * @param hold the legal hold in force, or null
 * @param tombstone the tombstone, or null while the version is live
 * @param lastSeq the number of events folded in, so the next event is {@code lastSeq + 1}
 */
public record RetentionState(String artifactKey, Instant createdAt, Instant retainUntil, Hold hold,
                             Tombstone tombstone, int lastSeq) {

  /** A legal hold: set at {@code since} by {@code actor}. */
  public record Hold(Instant since, String actor, String reason) {
    public JsonObject toJson() {
      return new JsonObject().put("since", Timestamps.format(since)).put("actor", actor).put("reason", reason);
    }
  }

  /** The record a tombstoned version keeps: its metadata, hash and log entries stay, its bytes are purged. */
  public record Tombstone(Instant at, String actor, String reason) {
    public JsonObject toJson() {
      return new JsonObject().put("at", Timestamps.format(at)).put("actor", actor).put("reason", reason);
    }
  }

  public RetentionState {
    Objects.requireNonNull(artifactKey, "artifactKey");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(retainUntil, "retainUntil");
  }

  /** A version with no events yet. */
  public static RetentionState initial(String artifactKey, Instant createdAt, Instant retainUntil) {
    return new RetentionState(artifactKey, createdAt.truncatedTo(ChronoUnit.MILLIS),
        retainUntil.truncatedTo(ChronoUnit.MILLIS), null, null, 0);
  }

  /** The state after {@code events}, starting from the policy's default retain-until. */
  public static RetentionState fold(String artifactKey, Instant createdAt, RetentionPolicy policy,
                                    List<RetentionEvent> events) {
    return fold(artifactKey, createdAt, policy.defaultRetainUntil(createdAt), events);
  }

  /**
   * The state after {@code events}, in any order, starting from {@code initialRetainUntil}. Fails on a history that
   * no sequence of allowed changes produces (a gap in the numbers, another version's event, an event after the
   * tombstone): such a history was not written by this code and must not be acted on.
   */
  public static RetentionState fold(String artifactKey, Instant createdAt, Instant initialRetainUntil,
                                    List<RetentionEvent> events) {
    RetentionState state = initial(artifactKey, createdAt, initialRetainUntil);
    for (RetentionEvent event : events.stream().sorted(Comparator.comparingInt(RetentionEvent::seq)).toList()) {
      state = state.apply(event);
    }
    return state;
  }

  /** The state after one more event, which must be the next one of this version. */
  public RetentionState apply(RetentionEvent event) {
    if (!event.artifactKey().equals(artifactKey)) {
      throw new IllegalStateException("event " + event.id() + " is not about " + artifactKey);
    }
    if (event.seq() != lastSeq + 1) {
      throw new IllegalStateException("event " + event.id() + " follows event #" + lastSeq + " of " + artifactKey);
    }
    if (tombstone != null) {
      throw new IllegalStateException("event " + event.id() + " follows the tombstone of " + artifactKey);
    }
    int seq = event.seq();
    return switch (event.type()) {
      case EXTENDED -> new RetentionState(artifactKey, createdAt,
          event.retainUntil().isAfter(retainUntil) ? event.retainUntil() : retainUntil, hold, null, seq);
      case HOLD_SET -> new RetentionState(artifactKey, createdAt, retainUntil,
          new Hold(event.at(), event.actor(), event.reason()), null, seq);
      case HOLD_RELEASED -> new RetentionState(artifactKey, createdAt, retainUntil, null, null, seq);
      case TOMBSTONED -> new RetentionState(artifactKey, createdAt, retainUntil, hold,
          new Tombstone(event.at(), event.actor(), event.reason()), seq);
    };
  }

  public boolean legalHold() {
    return hold != null;
  }

  public boolean tombstoned() {
    return tombstone != null;
  }

  /** True while the version may not be tombstoned for its date alone ({@code now} is before retain-until). */
  public boolean retentionActive(Instant now) {
    return now.isBefore(retainUntil);
  }

  /** The next event number. */
  public int nextSeq() {
    return lastSeq + 1;
  }

  /**
   * The public representation: {@code retain_until}, {@code legal_hold} (as in the evidence bundle), the hold's
   * details when set, and the tombstone record or null.
   */
  public JsonObject toJson() {
    return new JsonObject()
        .put("retain_until", Timestamps.format(retainUntil))
        .put("legal_hold", legalHold())
        .put("hold", hold == null ? null : hold.toJson())
        .put("tombstone", tombstone == null ? null : tombstone.toJson());
  }
}
