package dev.bucket.metrics;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Proximity alerts: each limit has a level, the highest configured threshold (in percent of the limit) its reading
 * has reached. When a reading reaches a higher threshold the alert <em>fires</em> at that threshold (one event, even
 * if several thresholds were crossed at once); when it falls more than {@code hysteresis} percentage points below
 * the level's threshold the level drops to what the reading still reaches and a <em>resolved</em> event is recorded,
 * so a value hovering at a threshold does not fire on every evaluation.
 *
 * <p>Events are kept in a bounded history (oldest dropped first). Plain Java: the caller evaluates once a second
 * with fresh readings and turns the returned events into audit entries. Thread-safe.
 */
public final class AlertEvaluator {

  /** Whether an event raised a limit's level or lowered it. */
  public enum State { FIRING, RESOLVED }

  /**
   * One alert event.
   *
   * @param sequence increasing from 1 per evaluator
   * @param threshold the threshold fired at, or, for a resolution, the one left
   * @param level the limit's level after the event (0 when below every threshold)
   */
  public record Alert(long sequence, Instant at, Limit limit, State state, int threshold, int level, double current,
                      double max, double percent, String subject) {

    /** "critical" at the highest configured threshold, else "warning"; resolutions are "info". */
    public String severity(List<Integer> thresholds) {
      if (state == State.RESOLVED) {
        return "info";
      }
      return threshold >= thresholds.get(thresholds.size() - 1) ? "critical" : "warning";
    }
  }

  /** A limit at or above one of its thresholds now. */
  public record Active(Limit limit, int level, Instant since, Reading reading) {
  }

  private record Level(int threshold, Instant since) {
  }

  private final List<Integer> thresholds;
  private final int historyCapacity;
  private final double hysteresis;
  private final Map<Limit, Level> levels = new EnumMap<>(Limit.class);
  private final Map<Limit, Reading> lastReadings = new EnumMap<>(Limit.class);
  private final ArrayDeque<Alert> history = new ArrayDeque<>();
  private long sequence;
  private long evaluations;

  /**
   * @param thresholds ascending percentages, each within 1..100
   * @param historyCapacity events kept
   * @param hysteresis percentage points a reading must fall below a level's threshold to resolve it
   */
  public AlertEvaluator(List<Integer> thresholds, int historyCapacity, double hysteresis) {
    if (thresholds.isEmpty()) {
      throw new IllegalArgumentException("at least one threshold");
    }
    for (int i = 0; i < thresholds.size(); i++) {
      int t = thresholds.get(i);
      if (t < 1 || t > 100 || i > 0 && t <= thresholds.get(i - 1)) {
        throw new IllegalArgumentException("thresholds must be ascending percentages within 1..100: " + thresholds);
      }
    }
    if (historyCapacity < 1 || hysteresis < 0) {
      throw new IllegalArgumentException("history capacity ≥ 1 and hysteresis ≥ 0");
    }
    this.thresholds = List.copyOf(thresholds);
    this.historyCapacity = historyCapacity;
    this.hysteresis = hysteresis;
  }

  /** Evaluates fresh readings; returns the events they caused (also added to the history), oldest first. */
  public synchronized List<Alert> evaluate(Collection<Reading> readings, Instant now) {
    evaluations++;
    List<Alert> events = new ArrayList<>();
    for (Reading reading : readings) {
      lastReadings.put(reading.limit(), reading);
      double percent = reading.percent();
      Level current = levels.get(reading.limit());
      int level = current == null ? 0 : current.threshold();
      int reached = reached(percent, 0);
      if (reached > level) {
        levels.put(reading.limit(), new Level(reached, now));
        events.add(record(new Alert(++sequence, now, reading.limit(), State.FIRING, reached, reached,
            reading.current(), reading.max(), percent, reading.subject())));
      } else if (level > 0 && percent < level - hysteresis) {
        int remaining = reached(percent, hysteresis);
        if (remaining == 0) {
          levels.remove(reading.limit());
        } else {
          levels.put(reading.limit(), new Level(remaining, current.since()));
        }
        events.add(record(new Alert(++sequence, now, reading.limit(), State.RESOLVED, level, remaining,
            reading.current(), reading.max(), percent, reading.subject())));
      }
    }
    return events;
  }

  /**
   * The highest threshold {@code percent} reaches, allowing {@code slack} points below it (0 when none). A level
   * held with slack is one the reading has not yet fallen far enough below to leave.
   */
  private int reached(double percent, double slack) {
    int reached = 0;
    for (int t : thresholds) {
      if (percent >= t - slack) {
        reached = t;
      }
    }
    return reached;
  }

  private Alert record(Alert alert) {
    history.addLast(alert);
    while (history.size() > historyCapacity) {
      history.removeFirst();
    }
    return alert;
  }

  /** Limits at or above a threshold now, in limit order. */
  public synchronized List<Active> active() {
    List<Active> out = new ArrayList<>();
    levels.forEach((limit, level) -> out.add(new Active(limit, level.threshold(), level.since(),
        lastReadings.get(limit))));
    return out;
  }

  /** The current level of {@code limit}: the threshold it is at, 0 when below every threshold. */
  public synchronized int level(Limit limit) {
    Level level = levels.get(limit);
    return level == null ? 0 : level.threshold();
  }

  /** The newest {@code max} events, newest first. */
  public synchronized List<Alert> history(int max) {
    List<Alert> out = new ArrayList<>(Math.min(max, history.size()));
    for (Iterator<Alert> it = history.descendingIterator(); it.hasNext() && out.size() < max; ) {
      out.add(it.next());
    }
    return out;
  }

  /** Events held now (at most the capacity). */
  public synchronized int historySize() {
    return history.size();
  }

  public synchronized long evaluations() {
    return evaluations;
  }

  public List<Integer> thresholds() {
    return thresholds;
  }

  public int historyCapacity() {
    return historyCapacity;
  }

  public double hysteresis() {
    return hysteresis;
  }
}
