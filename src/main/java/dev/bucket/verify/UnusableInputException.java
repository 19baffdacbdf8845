package dev.bucket.verify;

/** An input cannot be used at all (unreadable file, malformed JSON, bad key): exit code 2, no step runs. */
public final class UnusableInputException extends Exception {

  public UnusableInputException(String message) {
    super(message);
  }

  public UnusableInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
