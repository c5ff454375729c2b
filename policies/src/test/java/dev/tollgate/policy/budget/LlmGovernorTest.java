package dev.tollgate.policy.budget;

import dev.tollgate.policy.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmGovernorTest {
  /** A model at 1 USD per million tokens in and out: 1000 nano-USD per token. */
  private static final String CHEAP = "pricing: {models: {m: {input_per_mtok: 1, output_per_mtok: 1}}}\n";
  private final TestClock clock = new TestClock("2026-11-24T10:00:00Z");

  private static Policy policy(String yaml) throws PolicyException {
    return PolicyLoader.parse("version: 1\n" + yaml, "p.yaml");
  }

  private LlmGovernor governor(String yaml) throws PolicyException {
    return new LlmGovernor(policy(yaml), clock, Ledger.none());
  }

  private static LlmCall call(String model, String run, long prompt, long maxOut) {
    return new LlmCall("openai", model, run, null, null, prompt, maxOut, 1);
  }

  private static LlmCall call(String model, String run, String session, Map<String, String> mdc, long prompt,
      long maxOut) {
    return new LlmCall("openai", model, run, session, mdc::get, prompt, maxOut, 1);
  }

  private static Usage in(long tokens) {
    return new Usage(tokens, 0, 0, 0, 0);
  }

  private static BudgetState only(List<BudgetState> states) {
    assertEquals(1, states.size(), states.toString());
    return states.get(0);
  }

  @Test
  void reservesTheWorstCaseThenSettlesTheActualCost() throws Exception {
    LlmGovernor g = governor("budgets: [{name: per-run, scope: run, max_usd: 1}]\n");
    Admission a = g.admit(call("gpt-4o-mini", "r1", 1000, 1000));
    assertEquals(Outcome.ALLOW, a.outcome());
    assertTrue(a.proceeds());
    assertNull(a.rule());
    assertEquals(150_000 + 600_000, a.reservedNanos());
    assertEquals(2000, a.reservedTokens());
    assertEquals(new BudgetState("per-run", "run", null, "r1", 0, 750_000, 1_000_000_000, 0, 2000, -1),
        only(a.budgets()));
    Settlement s = g.settle(a, "gpt-4o-mini-2024-07-18", new Usage(1000, 0, 0, 500, 0), false);
    assertEquals(450_000, s.costNanos());
    assertEquals(new BudgetState("per-run", "run", null, "r1", 450_000, 0, 1_000_000_000, 1500, 0, -1),
        only(s.budgets()));
    assertEquals(List.of(s.budgets().get(0)), g.snapshot());
    assertEquals(PriceTable.bundled().date(), g.priceTableDate());
  }

  @Test
  void blockRefusesAndReservesNothing() throws Exception {
    LlmGovernor g = governor("budgets: [{name: tiny, scope: process, max_usd: 0.001}]\n");
    Admission first = g.admit(call("gpt-4o-mini", null, 1000, 1000)); // 750k of 1M
    assertTrue(first.proceeds());
    Admission second = g.admit(call("gpt-4o-mini", null, 1000, 1000));
    assertEquals(Outcome.DENY, second.outcome());
    assertTrue(second.enforced());
    assertFalse(second.halt());
    assertEquals("budgets[0]", second.rule());
    assertEquals("budget \"tiny\" (process \"process\") has spent 0 USD with 0.00075 USD reserved; this call may"
        + " cost up to 0.00075 USD, over its limit of 0.001 USD", second.reason());
    assertEquals(0, second.reservedNanos());
    assertEquals(750_000, only(g.snapshot()).reservedNanos());
    Breach b = second.breaches().get(0);
    assertEquals(new Breach("budget", "tiny", "budgets[0]", "process", null, OnExceed.BLOCK, 0, 750_000, 750_000,
        1_000_000, 0, 2000, -1, true), b);
    assertFalse(g.admit(call("gpt-4o-mini", null, 1000, 1000)).breaches().get(0).first(), "first only once");
    // a refused admission settles to nothing
    Settlement nothing = g.settle(second, null, in(1_000_000), false);
    assertEquals(0, nothing.costNanos());
    assertEquals(0, only(g.snapshot()).spentNanos());
  }

  @Test
  void exactlyReachingTheCapIsAllowed() throws Exception {
    LlmGovernor g = governor(CHEAP + "budgets: [{name: b, scope: process, max_usd: 0.002, max_tokens: 2000}]\n");
    assertTrue(g.admit(call("m", null, 1000, 0)).proceeds());
    assertTrue(g.admit(call("m", null, 1000, 0)).proceeds());
    assertFalse(g.admit(call("m", null, 1, 0)).proceeds());
  }

  @Test
  void tokenBudgetRefusesWithATokenReason() throws Exception {
    LlmGovernor g = governor(CHEAP + "budgets: [{name: toks, scope: run, max_tokens: 1000}]\n");
    Admission a = g.admit(call("m", "r", 600, 500));
    assertEquals(Outcome.DENY, a.outcome());
    assertEquals("budget \"toks\" (run \"r\") has used 0 tokens with 0 reserved; this call may use up to 1100 tokens,"
        + " over its limit of 1000 tokens", a.reason());
  }

  @Test
  void haltWarnAndMonitor() throws Exception {
    Admission halt = governor(CHEAP + "budgets: [{name: b, scope: run, max_usd: 0.001, on_exceed: halt}]\n")
        .admit(call("m", "r", 2000, 0));
    assertEquals(Outcome.DENY, halt.outcome());
    assertTrue(halt.enforced());
    assertTrue(halt.halt());

    LlmGovernor warn = governor(CHEAP + "budgets: [{name: b, scope: run, max_usd: 0.001, on_exceed: warn}]\n");
    Admission warned = warn.admit(call("m", "r", 2000, 0));
    assertEquals(Outcome.WARN, warned.outcome());
    assertFalse(warned.enforced());
    assertEquals("budgets[0]", warned.rule());
    assertEquals(2_000_000, only(warned.budgets()).reservedNanos(), "a warn budget still reserves");

    LlmGovernor monitored = governor("mode: monitor\n" + CHEAP
        + "budgets: [{name: b, scope: run, max_usd: 0.001, on_exceed: halt}]\n");
    Admission m = monitored.admit(call("m", "r", 2000, 0));
    assertEquals(Outcome.DENY, m.outcome());
    assertFalse(m.enforced());
    assertFalse(m.halt());
    assertTrue(m.proceeds());
    assertEquals(2_000_000, m.reservedNanos());
    Settlement s = monitored.settle(m, null, in(2000), false);
    assertEquals(2_000_000, only(s.budgets()).spentNanos());
    assertTrue(s.exceeded().get(0).first());
  }

  @Test
  void oneRefusingBudgetReservesNothingAnywhereAndConsumesNoLimit() throws Exception {
    LlmGovernor g = governor(CHEAP + """
        limits: [{name: one-call, scope: process, llm: "*", max_calls: 1}]
        budgets:
          - {name: big, scope: process, max_usd: 10}
          - {name: small, scope: run, max_usd: 0.001}
        """);
    Admission refused = g.admit(call("m", "r", 5000, 0));
    assertEquals("budgets[1]", refused.rule());
    assertEquals(2, refused.budgets().size());
    for (BudgetState state : g.snapshot()) {
      assertEquals(0, state.reservedNanos(), state.toString());
      assertEquals(0, state.reservedTokens(), state.toString());
    }
    assertTrue(g.admit(call("m", "r", 10, 0)).proceeds(), "the refused call did not count on the limit");
    Admission third = g.admit(call("m", "r", 10, 0));
    assertEquals("limits[0]", third.rule());
    assertEquals("limit \"one-call\" allows 1 LLM call per process; 1 already made", third.reason());
  }

  @Test
  void warnAtIsReportedOncePerFractionAndExceededOncePerInstance() throws Exception {
    LlmGovernor g = governor(CHEAP + "budgets: [{name: b, scope: process, max_usd: 0.001, warn_at: [0.5, 0.9]}]\n");
    assertEquals(List.of(), g.settle(g.admit(call("m", null, 0, 0)), null, in(400), false).thresholdsCrossed());
    Settlement half = g.settle(g.admit(call("m", null, 0, 0)), null, in(200), false);
    assertEquals(List.of(new Threshold("b", "process", null, "process", 0.5, 600_000, 1_000_000)),
        half.thresholdsCrossed());
    assertEquals(List.of(), g.settle(g.admit(call("m", null, 0, 0)), null, in(50), false).thresholdsCrossed());
    Settlement over = g.settle(g.admit(call("m", null, 0, 0)), null, in(400), false);
    assertEquals(List.of(0.9), over.thresholdsCrossed().stream().map(Threshold::fraction).toList());
    assertEquals(1, over.exceeded().size());
    assertTrue(over.exceeded().get(0).first());
    assertEquals(1_050_000, over.exceeded().get(0).spentNanos());
    assertFalse(g.admit(call("m", null, 1, 0)).proceeds(), "over the cap: every priced call is refused");
    LlmGovernor tokens = governor(CHEAP + "budgets: [{name: t, scope: process, max_tokens: 100, warn_at: [0.5]}]\n");
    assertEquals(List.of(0.5), tokens.settle(tokens.admit(call("m", null, 0, 0)), null, in(60), false)
        .thresholdsCrossed().stream().map(Threshold::fraction).toList());
  }

  @Test
  void settleAndReleaseAreIdempotent() throws Exception {
    LlmGovernor g = governor(CHEAP + "budgets: [{name: b, scope: process, max_usd: 1}]\n");
    Admission a = g.admit(call("m", null, 100, 100));
    Settlement s = g.settle(a, null, in(50), true);
    assertTrue(s.estimated());
    assertSame(s, g.settle(a, null, in(5000), false));
    assertSame(s, g.release(a));
    assertEquals(50_000, only(g.snapshot()).spentNanos());
    assertEquals(0, only(g.snapshot()).reservedNanos());

    Admission b = g.admit(call("m", null, 100, 100));
    assertEquals(200_000, only(g.snapshot()).reservedNanos());
    Settlement released = g.release(b);
    assertEquals(0, released.costNanos());
    assertEquals(0, only(g.snapshot()).reservedNanos());
    assertEquals(50_000, only(g.snapshot()).spentNanos());
    assertSame(released, g.settle(b, null, in(100), false));
    assertEquals(50_000, only(g.snapshot()).spentNanos());
  }

  @Test
  void sweepReleasesOldReservationsAndALateSettleStillCharges() throws Exception {
    LlmGovernor g = new LlmGovernor(policy(CHEAP + "budgets: [{name: b, scope: process, max_usd: 0.001}]\n"), clock,
        Ledger.none(), Duration.ofMinutes(10));
    Admission leaked = g.admit(call("m", null, 900, 0));
    assertFalse(g.admit(call("m", null, 200, 0)).proceeds(), "the leak pins the budget");
    clock.advance(Duration.ofMinutes(9));
    Admission young = g.admit(call("m", null, 50, 0));
    assertEquals(0, g.sweep());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(1, g.sweep());
    assertEquals(50_000, only(g.snapshot()).reservedNanos(), "only the young reservation is left");
    assertEquals(1, g.pendingCount());
    assertTrue(g.admit(call("m", null, 200, 0)).proceeds());
    Settlement late = g.settle(leaked, null, in(900), false);
    assertEquals(900_000, late.costNanos());
    assertEquals(900_000, only(g.snapshot()).spentNanos());
    assertSame(late, g.settle(leaked, null, in(900), false));
    g.release(young);
  }

  @Test
  void sweepIfDueSweepsAtMostOncePerIntervalOfTheGovernorsClock() throws Exception {
    LlmGovernor g = new LlmGovernor(policy(CHEAP + "budgets: [{name: b, scope: process, max_usd: 1}]\n"), clock,
        Ledger.none(), Duration.ofMinutes(10));
    g.admit(call("m", null, 10, 0));
    clock.advance(Duration.ofMillis(500));
    g.admit(call("m", null, 10, 0));
    clock.advance(Duration.ofMinutes(10).minusMillis(500));
    assertEquals(1, g.sweepIfDue(), "the first call sweeps: the ten-minute-old reservation goes");
    assertEquals(1, g.pendingCount());
    clock.advance(Duration.ofMillis(500));
    assertEquals(0, g.sweepIfDue(), "the second is now ten minutes old, but the last sweep was 500 ms ago");
    assertEquals(1, g.pendingCount());
    clock.advance(Duration.ofMillis(LlmGovernor.SWEEP_INTERVAL_MILLIS - 500));
    assertEquals(1, g.sweepIfDue(), "an interval after the last sweep: due again");
    assertEquals(0, g.pendingCount());
  }

  @Test
  void perPartitionsAreSeparateAndAMissingValueIsTheEmptyPartition() throws Exception {
    LlmGovernor g = governor(CHEAP + "budgets: [{name: b, scope: process, max_usd: 0.001, per: mdc:tenant}]\n");
    assertTrue(g.admit(call("m", null, null, Map.of("tenant", "a"), 1000, 0)).proceeds());
    assertFalse(g.admit(call("m", null, null, Map.of("tenant", "a"), 1, 0)).proceeds());
    Admission b = g.admit(call("m", null, null, Map.of("tenant", "b"), 1000, 0));
    assertTrue(b.proceeds());
    assertEquals("b", only(b.budgets()).partition());
    Admission none = g.admit(call("m", null, null, Map.of(), 1000, 0));
    assertEquals("", only(none.budgets()).partition());
    LlmGovernor bySession = governor(CHEAP + "budgets: [{name: b, scope: process, max_usd: 0.001, per: session}]\n");
    assertEquals("s1", only(bySession.admit(call("m", null, "s1", Map.of(), 1, 0)).budgets()).partition());
  }

  @Test
  void runSessionAndProcessScopes() throws Exception {
    LlmGovernor g = governor(CHEAP + """
        budgets:
          - {name: run, scope: run, max_usd: 0.001}
          - {name: session, scope: session, max_usd: 0.001}
          - {name: process, scope: process, max_usd: 1}
        """);
    Admission a = g.admit(call("m", "r1", "s1", Map.of(), 1000, 0));
    assertEquals(List.of("r1", "s1", "process"), a.budgets().stream().map(BudgetState::period).toList());
    assertFalse(g.admit(call("m", "r1", "s2", Map.of(), 1, 0)).proceeds(), "run r1 is full");
    assertFalse(g.admit(call("m", "r2", "s1", Map.of(), 1, 0)).proceeds(), "session s1 is full");
    Admission other = g.admit(call("m", "r2", "s2", Map.of(), 1000, 0));
    assertTrue(other.proceeds());
    Admission noSession = g.admit(call("m", "r3", null, Map.of(), 1000, 0));
    assertEquals(List.of("run", "process"), noSession.budgets().stream().map(BudgetState::budget).toList(),
        "a call without a session is not counted by session budgets");
    // outside any run each call is a one-call run of its own
    for (int i = 0; i < 3; i++) {
      Admission noRun = g.admit(call("m", null, null, Map.of(), 1000, 0));
      assertTrue(noRun.proceeds());
      assertEquals(LlmGovernor.NO_RUN, noRun.budgets().get(0).period());
      g.settle(noRun, null, in(1000), false);
    }
    assertFalse(g.admit(call("m", null, null, Map.of(), 1001, 0)).proceeds(), "but its one call is capped");
    g.endRun("r1");
    assertTrue(g.admit(call("m", "r1", "s3", Map.of(), 1000, 0)).proceeds(), "an ended run starts afresh");
  }

  @Test
  void dayAndMonthBudgetsPersistInTheLedgerAndFollowLocalMidnightAcrossDst(@TempDir Path dir) throws Exception {
    Policy p = policy(CHEAP + """
        budgets:
          - {name: daily, scope: day, max_usd: 0.001}
          - {name: monthly, scope: month, max_usd: 0.0025}
        ledger: {time_zone: America/New_York}
        """);
    clock.set("2026-03-08T05:00:00Z"); // local midnight starting the 23-hour day
    try (FileLedger ledger = FileLedger.open(dir, clock, p.ledger().zone())) {
      LlmGovernor g = new LlmGovernor(p, clock, ledger);
      Admission a = g.admit(call("m", null, 800, 0));
      assertEquals(List.of("2026-03-08", "2026-03"), a.budgets().stream().map(BudgetState::period).toList());
      g.settle(a, null, in(800), false);
    }
    clock.set("2026-03-09T03:59:59Z"); // 22:59:59 EDT, still the same local day
    try (FileLedger ledger = FileLedger.open(dir, clock, p.ledger().zone())) {
      LlmGovernor restarted = new LlmGovernor(p, clock, ledger);
      Admission refused = restarted.admit(call("m", null, 300, 0));
      assertEquals("budgets[0]", refused.rule(), "the restart kept the day's spend");
      assertEquals(800_000, refused.budgets().get(0).spentNanos());
      clock.set("2026-03-09T04:00:00Z"); // local midnight: a new day, the same month
      Admission next = restarted.admit(call("m", null, 300, 0));
      assertTrue(next.proceeds());
      assertEquals(List.of("2026-03-09", "2026-03"), next.budgets().stream().map(BudgetState::period).toList());
      assertEquals(800_000, next.budgets().get(1).spentNanos());
      restarted.settle(next, null, in(300), false);
    }
    clock.set("2026-11-01T04:00:00Z"); // the 25-hour day
    try (FileLedger ledger = FileLedger.open(dir, clock, p.ledger().zone())) {
      LlmGovernor g = new LlmGovernor(p, clock, ledger);
      g.settle(g.admit(call("m", null, 900, 0)), null, in(900), false);
      clock.set("2026-11-02T04:59:59Z"); // 23:59:59 EST on Nov 1, 25 hours later minus a second
      assertEquals("2026-11-01", g.admit(call("m", null, 1, 0)).budgets().get(0).period());
      assertFalse(g.admit(call("m", null, 200, 0)).proceeds());
      clock.set("2026-11-02T05:00:00Z");
      assertTrue(g.admit(call("m", null, 200, 0)).proceeds());
    }
  }

  @Test
  void aTotalBudgetNeverResetsAndSurvivesRestartsInTheLedger(@TempDir Path dir) throws Exception {
    Policy p = policy(CHEAP + "budgets: [{name: forever, scope: total, max_usd: 0.001}]\n");
    try (FileLedger ledger = FileLedger.open(dir, clock, p.ledger().zone())) {
      LlmGovernor g = new LlmGovernor(p, clock, ledger);
      Admission a = g.admit(call("m", null, 700, 0));
      assertEquals("total", a.budgets().get(0).period());
      g.settle(a, null, in(700), false);
    }
    clock.set("2027-02-01T00:00:00Z"); // months later: day and month periods have turned, total has not
    try (FileLedger ledger = FileLedger.open(dir, clock, p.ledger().zone())) {
      LlmGovernor restarted = new LlmGovernor(p, clock, ledger);
      Admission refused = restarted.admit(call("m", null, 400, 0));
      assertFalse(refused.proceeds(), "0.0007 spent before the restart + 0.0004 would pass 0.001");
      assertEquals(700_000, refused.budgets().get(0).spentNanos());
      assertTrue(restarted.admit(call("m", null, 300, 0)).proceeds());
    }
  }

  @Test
  void llmLimitsCountLlmCallsOnlyAndToolLimitsIgnoreThem() throws Exception {
    Policy p = policy(CHEAP + """
        limits:
          - {name: tools, scope: run, tools: "*", max_calls: 0}
          - {name: gpt-per-run, scope: run, llm: "gpt-*", max_calls: 2}
          - {name: all-llm, scope: process, llm: "*", max_calls: 100, window: 1m, per: "mdc:tenant"}
          - {name: nothing, scope: run, llm: "*", max_calls: 0, on_exceed: warn}
        """);
    LlmGovernor g = new LlmGovernor(p, clock, Ledger.none());
    assertEquals(Outcome.WARN, g.admit(call("gpt-4o", "r", 1, 1)).outcome());
    assertTrue(g.admit(call("gpt-4o", "r", 1, 1)).proceeds());
    Admission third = g.admit(call("gpt-4o", "r", 1, 1));
    assertEquals("limits[1]", third.rule());
    assertEquals(2, third.breaches().size(), "the warn limit is reported too");
    assertEquals(new Breach("limit", "gpt-per-run", "limits[1]", "run", null, OnExceed.BLOCK, 0, 0, 0, -1, 2, 1, 2,
        true), third.breaches().get(0));
    assertTrue(g.admit(call("m", "r", 1, 1)).proceeds(), "a model outside the glob is not counted");
    assertTrue(g.admit(call("gpt-4o", "r2", 1, 1)).proceeds(), "another run");
    PolicyEngine tools = new PolicyEngine(p, clock);
    assertEquals(Outcome.DENY, tools.decide(new ToolCall("search", "{}", "r")).outcome(), "tool limit still counts");
    Policy onlyLlm = policy("limits: [{name: l, scope: run, llm: \"*\", max_calls: 0}]\n");
    assertEquals(Outcome.ALLOW, new PolicyEngine(onlyLlm, clock).decide(new ToolCall("search", "{}", "r")).outcome(),
        "an llm limit never counts tool calls");
  }

  @Test
  void windowedLlmLimitForgetsOldCalls() throws Exception {
    LlmGovernor g = governor("limits: [{name: rate, scope: process, llm: \"*\", max_calls: 2, window: 1m}]\n");
    assertTrue(g.admit(call("x", null, 1, 1)).proceeds());
    assertTrue(g.admit(call("x", null, 1, 1)).proceeds());
    assertFalse(g.admit(call("x", null, 1, 1)).proceeds());
    clock.advance(Duration.ofSeconds(60));
    assertTrue(g.admit(call("x", null, 1, 1)).proceeds());
  }

  @Test
  void unknownModels() throws Exception {
    String usd = "budgets: [{name: b, scope: process, max_usd: 1, max_tokens: 100000}]\n";
    Admission blocked = governor(usd).admit(call("my-finetune", null, 10, 10));
    assertEquals(Outcome.DENY, blocked.outcome());
    assertEquals("pricing.unknown_model", blocked.rule());
    assertEquals("model \"my-finetune\" has no price in the policy or the price table of " + PriceTable.bundled().date()
        + " (pricing.unknown_model: block)", blocked.reason());
    assertEquals("pricing", blocked.breaches().get(0).kind());

    Admission noUsdBudget = governor("budgets: [{name: t, scope: process, max_tokens: 100}]\n")
        .admit(call("my-finetune", null, 10, 10));
    assertEquals(Outcome.ALLOW, noUsdBudget.outcome(), "without a USD budget a price is not needed");

    LlmGovernor warn = governor("pricing: {unknown_model: warn}\n" + usd);
    Admission warned = warn.admit(call("my-finetune", null, 10, 10));
    assertEquals(Outcome.WARN, warned.outcome());
    assertNull(warned.price());
    assertEquals(0, warned.reservedNanos());
    assertEquals(20, warned.reservedTokens());
    assertEquals(0, warn.settle(warned, null, in(1000), false).costNanos());
    assertEquals(1000, only(warn.snapshot()).spentTokens());

    Admission priced = governor("pricing: {unknown_model: {input_per_mtok: 10, output_per_mtok: 30}}\n" + usd)
        .admit(call("my-finetune", null, 1000, 1000));
    assertEquals(Outcome.ALLOW, priced.outcome());
    assertEquals("pricing.unknown_model", priced.price().key());
    assertEquals(10_000_000 + 30_000_000, priced.reservedNanos());
  }

  @Test
  void policyPricesWinOverTheTableExactNameBeforeGlob() throws Exception {
    LlmGovernor g = governor("""
        pricing:
          models:
            "gpt-*": {input_per_mtok: 100, output_per_mtok: 100}
            gpt-4o: {input_per_mtok: 1, output_per_mtok: 2}
        """);
    assertEquals("pricing.models.gpt-4o", g.price("gpt-4o").key());
    assertEquals("pricing.models.gpt-*", g.price("gpt-4o-mini").key());
    assertEquals("anthropic/claude-sonnet-4-5", g.price("claude-sonnet-4-5-20250929").key());
    assertNull(g.price("llama3"));
  }

  @Test
  void settlementIsPricedByTheResponseModelWhenItHasAPrice() throws Exception {
    LlmGovernor g = governor("budgets: [{name: b, scope: process, max_usd: 1}]\n");
    Admission a = g.admit(call("gpt-4o", null, 1000, 0));
    assertEquals(2_500_000, a.reservedNanos());
    Settlement s = g.settle(a, "gpt-4o-mini-2024-07-18", in(1000), false);
    assertEquals("openai/gpt-4o-mini", s.price().key());
    assertEquals(150_000, s.costNanos());
    Admission b = g.admit(call("gpt-4o", null, 1000, 0));
    assertEquals(2_500_000, g.settle(b, "some-deployment-name", in(1000), false).costNanos());
  }

  @Test
  void anUncappedRequestReservesTheDefaultOutput() throws Exception {
    LlmGovernor g = governor("pricing: {default_max_output_tokens: 100000}\n"
        + "budgets: [{name: b, scope: process, max_usd: 100}]\n");
    assertEquals(10 + 100000, g.admit(call("gpt-4o", null, 10, -1)).reservedTokens(),
        "the bundled table carries no model's maximum output, so the default is not capped");
    assertEquals(10 + 100000, g.admit(new LlmCall("p", "o1", null, null, null, 10, -1, 1)).reservedTokens());
    LlmGovernor defaults = governor("budgets: [{name: b, scope: process, max_usd: 100}]\n");
    assertEquals(10 + 4096, defaults.admit(call("gpt-4o", null, 10, -1)).reservedTokens());
    Admission two = defaults.admit(new LlmCall("p", "gpt-4o", null, null, null, 10, 100, 2));
    assertEquals(210, two.reservedTokens());
    assertEquals(Costs.worstCaseNanos(defaults.price("gpt-4o"), 10, 100, 2), two.reservedNanos());
  }

  /**
   * A response the meter could not read, with no usage in it, is charged what its hold reserved: settling it releases
   * the whole reservation as spend, whether the output cap came from the request or the policy's default.
   */
  @Test
  void anUnreadResponseIsChargedExactlyWhatItsHoldReserved() throws Exception {
    assertEquals(UsageSource.UNREAD, UsageSource.of(true, 200, false, true, true, true));
    assertEquals(UsageSource.ESTIMATED, UsageSource.of(true, 200, false, true, true, false), "no usage, no problem");
    assertEquals(UsageSource.ESTIMATED, UsageSource.of(true, 200, true, false, true, true), "partial usage");
    assertEquals("estimated", UsageSource.UNREAD.wire());
    LlmGovernor g = governor("budgets: [{name: b, scope: process, max_usd: 100}]\n");
    for (Admission a : List.of(g.admit(new LlmCall("p", "gpt-4o", null, null, null, 10, 100, 2)),
        g.admit(call("gpt-4o", null, 10, -1)))) {
      Usage worst = g.worstCase(a);
      assertEquals(a.reservedTokens(), worst.totalTokens(), worst.toString());
      assertEquals(a.reservedNanos(), g.settle(a, null, worst, true).costNanos());
    }
    assertEquals(0, only(g.snapshot()).reservedNanos());
  }

  @Test
  void budgetModelsGlobSelectsTheCallsItCounts() throws Exception {
    LlmGovernor g = governor("budgets: [{name: claude, scope: process, max_usd: 1, models: \"claude-*\"}]\n");
    assertEquals(List.of(), g.admit(call("gpt-4o", null, 10, 10)).budgets());
    assertEquals(1, g.admit(call("claude-haiku-4-5", null, 10, 10)).budgets().size());
  }

  @Test
  void theExamplePolicyDrivesAGovernor() throws Exception {
    Policy p = PolicyLoader.load(Path.of("examples/budgets.yaml"));
    LlmGovernor g = new LlmGovernor(p, clock, Ledger.none());
    Admission a = g.admit(new LlmCall("openai", "gpt-4o-mini", "r", "s", Map.of("tenant", "acme")::get, 1000, 500, 1));
    assertTrue(a.proceeds(), a.reason());
    assertEquals(List.of("per-run", "per-conversation", "daily", "monthly-gpt"),
        a.budgets().stream().map(BudgetState::budget).toList());
    assertEquals("acme", a.budgets().get(2).partition());
    assertEquals(ZoneOffset.UTC, clock.getZone());
    assertEquals("2026-11-24", a.budgets().get(2).period());
  }
}
