package dev.tollgate.policy.budget;

import dev.tollgate.policy.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Reservations under contention: 64 threads, one lock, no lost or invented spend. */
class GovernorConcurrencyTest {
  private static final int THREADS = 64;
  private static final Duration TTL = Duration.ofMinutes(10);

  /** A ledger in memory, to check that day budgets record exactly what they spend. */
  static final class MapLedger implements Ledger {
    final Map<String, Totals> totals = new ConcurrentHashMap<>();

    @Override
    public Totals load(String budget, String partition, String period) {
      return totals.getOrDefault(budget + "|" + partition + "|" + period, Totals.ZERO);
    }

    @Override
    public void record(String budget, String partition, String period, long nanos, long tokens) {
      totals.merge(budget + "|" + partition + "|" + period, new Totals(nanos, tokens),
          (a, b) -> a.plus(b.nanos(), b.tokens()));
    }
  }

  private static void runThreads(int threads, IntFunction<Void> body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          start.await();
          return body.apply(id);
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String key(BudgetState s) {
    return s.budget() + "|" + s.period() + "|" + s.partition();
  }

  @Property(tries = 12)
  void randomReserveSettleReleaseSweepNeverLosesOrInventsSpend(@ForAll long seed) throws Exception {
    Policy policy = PolicyLoader.parse("""
        version: 1
        pricing: {models: {m: {input_per_mtok: 1, output_per_mtok: 3}, n: {input_per_mtok: 0.5, output_per_mtok: 7}}}
        budgets:
          - {name: process, scope: process, max_usd: 0.5, max_tokens: 300000}
          - {name: run, scope: run, max_usd: 0.05}
          - {name: session, scope: session, max_usd: 0.03, per: "mdc:tenant", warn_at: [0.5, 0.9]}
          - {name: daily, scope: day, max_usd: 0.2, max_tokens: 150000}
          - {name: n-only, scope: process, max_tokens: 40000, models: "n"}
        """, "p.yaml");
    TestClock clock = new TestClock("2026-11-24T10:00:00Z");
    MapLedger ledger = new MapLedger();
    LlmGovernor g = new LlmGovernor(policy, clock, ledger, TTL);
    Map<String, LongAdder> settledNanos = new ConcurrentHashMap<>();
    Map<String, LongAdder> settledTokens = new ConcurrentHashMap<>();
    Map<String, LongAdder> overshootNanos = new ConcurrentHashMap<>();
    Map<String, LongAdder> overshootTokens = new ConcurrentHashMap<>();
    Map<String, long[]> caps = new ConcurrentHashMap<>();
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    LongAdder allCosts = new LongAdder();

    runThreads(THREADS, t -> {
      Random random = new Random(seed * 31 + t);
      for (int op = 0; op < 60; op++) {
        int kind = random.nextInt(20);
        if (kind == 0) {
          clock.advance(Duration.ofSeconds(random.nextInt(240)));
          g.sweep();
          continue;
        }
        if (kind == 1) {
          for (BudgetState s : g.snapshot()) {
            if (s.spentNanos() < 0 || s.reservedNanos() < 0 || s.spentTokens() < 0 || s.reservedTokens() < 0) {
              violations.incrementAndGet();
            }
          }
          continue;
        }
        String model = random.nextBoolean() ? "m" : "n";
        LlmCall call = new LlmCall("p", model, "r" + random.nextInt(4), random.nextInt(4) == 0 ? null : "s" + random.nextInt(3),
            Map.of("tenant", "t" + random.nextInt(2))::get, random.nextInt(3000), random.nextInt(2000), 1 + random.nextInt(2));
        long before = clock.millis();
        Admission a = g.admit(call);
        if (!a.proceeds()) {
          continue;
        }
        admitted.incrementAndGet();
        int fate = random.nextInt(10);
        if (fate == 0) {
          continue; // leaked: only sweep frees it
        }
        if (fate == 1) {
          g.release(a);
          continue;
        }
        // actual usage: usually within the reservation, sometimes beyond it (a provider reporting more)
        long prompt = random.nextInt((int) call.promptTokensEstimate() + 1) + (random.nextInt(8) == 0 ? 500 : 0);
        long output = random.nextInt((int) (call.maxOutputTokens() * call.choices()) + 1)
            + (random.nextInt(8) == 0 ? 700 : 0);
        Settlement s = g.settle(a, null, new Usage(prompt, 0, 0, output, 0), false);
        boolean maybeSwept = clock.millis() - before >= TTL.toMillis();
        long reservedNanos = maybeSwept ? 0 : a.reservedNanos();
        long reservedTokens = maybeSwept ? 0 : a.reservedTokens();
        allCosts.add(s.costNanos());
        for (BudgetState state : s.budgets()) {
          String k = key(state);
          caps.putIfAbsent(k, new long[] {state.limitNanos(), state.limitTokens()});
          settledNanos.computeIfAbsent(k, x -> new LongAdder()).add(s.costNanos());
          settledTokens.computeIfAbsent(k, x -> new LongAdder()).add(s.usage().totalTokens());
          overshootNanos.computeIfAbsent(k, x -> new LongAdder()).add(Math.max(0, s.costNanos() - reservedNanos));
          overshootTokens.computeIfAbsent(k, x -> new LongAdder())
              .add(Math.max(0, s.usage().totalTokens() - reservedTokens));
        }
        if (random.nextInt(5) == 0) {
          g.settle(a, null, new Usage(9999, 0, 0, 9999, 0), false); // a duplicate settle changes nothing
          g.release(a);
        }
      }
      return null;
    });

    assertEquals(0, violations.get(), "a snapshot showed negative spend or reservation");
    clock.advance(TTL);
    g.sweep();
    assertEquals(0, g.pendingCount());
    assertTrue(admitted.get() > 0);
    long processSpent = -1;
    for (BudgetState s : g.snapshot()) {
      String k = key(s);
      assertEquals(0, s.reservedNanos(), k);
      assertEquals(0, s.reservedTokens(), k);
      assertTrue(s.spentNanos() >= 0 && s.spentTokens() >= 0, k);
      long settled = settledNanos.getOrDefault(k, new LongAdder()).sum();
      assertEquals(settled, s.spentNanos(), "sum of settled costs == spent for " + k);
      assertEquals(settledTokens.getOrDefault(k, new LongAdder()).sum(), s.spentTokens(), k);
      if (s.limitNanos() >= 0) {
        assertTrue(s.spentNanos() <= s.limitNanos() + overshootNanos.getOrDefault(k, new LongAdder()).sum(),
            k + " spent " + s.spentNanos() + " beyond cap " + s.limitNanos() + " + overshoot");
      }
      if (s.limitTokens() >= 0) {
        assertTrue(s.spentTokens() <= s.limitTokens() + overshootTokens.getOrDefault(k, new LongAdder()).sum(), k);
      }
      if (s.budget().equals("daily")) {
        assertEquals(new Totals(s.spentNanos(), s.spentTokens()),
            ledger.load("daily", s.partition(), s.period()), "the ledger holds what the day spent");
      }
      if (s.budget().equals("process")) {
        processSpent = s.spentNanos();
      }
    }
    assertEquals(allCosts.sum(), processSpent, "every settled cost is in the process budget");
  }

  @Property(tries = 10)
  void exactlyNCallsOfWorstCaseWFitACapOfNTimesW(@ForAll @IntRange(min = 1, max = 40) int n,
      @ForAll @IntRange(min = 1, max = 4) int callsPerThread) throws Exception {
    // model m: 1000 nano-USD per token; prompt 700 + output 300 -> W = 1,000,000 nano-USD = 0.001 USD
    long w = 1_000_000;
    Policy policy = PolicyLoader.parse("version: 1\n"
        + "pricing: {models: {m: {input_per_mtok: 1, output_per_mtok: 1}}}\n"
        + "budgets:\n"
        + "  - {name: cap, scope: process, max_usd: " + Costs.usd(n * w) + "}\n"
        + "  - {name: day, scope: day, max_usd: 1000}\n", "p.yaml");
    TestClock clock = new TestClock("2026-11-24T10:00:00Z");
    LlmGovernor g = new LlmGovernor(policy, clock, Ledger.none());
    AtomicInteger admitted = new AtomicInteger();
    AtomicLong charged = new AtomicLong();
    runThreads(THREADS, t -> {
      for (int i = 0; i < callsPerThread; i++) {
        Admission a = g.admit(new LlmCall("p", "m", null, null, null, 700, 300, 1));
        assertEquals(a.proceeds() ? w : 0, a.reservedNanos());
        if (a.proceeds()) {
          admitted.incrementAndGet();
          charged.addAndGet(g.settle(a, null, new Usage(700, 0, 0, 300, 0), false).costNanos());
        }
      }
      return null;
    });
    assertEquals(Math.min(n, THREADS * callsPerThread), admitted.get());
    assertEquals(admitted.get() * w, charged.get());
    BudgetState cap = g.snapshot().get(0);
    assertEquals(admitted.get() * w, cap.spentNanos());
    assertEquals(0, cap.reservedNanos());
    if (admitted.get() == n) {
      assertFalse(g.admit(new LlmCall("p", "m", null, null, null, 1, 0, 1)).proceeds());
    }
  }
}
