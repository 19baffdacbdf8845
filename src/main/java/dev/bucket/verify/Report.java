package dev.bucket.verify;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The steps of one verification, in order, stopping at the first that does not pass. Exit codes: 0 when every step
 * passed, 1 when a check failed, 2 when an input could not be read.
 */
public final class Report {

  public static final int PASSED = 0;
  public static final int CHECK_FAILED = 1;
  public static final int UNUSABLE_INPUT = 2;

  public enum Status {
    /** The step's check holds. */
    OK,
    /** The step's check does not hold: the evidence is wrong or tampered with. */
    FAIL,
    /** The step could not run because an input could not be read. */
    ERROR
  }

  /**
   * One step's result.
   *
   * @param detail what was established, for {@link Status#OK} (may be null); why not, otherwise
   */
  public record Step(String name, Status status, String detail) {

    /** {@code ok   <step>} (with the detail in parentheses, if any) or {@code FAIL <step>: <reason>}. */
    public String line() {
      if (status == Status.OK) {
        return "ok   " + name + (detail == null ? "" : " (" + detail + ")");
      }
      return "FAIL " + name + ": " + detail;
    }
  }

  /** One step: returns an optional detail to show when it passes, or throws to say why it does not. */
  @FunctionalInterface
  interface Check {
    String run() throws CheckFailedException, IOException;
  }

  private final List<Step> steps = new ArrayList<>();

  /**
   * Runs {@code check} as step {@code name} unless an earlier step did not pass, and records its result.
   *
   * @return whether the step passed
   */
  boolean check(String name, Check check) {
    if (!passed()) {
      return false;
    }
    try {
      steps.add(new Step(name, Status.OK, check.run()));
      return true;
    } catch (CheckFailedException e) {
      steps.add(new Step(name, Status.FAIL, e.getMessage()));
    } catch (IOException | UncheckedIOException e) {
      steps.add(new Step(name, Status.ERROR, "cannot read input: " + e.getMessage()));
    }
    return false;
  }

  public List<Step> steps() {
    return List.copyOf(steps);
  }

  /** Whether every step run so far passed (vacuously true before the first). */
  public boolean passed() {
    return steps.stream().allMatch(step -> step.status() == Status.OK);
  }

  /** The step that did not pass, if any. */
  public Optional<Step> failure() {
    return steps.stream().filter(step -> step.status() != Status.OK).findFirst();
  }

  public int exitCode() {
    return failure().map(step -> step.status() == Status.ERROR ? UNUSABLE_INPUT : CHECK_FAILED).orElse(PASSED);
  }

  public void print(PrintWriter out) {
    steps.forEach(step -> out.println(step.line()));
    out.flush();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    steps.forEach(step -> text.append(step.line()).append('\n'));
    return text.toString();
  }
}
