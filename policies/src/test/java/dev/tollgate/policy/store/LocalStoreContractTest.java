package dev.tollgate.policy.store;

import java.time.Clock;
import java.time.Duration;

class LocalStoreContractTest extends BudgetStoreContract {
  private final LocalStore store = LocalStore.inMemory(Duration.ofMillis(HOLD_TTL_MILLIS), Clock.systemUTC());

  @Override
  BudgetStore store() {
    return store;
  }

  @Override
  void expireHolds() throws Exception {
    Thread.sleep(HOLD_TTL_MILLIS + 50);
    store.expire(System.currentTimeMillis());
  }
}
