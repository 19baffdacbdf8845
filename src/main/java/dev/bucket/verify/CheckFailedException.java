package dev.bucket.verify;

/** A verification step's check does not hold; the message says why, for a person reading the report. */
final class CheckFailedException extends Exception {

  CheckFailedException(String message) {
    super(message, null, false, false);
  }
}
