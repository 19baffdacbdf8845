package dev.bucket.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bucket.governance.Principal;
import dev.bucket.governance.Role;
import dev.bucket.storage.KeyConflictException;
import dev.bucket.storage.RocksStore;
import dev.bucket.storage.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Keys and principals over one store shared by several nodes. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class PrincipalRegistryTest {

  @TempDir
  Path dir;

  Store store;
  PrincipalRegistry one;
  PrincipalRegistry two;

  @BeforeEach
  void openStore(Vertx vertx) {
    store = RocksStore.open(vertx, dir.resolve("store"), RocksStore.Settings.defaults()).await();
    one = new PrincipalRegistry(store, Clock.systemUTC());
    two = new PrincipalRegistry(store, Clock.systemUTC());
  }

  @AfterEach
  void closeStore() {
    store.close().await();
  }

  static Principal integration(int n) {
    return new Principal("integration:i" + n, Role.INTEGRATION, "Gurukul");
  }

  @Test
  void aSuspensionRacingARevocationNeverBringsTheRevokedKeyBack() {
    List<String> keys = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      keys.add(one.create(integration(n), "i" + n, "owner").await());
    }
    List<Future<Boolean>> racing = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      racing.add(one.suspend(integration(n).id(), "lock", "governance-lock"));
      racing.add(two.revoke(integration(n).id()));
    }
    Future.all(racing).await();

    for (int n = 0; n < 20; n++) {
      assertThat(new PrincipalRegistry(store, Clock.systemUTC()).authenticate(keys.get(n)).await()).isEmpty();
      assertThat(one.find(integration(n).id()).await()).isEmpty();
    }
    assertThat(one.count(Role.INTEGRATION, false).await()).isZero();
    assertThat(one.count(Role.INTEGRATION, true).await()).isZero();
  }

  @Test
  void countsFollowKeysSuspensionsReleasesAndRevocations() {
    for (int n = 0; n < 3; n++) {
      one.create(integration(n), "i" + n, "owner").await();
    }
    one.suspend(integration(0).id(), "lock", "owner").await();
    two.suspend(integration(0).id(), "again", "owner").await();
    one.suspend(integration(1).id(), "lock", "owner").await();
    two.release(integration(1).id()).await();
    one.release(integration(2).id()).await();
    one.suspend(integration(2).id(), "lock", "owner").await();
    two.revoke(integration(2).id()).await();

    assertThat(one.count(Role.INTEGRATION, false).await()).isEqualTo(2);
    assertThat(one.count(Role.INTEGRATION, true).await()).isEqualTo(1);
    assertThat(one.find(integration(0).id()).await().orElseThrow().suspension().reason()).isEqualTo("again");
    assertThat(one.revoke("integration:never").await()).isFalse();
    assertThat(one.suspend("integration:never", "lock", "owner").await()).isFalse();
  }

  @Test
  void aPrincipalHasOneKeyUntilItIsRevoked() throws Exception {
    one.create(integration(1), "i1", "owner").await();
    Future<String> second = two.create(integration(1), "i1", "owner");
    assertThat(second.otherwiseEmpty().await()).isNull();
    assertThat(second.cause()).isInstanceOf(KeyConflictException.class);

    two.revoke(integration(1).id()).await();
    String fresh = two.create(integration(1), "i1", "owner").await();
    assertThat(one.authenticate(fresh).await()).isPresent();
    assertThat(one.count(Role.INTEGRATION, false).await()).isEqualTo(1);
  }

  @Test
  void listingsComeInPagesThatContinueAfterTheLastPrincipalListed() {
    int total = PrincipalRegistry.LIST_PAGE + 3;
    Future.all(IntStream.range(0, total).mapToObj(n -> n % 2 == 0
        ? one.create(integration(n), "i" + n, "owner")
        : one.create(new Principal("executor:e" + n, Role.EXECUTOR, null), "e" + n, "owner")).toList()).await();

    PrincipalRegistry.Page first = one.list("", null).await();
    PrincipalRegistry.Page last = one.list("", first.next()).await();

    assertThat(first.principals()).hasSize(PrincipalRegistry.LIST_PAGE);
    assertThat(last.principals()).hasSize(3);
    assertThat(last.next()).isNull();
    List<String> ids = new ArrayList<>();
    first.principals().forEach(p -> ids.add(p.getString("principal_id")));
    last.principals().forEach(p -> ids.add(p.getString("principal_id")));
    assertThat(ids).doesNotHaveDuplicates().isSorted().hasSize(total);
    assertThat(first.principals().get(0).encode()).doesNotContain("hash");

    PrincipalRegistry.Page integrations = one.list("integration:", null).await();
    assertThat(integrations.principals()).hasSize((total + 1) / 2)
        .allMatch(p -> p.getString("role").equals("integration"));
    assertThat(integrations.next()).isNull();
  }
}
