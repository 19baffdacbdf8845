package dev.bucket.logging;

import dev.bucket.limit.Gcra;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A budget of log lines per second for what can repeat at request rate (client faults, refused commits), so that a
 * flood of one failure cannot fill the log disk. The lines left out are counted, and the count goes out with the next
 * line. Safe from any thread.
 */
public final class LogBudget {

  private final Gcra budget;
  private final AtomicLong skipped = new AtomicLong();

  public LogBudget(int linesPerSecond) {
    budget = new Gcra(linesPerSecond, linesPerSecond, System::nanoTime);
  }

  /**
   * Null when the budget is spent (the line is counted as left out); otherwise the suffix to end the line with: empty,
   * or how many lines were left out since the last one.
   */
  public String admit() {
    if (!budget.tryAcquire(System.nanoTime())) {
      skipped.incrementAndGet();
      return null;
    }
    long left = skipped.getAndSet(0);
    return left == 0 ? "" : "; " + left + " more not logged";
  }
}
