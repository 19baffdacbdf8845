package dev.bucket.storage;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;

/** Classifies MongoDB driver failures the same way for every collection. */
public final class MongoErrors {

  private MongoErrors() {
  }

  /** A unique index refused the insert: the write lost a race or repeats an existing key. */
  public static boolean isDuplicateKey(Throwable e) {
    return e instanceof MongoException me && ErrorCategory.fromErrorCode(me.getCode()) == ErrorCategory.DUPLICATE_KEY;
  }
}
