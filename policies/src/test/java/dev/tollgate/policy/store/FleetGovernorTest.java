package dev.tollgate.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.budget.Admission;
import dev.tollgate.policy.budget.LlmCall;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.PriceTable;
import dev.tollgate.policy.budget.Settlement;
import dev.tollgate.policy.budget.Usage;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import dev.tollgate.policy.engine.ToolVerdict;
import java.util.Map;
import dev.tollgate.policy.testing.RedisServerProcess;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two governors (two JVMs) over one real Redis: what the policy shares, they share; run and process stay apart. */
class FleetGovernorTest {
  /** A model at 1 USD per million tokens in and out: 1000 nano-USD per token. */
  private static final String CHEAP = "pricing: {models: {m: {input_per_mtok: 1, output_per_mtok: 1}}}\n";
  private RedisServerProcess server;
  private final List<BudgetStore> opened = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = RedisServerProcess.start();
  }

  @AfterEach
  void stop() {
    opened.forEach(BudgetStore::close);
    server.close();
  }

  private LlmGovernor jvm(String yaml) throws Exception {
    Policy p = PolicyLoader.parse("version: 1\n" + CHEAP + yaml + """
        ledger:
          store: redis
          redis: { url: "%s", key_prefix: "gov:", hold_ttl: 1m }
        """.formatted(server.url()), "p.yaml");
    FleetStore fleet = new FleetStore(new RedisStore(p.ledger().redis(), null),
        LocalStore.inMemory(Duration.ofMinutes(1), Clock.systemUTC()), null);
    opened.add(fleet);
    return new LlmGovernor(p, Clock.systemUTC(), LocalStore.inMemory(Duration.ofMinutes(1), Clock.systemUTC()), fleet,
        Duration.ofMinutes(1), PriceTable.bundled());
  }

  private PolicyEngine engine(String yaml) throws Exception {
    Policy p = PolicyLoader.parse("version: 1\n" + yaml + """
        ledger:
          store: redis
          redis: { url: "%s", key_prefix: "engine:", on_unavailable: block, timeout: 200ms }
        """.formatted(server.url()), "p.yaml");
    FleetStore fleet = new FleetStore(new RedisStore(p.ledger().redis(), null),
        LocalStore.inMemory(Duration.ofMinutes(1), Clock.systemUTC()), null);
    opened.add(fleet);
    return new PolicyEngine(p, Clock.systemUTC(), fleet);
  }

  private static ToolCall tool(String name, String args, String run, String session) {
    return new ToolCall(name, "test", run, args, session, Map.of());
  }

  @Test
  void sessionToolLimitsAndLoopGuardsCountAcrossJvmsAndRunLimitsDoNot() throws Exception {
    String yaml = """
        limits:
          - {name: per-session, scope: session, tools: "*", max_calls: 3}
          - {name: no-loops, scope: session, tools: "*", max_identical: 2}
          - {name: per-run, scope: run, tools: "*", max_calls: 2}
        """;
    PolicyEngine podA = engine(yaml);
    PolicyEngine podB = engine(yaml);
    assertEquals(Outcome.ALLOW, podA.decide(tool("search", "{\"q\":1}", "ra", "s1")).outcome());
    assertEquals(Outcome.ALLOW, podB.decide(tool("search", "{\"q\":1}", "rb", "s1")).outcome());
    ToolVerdict loop = podA.decide(tool("search", "{\"q\":1}", "ra", "s1"));
    assertEquals("limits[1]", loop.rule(), "the third identical call of the session, made on two pods");
    assertTrue(loop.breach().first());
    assertEquals(Outcome.ALLOW, podB.decide(tool("search", "{\"q\":2}", "rb", "s1")).outcome());
    ToolVerdict cap = podA.decide(tool("lookup", "{}", "ra2", "s1"));
    assertEquals("limits[0]", cap.rule(), "3 calls of session s1 were made across the pods");
    assertEquals(Outcome.ALLOW, podA.decide(tool("lookup", "{}", "ra3", "s2")).outcome(), "another session");
    assertEquals(Outcome.ALLOW, podA.decide(tool("lookup", "{}", "ra3", "s3")).outcome());
    ToolVerdict run = podA.decide(tool("lookup", "{}", "ra3", "s4"));
    assertEquals("limits[2]", run.rule(), "the run limit is this JVM's own");
    assertEquals(Outcome.ALLOW, podB.decide(tool("lookup", "{}", "ra3", "s5")).outcome(),
        "a run id on another pod is another run");
  }

  @Test
  void anApprovalOfAPausedSessionLimitRaisesItForTheWholeFleet() throws Exception {
    String yaml = "limits: [{name: per-session, scope: session, tools: \"*\", max_calls: 2, on_exceed: pause}]\n";
    PolicyEngine podA = engine(yaml);
    PolicyEngine podB = engine(yaml);
    assertEquals(Outcome.ALLOW, podA.decide(tool("search", "{}", "ra", "s1")).outcome());
    assertEquals(Outcome.ALLOW, podB.decide(tool("search", "{}", "rb", "s1")).outcome());
    ToolVerdict paused = podA.decide(tool("search", "{}", "ra", "s1"));
    assertEquals("s1", paused.paused().instance(), "the session's fleet-wide count is full: the call may wait");
    dev.tollgate.policy.event.AuditEvent approve = new dev.tollgate.policy.event.AuditEvent(
        dev.tollgate.policy.event.AuditEvent.Action.APPROVE, "a1", java.time.Instant.EPOCH, "per-session", "limit",
        "session", null, "s1", "alice", "why", null, null, null, null, null, null, null, null, null, null, null,
        "search", 1L, 1L);
    podA.adjustments().add(approve); // every JVM's follower reads it from the shared journal
    podB.adjustments().add(approve);
    assertEquals(Outcome.ALLOW, podB.decide(tool("search", "{}", "rb", "s1")).outcome(), "one more call, on any pod");
    assertTrue(podA.decide(tool("search", "{}", "ra", "s1")).paused() != null, "and only one");
    assertEquals(Outcome.ALLOW, podA.decide(tool("search", "{}", "ra", "s2")).outcome(), "another session");
  }

  @Test
  void aSessionToolLimitRefusesWhileRedisIsDownWithBlock() throws Exception {
    PolicyEngine pod = engine("limits: [{name: per-session, scope: session, tools: \"*\", max_calls: 3}]\n");
    assertEquals(Outcome.ALLOW, pod.decide(tool("search", "{}", "r", "s1")).outcome());
    server.kill();
    ToolVerdict v = pod.decide(tool("search", "{}", "r", "s1"));
    assertEquals(Outcome.DENY, v.outcome());
    assertEquals("ledger.redis.on_unavailable", v.rule());
    assertEquals(Outcome.ALLOW, pod.decide(tool("search", "{}", "r", null)).outcome(),
        "a call without a session is a session of its own, counted here");
  }

  private static LlmCall call(String run, String session, long prompt, long maxOut) {
    return new LlmCall("openai", "m", run, session, null, prompt, maxOut, 1);
  }

  private static Settlement settle(LlmGovernor g, Admission a, long tokens) {
    return g.settle(a, null, new Usage(tokens, 0, 0, 0, 0), false);
  }

  @Test
  void aSessionBudgetFollowsTheSessionAcrossJvms() throws Exception {
    String yaml = "budgets: [{name: per-session, scope: session, max_usd: 0.001}]\n";
    LlmGovernor podA = jvm(yaml);
    LlmGovernor podB = jvm(yaml);
    Admission first = podA.admit(call("r1", "conversation-7", 400, 100));
    assertTrue(first.proceeds());
    settle(podA, first, 500);
    Admission second = podB.admit(call("r2", "conversation-7", 400, 100));
    assertTrue(second.proceeds());
    settle(podB, second, 500);
    Admission third = podA.admit(call("r3", "conversation-7", 100, 0));
    assertFalse(third.proceeds(), "the session spent its 0.001 USD across both pods");
    assertEquals("budgets[0]", third.rule());
    assertTrue(podB.admit(call("r4", "conversation-8", 400, 100)).proceeds(), "another session has its own");
  }

  @Test
  void aTotalBudgetIsSharedAndRunAndProcessBudgetsAreNot() throws Exception {
    String yaml = """
        budgets:
          - {name: forever, scope: total, max_usd: 0.003}
          - {name: per-process, scope: process, max_usd: 0.002}
        """;
    LlmGovernor podA = jvm(yaml);
    LlmGovernor podB = jvm(yaml);
    settle(podA, podA.admit(call(null, null, 1000, 0)), 1000);
    settle(podA, podA.admit(call(null, null, 1000, 0)), 1000);
    Admission a3 = podA.admit(call(null, null, 1000, 0));
    assertFalse(a3.proceeds(), "pod A's own process budget is spent");
    assertEquals("budgets[1]", a3.rule());
    Admission b1 = podB.admit(call(null, null, 1000, 0));
    assertTrue(b1.proceeds(), "pod B's process budget is its own");
    settle(podB, b1, 1000);
    Admission b2 = podB.admit(call(null, null, 1000, 0));
    assertFalse(b2.proceeds(), "but the total is the fleet's: 3 x 0.001 spent");
    assertEquals("budgets[0]", b2.rule());
  }

  @Test
  void aWindowedSessionLimitOnLlmCallsIsSharedAndForgetsOldCalls() throws Exception {
    String yaml = "limits: [{name: per-session-rate, scope: session, llm: \"*\", max_calls: 2, window: 500ms}]\n";
    LlmGovernor podA = jvm(yaml);
    LlmGovernor podB = jvm(yaml);
    assertTrue(podA.admit(call("r1", "s", 1, 1)).proceeds());
    assertTrue(podB.admit(call("r2", "s", 1, 1)).proceeds());
    Admission third = podA.admit(call("r3", "s", 1, 1));
    assertFalse(third.proceeds());
    assertEquals("limits[0]", third.rule());
    assertTrue(third.breaches().get(0).first(), "the first breach is the fleet's first");
    assertFalse(podB.admit(call("r4", "s", 1, 1)).breaches().get(0).first(), "and logged once for the fleet");
    Thread.sleep(550);
    assertTrue(podB.admit(call("r5", "s", 1, 1)).proceeds(), "the window has passed for both pods");
  }

  @Test
  void aWarnThresholdIsCrossedOnceForTheFleet() throws Exception {
    String yaml = "budgets: [{name: daily, scope: day, max_usd: 0.002, warn_at: [0.5]}]\n";
    LlmGovernor podA = jvm(yaml);
    LlmGovernor podB = jvm(yaml);
    Settlement a = settle(podA, podA.admit(call(null, null, 600, 0)), 600);
    Settlement b = settle(podB, podB.admit(call(null, null, 600, 0)), 600);
    Settlement c = settle(podA, podA.admit(call(null, null, 100, 0)), 100);
    assertEquals(0, a.thresholdsCrossed().size());
    assertEquals(1, b.thresholdsCrossed().size(), "the pod whose spend crossed 50 % reports it");
    assertEquals(0, c.thresholdsCrossed().size(), "no other pod reports it again");
    assertEquals(1_300_000, c.budgets().get(0).spentNanos());
  }
}
