package dev.bucket.retention;

/**
 * Concurrent changes to one version kept winning the race for the next event number, so this change gave up after a
 * bounded number of attempts without writing anything. Safe to retry.
 */
public final class RetentionConflictException extends RuntimeException {

  public RetentionConflictException(String artifactKey, int attempts) {
    super("retention of " + artifactKey + " changed concurrently " + attempts + " times in a row; nothing was "
        + "written, retry", null, false, false);
  }
}
