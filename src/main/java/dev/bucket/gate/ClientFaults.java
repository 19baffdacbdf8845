package dev.bucket.gate;

import dev.bucket.logging.LogBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of what clients get wrong: broken framing, connections dropped mid-request, requests cut off for being too
 * slow. Each is one line without a stack trace (the client gets its problem answer; a trace would only say where
 * Netty noticed), and at most {@link #LINES_PER_SECOND} lines a second are written, so one client cannot fill the log
 * disk: the lines left out are counted and the count goes out with the next line. Stack traces are for bugs.
 */
final class ClientFaults {

  static final int LINES_PER_SECOND = 5;
  private static final Logger LOG = LoggerFactory.getLogger(ClientFaults.class);

  private final LogBudget budget = new LogBudget(LINES_PER_SECOND);

  /** One line: what happened ({@code what}) and the failure's own message, never its trace. */
  void log(String what, Throwable cause) {
    if (cause instanceof io.netty.handler.codec.PrematureChannelClosureException
        || cause instanceof java.net.SocketException) {
      gone(what, cause); // the client hung up (or reset) before sending a whole head: nothing it did wrong to note
      return;
    }
    String more = budget.admit();
    if (more != null) {
      LOG.info("client fault: {}{}{}", what, cause == null ? "" : " (" + describe(cause) + ")", more);
    }
  }

  /**
   * A client that left before its answer: routine (and when it broke the framing, {@link #log} has the line already),
   * so only a debug line.
   */
  void gone(String what, Throwable cause) {
    LOG.debug("client gone: {} ({})", what, cause == null ? "closed" : describe(cause));
  }

  /** What went wrong, for the client: the first message of the failure's chain, one line, without class names. */
  static String reason(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        String line = t.getMessage().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
      }
    }
    return "malformed";
  }

  /** The failure and its causes as one line: class names and messages. */
  private static String describe(Throwable cause) {
    StringBuilder line = new StringBuilder();
    for (Throwable t = cause; t != null && line.length() < 300; t = t.getCause() == t ? null : t.getCause()) {
      if (!line.isEmpty()) {
        line.append(" <- ");
      }
      line.append(t.getClass().getSimpleName());
      if (t.getMessage() != null) {
        line.append(": ").append(t.getMessage().lines().findFirst().orElse(""));
      }
    }
    return line.toString();
  }
}
