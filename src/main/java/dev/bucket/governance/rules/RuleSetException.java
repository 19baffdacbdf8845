package dev.bucket.governance.rules;

/** A rule file or rule change that cannot be accepted: the message is one line that starts with the offending key. */
public final class RuleSetException extends IllegalArgumentException {
  public RuleSetException(String message) {
    super(message);
  }
}
