package dev.tollgate.policy.engine;

import dev.tollgate.policy.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class GovernancePropertiesTest {

  /** (a) M threads racing on max_calls N inside one window admit exactly N (per partition). */
  @Property(tries = 40)
  void racingThreadsAdmitExactlyMaxCallsInOneWindow(
      @ForAll @IntRange(min = 1, max = 12) int threads,
      @ForAll @IntRange(min = 0, max = 40) int maxCalls,
      @ForAll("scopes") String scope,
      @ForAll boolean partitioned) throws InterruptedException {
    int perThread = maxCalls / threads + 2;
    TestClock clock = new TestClock();
    PolicyEngine engine = ToolGovernanceTest.engine("""
        version: 1
        limits:
          - {name: guard, scope: %s, max_calls: 1000000, window: 1h, on_exceed: warn}
          - {name: l, scope: %s, max_calls: %d, window: 1m%s}
        """.formatted(scope, scope, maxCalls, partitioned ? ", per: \"mdc:tenant\"" : ""), clock);
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger otherTenant = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int k = 0; k < perThread; k++) {
          ToolCall call = new ToolCall("tool", "test", "run-1", "{\"k\": " + k + "}", "s-1", Map.of("tenant", "a"));
          if (engine.decide(call).proceeds()) {
            admitted.incrementAndGet();
          }
          if (partitioned && engine.decide(new ToolCall("tool", "test", "run-1", "{}", "s-1",
              Map.of("tenant", "b"))).proceeds()) {
            otherTenant.incrementAndGet();
          }
          clock.advance(Duration.ofMillis(1)); // moves, but stays far inside the window
        }
      });
      workers[t].start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertEquals(maxCalls, admitted.get());
    if (partitioned) {
      assertEquals(maxCalls, otherTenant.get(), "each partition has its own cap");
    }
    ToolCall probe = new ToolCall("tool", "test", "run-1", null, "s-1", Map.of("tenant", "a"));
    assertEquals(maxCalls, engine.callsCountedFor("l", probe));
    assertEquals(maxCalls * (partitioned ? 2L : 1L), engine.callsCountedFor("guard", probe),
        "refused calls count nowhere");
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> scopes() {
    return net.jqwik.api.Arbitraries.of("run", "session", "process");
  }

  /**
   * (b) The loop guard: for a random sequence of (tool, arguments), the calls admitted per identical pair are
   * min(count, N), whatever the key order or spacing of the JSON text.
   */
  @Property(tries = 200)
  void loopGuardAdmitsMinOfCountAndMaxIdenticalPerPair(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 11) Integer> sequence,
      @ForAll @IntRange(min = 1, max = 4) int maxIdentical) {
    PolicyEngine engine = ToolGovernanceTest.engine(
        "version: 1\nlimits:\n  - {name: loops, scope: run, max_identical: " + maxIdentical + "}\n");
    Map<Integer, Integer> seen = new HashMap<>();
    Map<Integer, Integer> admitted = new HashMap<>();
    for (int i = 0; i < sequence.size(); i++) {
      int pair = sequence.get(i);
      String tool = "tool" + (pair % 3);
      int arg = pair / 3;
      // the same arguments written three ways: key order and spacing do not make a call different
      String args = switch (i % 3) {
        case 0 -> "{\"a\": " + arg + ", \"b\": [1, {\"x\": null}]}";
        case 1 -> "{\"b\":[1,{\"x\":null}],\"a\":" + arg + "}";
        default -> "  {\n \"b\" : [ 1 , { \"x\" : null } ] , \"a\" : " + arg + " }";
      };
      seen.merge(pair, 1, Integer::sum);
      if (engine.decide(new ToolCall(tool, "test", "r", args, null, Map.of())).proceeds()) {
        admitted.merge(pair, 1, Integer::sum);
      }
    }
    for (Map.Entry<Integer, Integer> e : seen.entrySet()) {
      int got = admitted.getOrDefault(e.getKey(), 0);
      assertTrue(got <= maxIdentical);
      assertEquals(Math.min(e.getValue(), maxIdentical), got, "pair " + e.getKey());
    }
  }

  /** (b) Concurrently: racing identical calls are admitted exactly max_identical times per pair. */
  @Property(tries = 30)
  void racingIdenticalCallsNeverPassMaxIdentical(
      @ForAll @IntRange(min = 2, max = 8) int threads,
      @ForAll @IntRange(min = 1, max = 10) int maxIdentical) throws InterruptedException {
    PolicyEngine engine = ToolGovernanceTest.engine(
        "version: 1\nlimits:\n  - {name: loops, scope: process, max_identical: " + maxIdentical + "}\n");
    AtomicInteger[] admitted = {new AtomicInteger(), new AtomicInteger()};
    CountDownLatch start = new CountDownLatch(1);
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int k = 0; k < maxIdentical + 2; k++) {
          int pair = k % 2;
          if (engine.decide(new ToolCall("t", "f", null, "{\"p\": " + pair + "}", null, Map.of())).proceeds()) {
            admitted[pair].incrementAndGet();
          }
        }
      });
      workers[t].start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertEquals(maxIdentical, admitted[0].get());
    assertEquals(maxIdentical, admitted[1].get());
  }

  /** (c) Once the window has passed, the count starts again; before it has, nothing more is admitted. */
  @Property(tries = 200)
  void afterTheWindowPassesTheCountResets(
      @ForAll @IntRange(min = 1, max = 20) int maxCalls,
      @ForAll @IntRange(min = 1, max = 3600) int windowSeconds,
      @ForAll @IntRange(min = 0, max = 1000) int extraMillis,
      @ForAll @IntRange(min = 1, max = 1000) int shortByMillis) {
    TestClock clock = new TestClock();
    PolicyEngine engine = ToolGovernanceTest.engine("version: 1\nlimits:\n  - {name: l, scope: process, max_calls: "
        + maxCalls + ", window: " + windowSeconds + "s}\n", clock);
    ToolCall call = new ToolCall("t", "f", null, "{}", null, Map.of());
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < maxCalls; i++) {
        assertTrue(engine.decide(call).proceeds(), "round " + round + ", call " + i);
      }
      assertEquals(false, engine.decide(call).proceeds());
      clock.advance(Duration.ofSeconds(windowSeconds).minusMillis(shortByMillis));
      assertEquals(false, engine.decide(call).proceeds(), "window not yet passed");
      assertEquals(maxCalls, engine.callsCounted("l", null));
      clock.advance(Duration.ofMillis(shortByMillis + extraMillis));
      assertEquals(0, engine.callsCounted("l", null), "window passed: count reset");
    }
  }
}
