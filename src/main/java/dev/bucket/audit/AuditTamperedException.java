package dev.bucket.audit;

/**
 * A stored log entry is not what the log wrote: it cannot be read, sits at the wrong position, or its content no
 * longer matches its hash. The message names the entry.
 */
public final class AuditTamperedException extends RuntimeException {

  private final Long index;
  private final String problem;

  /**
   * @param index   the offending entry's position, or null when the document has no usable position
   * @param problem stable short code, as in {@link ChainReport#problem()}
   */
  public AuditTamperedException(Long index, String problem, String detail) {
    super(detail);
    this.index = index;
    this.problem = problem;
  }

  public Long index() {
    return index;
  }

  public String problem() {
    return problem;
  }
}
