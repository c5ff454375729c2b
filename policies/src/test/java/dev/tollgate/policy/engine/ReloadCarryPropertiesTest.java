package dev.tollgate.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.testing.Race;
import dev.tollgate.policy.testing.TestClock;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A reload carries a limit's counts over by name: with n calls counted before it and a new cap m, exactly
 * max(0, m - n) more calls pass after it (threads racing on the new engine), in every scope, with or without a window,
 * whether the cap changed or not; a limit that changes its scope starts from zero.
 */
class ReloadCarryPropertiesTest {

  @Provide
  Arbitrary<String> scopes() {
    return Arbitraries.of("run", "session", "process");
  }

  private static String policy(String scope, int max, boolean window) throws Exception {
    return "version: 1\nlimits:\n  - { name: cap, scope: " + scope + ", tools: \"*\", max_calls: " + max
        + (window ? ", window: 1h" : "") + " }\n";
  }

  @Property(tries = 60)
  void countsCarryOverByName(@ForAll("scopes") String scope, @ForAll @IntRange(min = 0, max = 12) int before,
      @ForAll @IntRange(min = 0, max = 12) int oldCap, @ForAll @IntRange(min = 0, max = 12) int newCap,
      @ForAll boolean window, @ForAll @IntRange(min = 1, max = 6) int threads) throws Exception {
    TestClock clock = new TestClock();
    PolicyEngine first = new PolicyEngine(PolicyLoader.parse(policy(scope, oldCap, window), "a.yaml"), clock);
    ToolCall call = new ToolCall("t", "test", "run-1", "{}", "session-1", Map.of());
    int admitted = 0;
    for (int i = 0; i < before; i++) {
      admitted += first.decide(call).enforced() ? 0 : 1;
    }
    assertEquals(Math.min(before, oldCap), admitted);
    PolicyEngine next = new PolicyEngine(PolicyLoader.parse(policy(scope, newCap, window), "a.yaml"), clock, null,
        first.adjustments(), first);
    int passed = Race.count(threads, 5, () -> !next.decide(call).enforced());
    assertEquals(Math.min(threads * 5, Math.max(0, newCap - admitted)), passed);
  }

  @Property(tries = 20)
  void aLimitThatChangesItsScopeStartsFromZero(@ForAll @IntRange(min = 1, max = 8) int cap) throws Exception {
    TestClock clock = new TestClock();
    PolicyEngine first = new PolicyEngine(PolicyLoader.parse(policy("process", cap, false), "a.yaml"), clock);
    ToolCall call = new ToolCall("t", "test", "run-1", "{}", null, Map.of());
    for (int i = 0; i < cap; i++) {
      first.decide(call);
    }
    PolicyEngine next = new PolicyEngine(PolicyLoader.parse(policy("run", cap, false), "a.yaml"), clock, null,
        first.adjustments(), first);
    int passed = 0;
    for (int i = 0; i < cap + 2; i++) {
      passed += next.decide(call).enforced() ? 0 : 1;
    }
    assertEquals(cap, passed);
  }
}
