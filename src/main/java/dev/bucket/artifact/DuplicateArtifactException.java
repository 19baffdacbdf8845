package dev.bucket.artifact;

/** The version being inserted already exists: another writer (or an earlier attempt) got there first. */
public final class DuplicateArtifactException extends RuntimeException {
  public DuplicateArtifactException() {
    super("artifact version already exists", null, false, false);
  }
}
