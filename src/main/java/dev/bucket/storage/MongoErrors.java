package dev.bucket.storage;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;

/** Classifies MongoDB driver failures the same way for every collection. */
public final class MongoErrors {

  private MongoErrors() {
  }

  /** A unique index refused the insert: the write lost a race or repeats an existing key. */
  public static boolean isDuplicateKey(Throwable e) {
    return e instanceof MongoException me && ErrorCategory.fromErrorCode(me.getCode()) == ErrorCategory.DUPLICATE_KEY;
  }

  /**
   * The store could not be reached or did not answer in time (a socket failure or timeout, or the driver's pool
   * paused after one): the request may succeed if retried, so it is a 503, not an internal error.
   */
  public static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MongoSocketException || t instanceof MongoTimeoutException
          || t instanceof MongoConnectionPoolClearedException) {
        return true;
      }
    }
    return false;
  }
}
