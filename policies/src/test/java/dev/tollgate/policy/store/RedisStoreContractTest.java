package dev.tollgate.policy.store;

import dev.tollgate.policy.RedisSettings;
import dev.tollgate.policy.testing.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract against a real redis-server process on a free loopback port. */
class RedisStoreContractTest extends BudgetStoreContract {
  static RedisServerProcess server;
  static RedisStore store;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServerProcess.start();
    store = new RedisStore(new RedisSettings(server.url(), "contract:", Duration.ofSeconds(2),
        RedisSettings.OnUnavailable.BLOCK, Duration.ofMillis(HOLD_TTL_MILLIS)), null);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    store.close();
    server.close();
  }

  @Override
  BudgetStore store() {
    return store;
  }

  @Override
  void expireHolds() throws Exception {
    Thread.sleep(HOLD_TTL_MILLIS + 50);
  }
}
