package dev.bucket.audit;

/**
 * Outcome of {@link ChainVerifier#verify}: either every entry checked out, or the first problem found.
 *
 * @param checked       entries verified before the problem (all of them when ok)
 * @param firstBadIndex the entry the problem was found at, or null when ok
 * @param problem       null when ok, else one of {@code gap}, {@code malformed}, {@code index_mismatch},
 *                      {@code entry_hash_mismatch}, {@code prev_hash_mismatch}, {@code head_mismatch}
 * @param detail        a sentence for a human, naming the entry
 */
public record ChainReport(boolean ok, long checked, Long firstBadIndex, String problem, String detail) {

  /** The report as the API shows it. */
  public io.vertx.core.json.JsonObject toJson() {
    return new io.vertx.core.json.JsonObject()
        .put("ok", ok)
        .put("checked", checked)
        .put("first_bad_index", firstBadIndex)
        .put("problem", problem)
        .put("detail", detail);
  }

  public static ChainReport ok(long checked) {
    return new ChainReport(true, checked, null, null, "all " + checked + " entries verified");
  }

  public static ChainReport bad(long checked, Long firstBadIndex, String problem, String detail) {
    return new ChainReport(false, checked, firstBadIndex, problem, detail);
  }
}
