package dev.tollgate.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.budget.Admission;
import dev.tollgate.policy.budget.Ledger;
import dev.tollgate.policy.budget.LlmCall;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.Usage;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import dev.tollgate.policy.event.AgentStopped;
import dev.tollgate.policy.event.Amounts;
import dev.tollgate.policy.event.LimitExceeded;
import dev.tollgate.policy.event.LlmCallEvent;
import dev.tollgate.policy.event.ToolCallEvent;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MBeans as jconsole and jcmd see them: read through the platform MBeanServer by name. */
class TollgateMBeansTest {
  private static final String POLICY = """
      version: 1
      limits:
        - { name: searches, scope: process, tools: "search*", max_calls: 10, window: 1m }
        - { name: llm-per-run, scope: run, llm: "*", max_calls: 5 }
      budgets:
        - { name: daily, scope: process, max_usd: 2 }
        - { name: tokens, scope: run, max_tokens: 100000 }
      """;

  @TempDir
  Path dir;
  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private List<ObjectName> registered = List.of();
  private EnforcementLog log;

  @AfterEach
  void unregister() throws Exception {
    for (ObjectName n : registered) {
      server.unregisterMBean(n);
    }
    if (log != null) {
      log.close();
    }
  }

  @Test
  void decisionsBudgetsAndLimitsAreReadableByNameOnThePlatformServer() throws Exception {
    Policy policy = PolicyLoader.parse(POLICY, "t.yaml");
    PolicyEngine engine = new PolicyEngine(policy, Clock.systemUTC());
    LlmGovernor governor = new LlmGovernor(policy, Clock.systemUTC(), Ledger.none());
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    Metrics metrics = Metrics.listen(log, policy);
    TollgateMBeans beans = new TollgateMBeans(counters(metrics), log, policy, engine, () -> governor);
    registered = beans.register();
    assertEquals(6, registered.size());

    engine.decide(new ToolCall("search", "test", null, "{}", null, Map.of()));
    engine.decide(new ToolCall("search", "test", null, "{}", null, Map.of()));
    log.write(tool("search", Outcome.ALLOW));
    log.write(tool("search", Outcome.ALLOW));
    log.writeDurably(tool("delete_file", Outcome.DENY));
    log.write(llm(Outcome.ALLOW, 1_500_000_000L));
    log.write(new LimitExceeded("searches", "limits[0]", "process", 10L, null, "1m", null, "block", true,
        "search", "test", null, null, Amounts.NONE));
    Admission a = governor.admit(new LlmCall("openai", "gpt-4o-mini", "r1", null, null, 1000, 1000, 1));
    governor.settle(a, null, new Usage(1_000_000, 0, 0, 100_000, 0), false);

    ObjectName decisions = new ObjectName("dev.tollgate:type=Decisions");
    assertEquals(2L, server.getAttribute(decisions, "ToolCallsAllowed"));
    assertEquals(1L, server.getAttribute(decisions, "ToolCallsDenied"));
    assertEquals(0L, server.getAttribute(decisions, "ToolCallsWarned"));
    assertEquals(1L, server.getAttribute(decisions, "LlmCallsAllowed"));
    assertEquals(1L, server.getAttribute(decisions, "LimitsExceeded"));
    assertEquals(1.5, (double) server.getAttribute(decisions, "LlmCostUsd"), 1e-9);

    ObjectName agent = new ObjectName("dev.tollgate:type=Agent");
    assertEquals(0L, server.getAttribute(agent, "SuppressedErrors"));
    assertTrue((int) server.getAttribute(agent, "LogQueueDepth") >= 0);

    ObjectName daily = new ObjectName("dev.tollgate:type=Budget,name=daily");
    assertEquals("process", server.getAttribute(daily, "Scope"));
    assertEquals(2.0, (double) server.getAttribute(daily, "LimitUsd"), 1e-9);
    double spent = (double) server.getAttribute(daily, "SpentUsd");
    assertTrue(spent > 0.2 && spent < 0.25, "gpt-4o-mini: 1M input tokens at 0.15 + 100k output at 0.60: " + spent);
    assertEquals(100.0 * spent / 2.0, (double) server.getAttribute(daily, "PercentUsed"), 1e-6);
    assertEquals("process", server.getAttribute(daily, "Period"));
    assertEquals(1, server.getAttribute(daily, "Instances"));
    assertEquals(-1.0, (double) server.getAttribute(new ObjectName("dev.tollgate:type=Budget,name=tokens"),
        "LimitUsd"));

    ObjectName searches = new ObjectName("dev.tollgate:type=Limit,name=searches");
    assertEquals("tools", server.getAttribute(searches, "Counts"));
    assertEquals(10L, server.getAttribute(searches, "MaxCalls"));
    assertEquals(60L, server.getAttribute(searches, "WindowSeconds"));
    assertEquals(2L, server.getAttribute(searches, "Count"));
    assertEquals(1L, server.getAttribute(searches, "Exceeded"));
    ObjectName llmLimit = new ObjectName("dev.tollgate:type=Limit,name=llm-per-run");
    assertEquals("llm", server.getAttribute(llmLimit, "Counts"));
    assertEquals(1L, server.getAttribute(llmLimit, "Count"));
  }

  @Test
  void theExportWaitsForTheFirstGovernedCallThenRegisters() throws Exception {
    Policy policy = PolicyLoader.parse("version: 1\n", "t.yaml");
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    Metrics metrics = Metrics.listen(log, policy);
    ObjectName decisions = new ObjectName("dev.tollgate:type=Decisions");
    AtomicInteger loads = new AtomicInteger();
    // classes keep being loaded: the app is still starting
    Thread export = metrics.exportInBackground(new PolicyEngine(policy, Clock.systemUTC()), () -> null,
        loads::incrementAndGet, 50, 600_000);
    log.write(new AgentStopped(0)); // not a governed call
    log.flush();
    Thread.sleep(300);
    assertFalse(server.isRegistered(decisions), "nothing is registered before the first governed call");
    log.write(tool("search", Outcome.ALLOW));
    awaitExported(export);
    assertTrue(server.isRegistered(decisions));
    assertEquals(1L, server.getAttribute(decisions, "ToolCallsAllowed"), "the call that opened the export counted");
  }

  @Test
  void withoutAGovernedCallTheExportHappensOnceClassLoadingIsQuiet() throws Exception {
    Policy policy = PolicyLoader.parse("version: 1\n", "t.yaml");
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    AtomicInteger loads = new AtomicInteger();
    AtomicBoolean starting = new AtomicBoolean(true);
    long begun = System.nanoTime();
    Thread export = Metrics.listen(log, policy).exportInBackground(new PolicyEngine(policy, Clock.systemUTC()),
        () -> null, () -> starting.get() ? loads.incrementAndGet() : loads.get(), 200, 600_000);
    Thread.sleep(600);
    assertFalse(server.isRegistered(new ObjectName("dev.tollgate:type=Decisions")),
        "nothing is registered while classes are being loaded");
    starting.set(false);
    awaitExported(export);
    assertTrue(server.isRegistered(new ObjectName("dev.tollgate:type=Decisions")));
    assertTrue(System.nanoTime() - begun >= TimeUnit.MILLISECONDS.toNanos(700),
        "the quiet moment is counted from the last class load seen (polled every 100 ms)");
  }

  @Test
  void classLoadingThatNeverStopsDelaysTheExportNoLongerThanTheMaximum() throws Exception {
    Policy policy = PolicyLoader.parse("version: 1\n", "t.yaml");
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    AtomicInteger loads = new AtomicInteger();
    awaitExported(Metrics.listen(log, policy).exportInBackground(new PolicyEngine(policy, Clock.systemUTC()),
        () -> null, loads::incrementAndGet, 600_000, 300));
    assertTrue(server.isRegistered(new ObjectName("dev.tollgate:type=Decisions")));
  }

  private void awaitExported(Thread export) throws Exception {
    export.join(20_000);
    registered = List.copyOf(server.queryNames(new ObjectName("dev.tollgate:*"), null));
    assertFalse(export.isAlive(), "exported within 20 s");
  }

  @Test
  void aNameTakenAlreadyIsLeftAloneAndNothingElseIsTouched() throws Exception {
    Policy policy = PolicyLoader.parse("version: 1\n", "t.yaml");
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    int before = server.getMBeanCount();
    TollgateMBeans first = new TollgateMBeans(new DecisionCounters(0), log, policy,
        new PolicyEngine(policy, Clock.systemUTC()), () -> null);
    registered = first.register();
    List<ObjectName> second = new TollgateMBeans(new DecisionCounters(0), log, policy,
        new PolicyEngine(policy, Clock.systemUTC()), () -> null).register();
    assertTrue(second.isEmpty());
    assertEquals(before + 2, server.getMBeanCount());
    assertFalse(server.queryNames(new ObjectName("java.lang:type=Runtime"), null).isEmpty());
  }

  private static DecisionCounters counters(Metrics metrics) {
    return metrics.counters();
  }

  static ToolCallEvent tool(String name, Outcome o) {
    return new ToolCallEvent(o, o == Outcome.DENY, o == Outcome.DENY ? "tools.deny[0]" : null, null, name, "test",
        "r1", null, null, null);
  }

  static LlmCallEvent llm(Outcome o, long costNanos) {
    return llm("openai", "gpt-4o-mini", o, costNanos);
  }

  static LlmCallEvent llm(String provider, String model, Outcome o, long costNanos) {
    return new LlmCallEvent(o, o == Outcome.DENY, null, null,
        new LlmCallEvent.Target("jdk", provider, "chat", model, "/v1/chat/completions", false, "r1", null), null,
        null, null, null,
        new LlmCallEvent.Result(200, true, null, model, "reported", 1000L, 200L, 100L, null, null, costNanos, null,
            null, 5L));
  }
}
