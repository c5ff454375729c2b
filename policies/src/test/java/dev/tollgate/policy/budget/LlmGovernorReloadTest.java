package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.testing.TestClock;
import org.junit.jupiter.api.Test;

/** A reloaded governor keeps spend and reservations by name, and settles what its predecessor admitted. */
class LlmGovernorReloadTest {
  private static final String PRICES = "pricing:\n  models:\n    m: { input_per_mtok: 1000000, output_per_mtok: 0 }\n";

  private static LlmCall call() {
    return new LlmCall("openai", "m", "run-1", null, null, 1, 0, 1); // 1 prompt token at 1 USD: a 1 USD call
  }

  @Test
  void spendAndReservationsCarryOverAndTheAdmittingGovernorSettles() throws Exception {
    TestClock clock = new TestClock();
    LlmGovernor first = new LlmGovernor(PolicyLoader.parse("version: 1\n" + PRICES
        + "budgets:\n  - { name: cap, scope: process, max_usd: 3 }\n", "a.yaml"), clock, Ledger.none());
    Admission spent = first.admit(call());
    assertTrue(spent.proceeds());
    first.settle(spent, "m", new Usage(1, 0, 0, 0, 0), false);
    Admission held = first.admit(call()); // reserved, still in flight at the reload
    assertTrue(held.proceeds());

    // the cap is lowered to 2.5 USD: 1 spent and 1 reserved leave room for no further 1 USD call
    LlmGovernor next = first.reloaded(PolicyLoader.parse("version: 1\n" + PRICES
        + "budgets:\n  - { name: cap, scope: process, max_usd: 2.5 }\n", "a.yaml"));
    assertFalse(next.admit(call()).proceeds());
    BudgetState state = next.snapshot().get(0);
    assertEquals(1_000_000_000L, state.spentNanos());
    assertEquals(1_000_000_000L, state.reservedNanos());

    // the call admitted before the reload is settled by the governor that admitted it, into the same store
    first.settle(held, "m", new Usage(1, 0, 0, 0, 0), false);
    assertEquals(2_000_000_000L, next.snapshot().get(0).spentNanos());
    assertEquals(0L, next.snapshot().get(0).reservedNanos());
    assertFalse(next.admit(call()).proceeds());
    assertTrue(first.adjustments() == next.adjustments());
  }
}
