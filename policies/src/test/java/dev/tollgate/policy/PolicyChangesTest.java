package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What policy.reloaded says changed, what carries over, and what waits for a restart. */
class PolicyChangesTest {
  private static Policy p(String yaml) throws PolicyException {
    return PolicyLoader.parse(yaml, "p.yaml");
  }

  @Test
  void namesEachChangeAndWhatCarriesOver() throws Exception {
    Policy before = p("""
        version: 1
        tools: { deny: [a] }
        limits:
          - { name: kept, scope: run, tools: "*", max_calls: 5 }
          - { name: rescoped, scope: run, tools: "*", max_calls: 5 }
          - { name: gone, scope: run, tools: "*", max_calls: 5 }
        budgets:
          - { name: daily, scope: day, max_usd: 5 }
        log: { path: a.jsonl }
        """);
    Policy after = p("""
        version: 1
        mode: monitor
        tools: { deny: [a, b] }
        limits:
          - { name: kept, scope: run, tools: "*", max_calls: 3 }
          - { name: rescoped, scope: process, tools: "*", max_calls: 5 }
          - { name: new, scope: run, tools: "*", max_calls: 5 }
        budgets:
          - { name: daily, scope: day, max_usd: 5 }
        log: { path: b.jsonl }
        coverage: { require: [llm] }
        """);
    assertEquals(List.of("mode: enforce -> monitor", "tools", "limit changed: kept", "limit changed: rescoped",
        "limit added: new", "limit removed: gone"), PolicyChanges.changes(before, after));
    assertEquals(List.of("kept", "daily"), PolicyChanges.carried(before, after));
    assertEquals(List.of("log", "coverage"), PolicyChanges.restartNeeded(before, after));
    assertEquals(List.of(), PolicyChanges.changes(before, before));
  }
}
