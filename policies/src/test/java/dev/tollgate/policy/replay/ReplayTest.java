package dev.tollgate.policy.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.budget.Usage;
import dev.tollgate.policy.engine.PolicyEngine;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayTest {
  static Policy policy(String yaml) throws PolicyException {
    return PolicyLoader.parse("version: 1\n" + yaml, "candidate.yaml");
  }

  static Recorded.ToolCallMade tool(int second, String name, String run, String digest) {
    return new Recorded.ToolCallMade(Instant.parse("2026-12-04T10:00:00Z").plusSeconds(second), "log:" + second, name,
        "langchain4j", run, null, digest);
  }

  @Test
  void onlyAnArgumentRuleReachedBeforeTheNameDecidesLeavesACallUndecided() throws PolicyException {
    PolicyEngine engine = new PolicyEngine(policy("""
        tools:
          deny: ["shell_*"]
          rules:
            - { tool: "fetch", decision: allow }
            - { tool: "*", args: { url: { url_host: [private] } }, decision: deny }
        """), Clock.systemUTC());
    assertNull(engine.argumentRuleFor("shell_exec"), "a deny glob decides first");
    assertNull(engine.argumentRuleFor("fetch"), "a rule on the name alone decides first");
    assertEquals("tools.rules[1]", engine.argumentRuleFor("http_get"));
  }

  @Test
  void undecidedCallsAreCountedApartAndNeverTowardLimits() throws PolicyException {
    Replay replay = new Replay(policy("""
        tools:
          rules:
            - { tool: http_get, args: { url: { url_host: [private] } }, decision: deny }
        limits:
          - { name: two, scope: process, tools: "*", max_calls: 2 }
        """));
    replay.replay(tool(1, "http_get", "r1", "a"));
    replay.replay(tool(2, "http_get", "r1", "b"));
    replay.replay(tool(3, "lookup", "r1", "c"));
    replay.replay(tool(4, "lookup", "r1", "d"));
    replay.replay(tool(5, "lookup", "r1", "e"));
    Replay.Result r = replay.result();
    assertEquals(Map.of("tools.rules[0]", 2L), r.notEvaluated());
    assertEquals(1, r.refusedCalls(), "only the third lookup passes the limit of 2");
    assertEquals("limits[0]", r.refused().get(0).rule());
    assertEquals("log:5", r.refused().get(0).firstWhere());
  }

  @Test
  void theLoopGuardComparesArgumentDigests() throws PolicyException {
    Replay replay = new Replay(policy("""
        limits:
          - { name: no-loops, scope: run, tools: "*", max_identical: 2 }
        """));
    for (int i = 0; i < 3; i++) {
      replay.replay(tool(i, "search", "r1", "same"));
    }
    replay.replay(tool(3, "search", "r1", "other"));
    assertEquals(1, replay.result().refusedCalls());
  }

  @Test
  void aDayBudgetFollowsTheLogsClockAndStartsAgainNextDay() throws PolicyException {
    Replay replay = new Replay(policy("""
        budgets:
          - { name: daily, scope: day, max_usd: 0.25 }
        pricing:
          models: { m: { input_per_mtok: 2.5, output_per_mtok: 10 } }
        ledger: { dir: /nonexistent/never-touched, time_zone: UTC }
        """));
    Usage tenCents = new Usage(20_000, 0, 0, 5_000, 0);
    for (String ts : List.of("2026-12-04T10:00:00Z", "2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z",
        "2026-12-05T00:00:01Z")) {
      replay.replay(new Recorded.LlmCallMade(Instant.parse(ts), ts, "openai", "m", null, null, tenCents,
          100_000_000));
    }
    Replay.Result r = replay.result();
    assertEquals(1, r.refusedCalls(), "the third call of the 4th; the 5th's starts at zero");
    assertEquals(100_000_000, r.savedNanos());
    assertEquals(300_000_000, r.replayedNanos());
    assertEquals("2026-12-04T12:00:00Z", r.crossings().get(0).where());
  }
}
