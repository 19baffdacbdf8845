package dev.bucket.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;

/**
 * Records Vert.x's blocked-thread warnings ({@code BlockedThreadChecker}: an event loop held longer than
 * {@code maxEventLoopExecuteTime}, set in {@code src/test/resources/vertx-options.json}). Attached by
 * {@code logback-test.xml}; {@link TestNode#close()} fails when one was logged while its node ran.
 */
public final class BlockedThreads extends AppenderBase<ILoggingEvent> {

  private static final List<String> WARNINGS = new ArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    synchronized (WARNINGS) {
      WARNINGS.add("[" + event.getThreadName() + "] " + event.getFormattedMessage());
    }
  }

  /** How many warnings were recorded so far (a mark to compare with later). */
  public static int mark() {
    synchronized (WARNINGS) {
      return WARNINGS.size();
    }
  }

  /** The warnings recorded since {@code mark}. */
  public static List<String> since(int mark) {
    synchronized (WARNINGS) {
      return List.copyOf(WARNINGS.subList(Math.min(mark, WARNINGS.size()), WARNINGS.size()));
    }
  }
}
