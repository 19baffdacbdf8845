package dev.bucket.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ServerId;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class MongoErrorsTest {

  @Test
  void anUnreachableOrSlowStoreIsUnavailableNotAnInternalError() {
    ServerAddress address = new ServerAddress("127.0.0.1", 27017);
    MongoSocketReadTimeoutException timeout = new MongoSocketReadTimeoutException("read timed out", address,
        new java.net.SocketTimeoutException());
    assertThat(MongoErrors.isUnavailable(timeout)).isTrue();
    assertThat(MongoErrors.isUnavailable(new MongoTimeoutException("no server selected"))).isTrue();
    assertThat(MongoErrors.isUnavailable(new MongoConnectionPoolClearedException(
        new ServerId(new ClusterId(), address), timeout))).isTrue();
    // Wrapped, as a future's failure may be.
    assertThat(MongoErrors.isUnavailable(new CompletionException(timeout))).isTrue();
  }

  @Test
  void otherFailuresAreNotMistakenForUnavailability() {
    assertThat(MongoErrors.isUnavailable(new MongoException(11000, "E11000 duplicate key"))).isFalse();
    assertThat(MongoErrors.isUnavailable(new IllegalStateException("bug"))).isFalse();
    assertThat(MongoErrors.isUnavailable(null)).isFalse();
  }
}
