package dev.tollgate.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class LimitConcurrencyTest {

  @Property(tries = 60)
  void racingThreadsAdmitExactlyMaxCallsInOneRun(
      @ForAll @IntRange(min = 1, max = 16) int threads,
      @ForAll @IntRange(min = 0, max = 50) int maxCalls,
      @ForAll @IntRange(min = 0, max = 2) int spare,
      @ForAll boolean processScope) throws InterruptedException {
    int perThread = maxCalls / threads + 1 + spare; // so that threads * perThread > maxCalls
    PolicyEngine engine = PolicyEngineTest.engine("""
        version: 1
        limits:
          - {name: guard, scope: %s, max_calls: 1000000, on_exceed: warn}
          - {name: l, scope: %s, max_calls: %d}
        """.formatted(processScope ? "process" : "run", processScope ? "process" : "run", maxCalls));
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger firstBreaches = new AtomicInteger();
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
          ToolVerdict v = engine.decide(new ToolCall("tool", "test", "run-1"));
          if (v.proceeds()) {
            admitted.incrementAndGet();
          } else if (v.breach().first()) {
            firstBreaches.incrementAndGet();
          }
        }
      });
      workers[t].start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertEquals(maxCalls, admitted.get());
    assertEquals(maxCalls, engine.callsCounted("l", "run-1"));
    assertEquals(maxCalls, engine.callsCounted("guard", "run-1"), "refused calls count nowhere");
    assertEquals(1, firstBreaches.get(), "exactly one refusal is marked first");
  }
}
