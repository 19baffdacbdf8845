package dev.bucket.loadtest;

import io.gatling.javaapi.core.Session;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts one kind of request (say "write") per {@link Window} slice and per outcome, with millisecond latency
 * histograms of accepted and of rate-limited answers. Gatling's own statistics cannot tell a 429 from a 201 once
 * both are accepted by a check, nor give exact counts for a window, so every request records itself here from the
 * status and response time its checks saved in the session.
 */
final class Tally {

  enum Outcome {
    ACCEPTED("accepted"), LIMITED("429"), UNAVAILABLE("503"), SERVER_ERROR("other 5xx"), UNEXPECTED("other status"),
    CHECK_FAILED("failed check"), NO_RESPONSE("no answer");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  static final String SENT = "lt.sent";
  static final String STATUS = "lt.status";
  static final String RESPONSE_TIME = "lt.rt";
  static final String SLICE = "lt.slice";

  final String label;
  final Window window;
  private final Set<Integer> acceptedStatuses;
  private final Slice[] slices;
  private final LongAdder stamped = new LongAdder();
  private final LongAdder recorded = new LongAdder();

  Tally(String label, Window window, Set<Integer> acceptedStatuses) {
    this.label = label;
    this.window = window;
    this.acceptedStatuses = acceptedStatuses;
    this.slices = new Slice[window.count()];
    for (int i = 0; i < slices.length; i++) {
      slices[i] = new Slice();
    }
  }

  /** Before the request: when it is sent and in which slice (the request's name carries the slice's name). */
  Session stamp(Session session) {
    long now = System.currentTimeMillis();
    stamped.increment();
    return session.set(SENT, now).set(SLICE, window.slice(now));
  }

  /** The request name for the session's slice, e.g. "measure: write". */
  String requestName(Session session) {
    return window.name(session.getInt(SLICE)) + ": " + label;
  }

  /** After the request: classifies it from the saved status (absent: no answer) and records its latency. */
  Session record(Session session) {
    Slice slice = slices[session.getInt(SLICE)];
    Integer status = session.contains(STATUS) ? session.getIntegerWrapper(STATUS) : null;
    long rt = session.contains(RESPONSE_TIME) ? session.getInt(RESPONSE_TIME)
        : System.currentTimeMillis() - session.getLong(SENT);
    Outcome outcome;
    if (status == null) {
      outcome = Outcome.NO_RESPONSE;
    } else if (acceptedStatuses.contains(status)) {
      outcome = session.isFailed() ? Outcome.CHECK_FAILED : Outcome.ACCEPTED;
    } else if (status == 429) {
      outcome = session.isFailed() ? Outcome.CHECK_FAILED : Outcome.LIMITED;
    } else if (status == 503) {
      outcome = Outcome.UNAVAILABLE;
    } else if (status >= 500) {
      outcome = Outcome.SERVER_ERROR;
    } else {
      outcome = Outcome.UNEXPECTED;
    }
    slice.counts[outcome.ordinal()].increment();
    if (outcome == Outcome.ACCEPTED) {
      slice.accepted.add(rt);
    } else if (outcome == Outcome.LIMITED) {
      slice.limited.add(rt);
    }
    recorded.increment();
    return session;
  }

  /** Requests sent and not yet recorded. */
  long inFlight() {
    return stamped.sum() - recorded.sum();
  }

  long count(int slice, Outcome outcome) {
    return slices[slice].counts[outcome.ordinal()].sum();
  }

  long offered(int slice) {
    long sum = 0;
    for (LongAdder adder : slices[slice].counts) {
      sum += adder.sum();
    }
    return sum;
  }

  /** Requests that were neither accepted nor rate-limited (429). */
  long failures(int slice) {
    return offered(slice) - count(slice, Outcome.ACCEPTED) - count(slice, Outcome.LIMITED);
  }

  double rate(int slice, long count) {
    long millis = window.millis(slice);
    return millis == 0 ? Double.NaN : count * 1000.0 / millis;
  }

  Histogram accepted(int slice) {
    return slices[slice].accepted;
  }

  Histogram limited(int slice) {
    return slices[slice].limited;
  }

  /** One line for a slice, e.g. for the summary printed after the run. */
  String line(int slice) {
    StringBuilder out = new StringBuilder(String.format("%-8s %-9s", label, window.name(slice)));
    long offered = offered(slice);
    boolean timed = window.millis(slice) > 0;
    out.append(String.format(" %8d sent", offered));
    if (timed) {
      out.append(String.format(" (%.1f/s), accepted %.1f/s", rate(slice, offered),
          rate(slice, count(slice, Outcome.ACCEPTED))));
    } else {
      out.append(String.format(", accepted %d", count(slice, Outcome.ACCEPTED)));
    }
    for (Outcome outcome : Outcome.values()) {
      long n = count(slice, outcome);
      if (outcome != Outcome.ACCEPTED && n > 0) {
        out.append(", ").append(outcome.label).append(' ').append(n);
      }
    }
    out.append(" | accepted ").append(slices[slice].accepted.summary());
    if (count(slice, Outcome.LIMITED) > 0) {
      out.append(" | 429 ").append(slices[slice].limited.summary());
    }
    return out.toString();
  }

  private static final class Slice {
    final LongAdder[] counts = new LongAdder[Outcome.values().length];
    final Histogram accepted = new Histogram();
    final Histogram limited = new Histogram();

    Slice() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }
  }

  /** Millisecond buckets up to 60 s (the last bucket holds anything slower). */
  static final class Histogram {
    private static final int MAX = 60_000;
    private final AtomicLongArray buckets = new AtomicLongArray(MAX + 1);

    void add(long millis) {
      buckets.incrementAndGet((int) Math.max(0, Math.min(MAX, millis)));
    }

    long count() {
      long n = 0;
      for (int i = 0; i <= MAX; i++) {
        n += buckets.get(i);
      }
      return n;
    }

    /** The smallest millisecond value at or below which {@code percent} % of the samples lie; -1 when empty. */
    long percentile(double percent) {
      long n = count();
      if (n == 0) {
        return -1;
      }
      long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * n));
      long seen = 0;
      for (int i = 0; i <= MAX; i++) {
        seen += buckets.get(i);
        if (seen >= rank) {
          return i;
        }
      }
      return MAX;
    }

    long max() {
      for (int i = MAX; i >= 0; i--) {
        if (buckets.get(i) > 0) {
          return i;
        }
      }
      return -1;
    }

    String summary() {
      if (count() == 0) {
        return "none";
      }
      return String.format("p50 %d ms, p99 %d ms, max %d ms", percentile(50), percentile(99), max());
    }
  }
}
