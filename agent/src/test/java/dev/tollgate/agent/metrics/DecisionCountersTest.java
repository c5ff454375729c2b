package dev.tollgate.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.MetricsSettings;
import dev.tollgate.policy.engine.Outcome;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Label values a model chooses are bounded; the Prometheus series carry the conventional names and values. */
class DecisionCountersTest {
  @TempDir
  Path dir;

  @Test
  void modelChosenToolNamesBeyondTheCapAreFoldedIntoOther() {
    DecisionCounters counters = new DecisionCounters(0);
    for (int i = 0; i < 10_000; i++) {
      counters.onEvent(TollgateMBeansTest.tool("tool_" + i, Outcome.ALLOW), false);
    }
    counters.onEvent(TollgateMBeansTest.tool("x".repeat(1000), Outcome.DENY), false);
    assertEquals(DecisionCounters.MAX_TOOLS, counters.tools().distinct());
    List<String> labels = new ArrayList<>();
    long[] other = new long[2];
    counters.tools().forEach((name, d) -> {
      labels.add(name);
      if (name.equals("other")) {
        other[0] = d.get(Outcome.ALLOW);
        other[1] = d.get(Outcome.DENY);
      }
    });
    assertEquals(DecisionCounters.MAX_TOOLS + 1, labels.size());
    assertEquals(10_000 - DecisionCounters.MAX_TOOLS, other[0]);
    assertEquals(1, other[1], "a 1000-character name is no label");
    assertEquals(10_000, counters.toolCalls(Outcome.ALLOW));
  }

  @Test
  void modelNamesAreBoundedToo() {
    DecisionCounters counters = new DecisionCounters(0);
    for (int i = 0; i < 500; i++) {
      counters.onEvent(TollgateMBeansTest.llm("openai", "model-" + i, Outcome.ALLOW, 1), false);
    }
    int[] models = {0};
    counters.providers().forEach((p, m) -> models[0] += m.distinct());
    assertEquals(DecisionCounters.MAX_MODELS, models[0]);
  }

  @Test
  void concurrentFirstSightingsNeverAdmitMoreThanTheCap() throws Exception {
    BoundedLabels<java.util.concurrent.atomic.LongAdder> labels =
        new BoundedLabels<>(8, java.util.concurrent.atomic.LongAdder::new);
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      int base = t * 1000;
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          labels.cells("n" + (base + i)).increment();
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(8, labels.distinct());
    long[] total = {0};
    labels.forEach((n, c) -> total[0] += c.sum());
    assertEquals(8000, total[0]);
  }

  @Test
  void theEndpointServesTheConventionalSeries() throws Exception {
    dev.tollgate.policy.Policy policy = dev.tollgate.policy.PolicyLoader.parse("""
        version: 1
        budgets: [{ name: daily, scope: process, max_usd: 2 }]
        limits: [{ name: searches, scope: process, tools: "search*", max_calls: 10 }]
        """, "t.yaml");
    dev.tollgate.policy.budget.LlmGovernor governor =
        new dev.tollgate.policy.budget.LlmGovernor(policy, Clock.systemUTC(), dev.tollgate.policy.budget.Ledger.none());
    DecisionCounters counters = new DecisionCounters(2);
    counters.onEvent(TollgateMBeansTest.tool("search", Outcome.ALLOW), false);
    counters.onEvent(TollgateMBeansTest.tool("delete_file", Outcome.DENY), true);
    counters.onEvent(TollgateMBeansTest.llm(Outcome.ALLOW, 250_000_000L), false);
    counters.onEvent(new dev.tollgate.policy.event.LimitExceeded("searches", "limits[0]", "process", 10L, null, null,
        null, "block", true, "search", "test", null, null, null), true);
    counters.onEvent(new dev.tollgate.policy.event.LlmUnmetered("openai-java", "openai", "gpt-4o-mini", "r1", null,
        "unsupported content-encoding: usage not read", 1024, 700_000L), false);
    try (dev.tollgate.agent.log.EnforcementLog log =
             dev.tollgate.agent.log.EnforcementLog.open(dir.resolve("l.jsonl"), Clock.systemUTC());
         PrometheusEndpoint endpoint = PrometheusEndpoint.start(new MetricsSettings.Prometheus("127.0.0.1", 0),
             counters, new TollgateMBeans(counters, log, policy,
                 new dev.tollgate.policy.engine.PolicyEngine(policy, Clock.systemUTC()), () -> governor),
             log::queueDepth)) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      String text = r.body();
      assertTrue(text.contains("tollgate_tool_calls_total{decision=\"allow\",tool=\"search\"} 1.0"), text);
      assertTrue(text.contains("tollgate_tool_calls_total{decision=\"deny\",tool=\"delete_file\"} 1.0"), text);
      assertTrue(text.contains(
          "tollgate_llm_calls_total{decision=\"allow\",model=\"gpt-4o-mini\",provider=\"openai\"} 1.0"), text);
      assertTrue(text.contains("tollgate_llm_cost_usd_total{model=\"gpt-4o-mini\",provider=\"openai\"} 0.25"), text);
      assertTrue(text.contains("tollgate_llm_tokens_total{kind=\"input\",model=\"gpt-4o-mini\"} 1000.0"), text);
      assertTrue(text.contains("tollgate_llm_tokens_total{kind=\"output\",model=\"gpt-4o-mini\"} 200.0"), text);
      assertTrue(text.contains("tollgate_limit_exceeded_total{limit=\"searches\"} 1.0"), text);
      assertTrue(text.contains("tollgate_budget_limit_usd{budget=\"daily\",scope=\"process\"} 2.0"), text);
      assertTrue(text.contains("tollgate_budget_spent_usd{budget=\"daily\",scope=\"process\"} 0.0"), text);
      assertTrue(text.contains("tollgate_llm_unmetered_total{provider=\"openai\"} 1.0"), text);
      assertEquals(1, counters.llmUnmetered());
      assertTrue(text.contains("tollgate_agent_suppressed_errors 0.0"), text);
      assertFalse(text.contains("r1"), "no run ids in labels");
    }
  }
}
