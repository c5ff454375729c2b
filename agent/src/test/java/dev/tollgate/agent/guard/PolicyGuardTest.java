package dev.tollgate.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.bootstrap.LimitExceededException;
import dev.tollgate.bootstrap.Refusal;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.engine.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard between advice and engine, with the real engine and a real log file. */
class PolicyGuardTest {
  private static final String POLICY = """
      version: 1
      tools:
        deny: ["delete_*"]
      limits:
        - { name: two-per-run, scope: run, tools: "lookup", max_calls: 2 }
        - { name: halt-after-one, scope: run, tools: "launch", max_calls: 1, on_exceed: halt }
      """;
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);
  @TempDir
  Path dir;

  private EnforcementLog log;

  @AfterEach
  void closeLog() {
    if (log != null) {
      log.close();
    }
  }

  private PolicyGuard guard(String policy) throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), CLOCK);
    return new PolicyGuard(new PolicyEngine(PolicyLoader.parse(policy, "t.yaml"), CLOCK), log, false);
  }

  private List<JsonNode> log() throws Exception {
    List<JsonNode> events = new ArrayList<>();
    ObjectMapper m = new ObjectMapper();
    log.flush();
    for (String line : Files.readAllLines(dir.resolve("log.jsonl"))) {
      events.add(m.readTree(line));
    }
    return events;
  }

  @Test
  void deniedToolGetsRefusalNamingTheRuleAndTheLogNeverHoldsArguments() throws Exception {
    PolicyGuard g = guard(POLICY);
    Refusal r = g.toolEnter("langchain4j", "delete_file", "{\"path\":\"/etc/passwd\",\"token\":\"sk-live-SECRET\"}",
        "user-7");

    assertNotNull(r);
    assertNull(r.halt());
    assertTrue(r.text().startsWith("blocked by policy: tools.deny[0]: "), r.text());
    String raw = Files.readString(dir.resolve("log.jsonl"));
    assertFalse(raw.contains("SECRET"), raw);
    assertFalse(raw.contains("/etc/passwd"), raw);
    JsonNode call = log().get(0);
    assertEquals("tool.call", call.get("event").asText());
    assertEquals("deny", call.get("decision").asText());
    assertTrue(call.get("enforced").asBoolean());
    assertEquals("tools.deny[0]", call.get("rule").asText());
    assertEquals("2026-11-24T10:00:00Z", call.get("ts").asText());
    assertEquals(64, call.get("args_sha256").asText().length());
  }

  @Test
  void anMcpToolReachedThroughARenamingAdapterIsDeniedUnderItsOwnNameAndCountedOnce() throws Exception {
    PolicyGuard g = guard("""
        version: 1
        tools:
          deny: ["delete_*"]
        limits:
          - { name: three-calls, scope: process, tools: "*", max_calls: 3 }
        """);
    assertNull(g.toolEnter("spring-ai", "alt_1_delete_file", "{}", null), "the adapter's name passes delete_*");
    Refusal r = g.toolRulesEnter("mcp", "files/delete_file", "{\"path\":\"/srv\"}");
    assertNotNull(r);
    assertTrue(r.text().startsWith("blocked by policy: tools.deny[0]: "), r.text());
    g.toolExit();
    g.toolExit();
    assertNull(g.toolEnter("spring-ai", "spring_ai_lookup", "{}", null));
    assertNull(g.toolRulesEnter("mcp", "files/lookup", "{}"), "allowed, and not counted again");
    g.toolExit();
    List<JsonNode> calls = log().stream().filter(e -> e.get("event").asText().equals("tool.call")).toList();
    assertEquals(List.of("alt_1_delete_file", "files/delete_file", "spring_ai_lookup"),
        calls.stream().map(e -> e.get("tool").asText()).toList());
    assertEquals("deny", calls.get(1).get("decision").asText());
    assertNull(g.toolEnter("spring-ai", "third", "{}", null), "the remote names were not counted: this is call 3");
    g.toolExit();
    assertNotNull(g.toolEnter("spring-ai", "fourth", "{}", null));
    g.toolExit();
  }

  @Test
  void runLimitRefusesTheThirdCallAndLogsTheBreachOnce() throws Exception {
    PolicyGuard g = guard(POLICY);
    Object run = g.runEnter("langchain4j");
    assertNull(g.toolEnter("langchain4j", "lookup", "{}", null));
    assertNull(g.toolEnter("langchain4j", "lookup", "{}", null));
    Refusal third = g.toolEnter("langchain4j", "lookup", "{}", null);
    Refusal fourth = g.toolEnter("langchain4j", "lookup", "{}", null);
    assertNull(g.runExit(run, null));

    assertTrue(third.text().startsWith("blocked by policy: limits[0]: "), third.text());
    assertNotNull(fourth);
    List<JsonNode> events = log();
    assertEquals(1, events.stream().filter(e -> e.get("event").asText().equals("limit.exceeded")).count());
    JsonNode breach = events.stream().filter(e -> e.get("event").asText().equals("limit.exceeded")).findFirst()
        .orElseThrow();
    assertEquals("two-per-run", breach.get("limit").asText());
    assertEquals(2, breach.get("max_calls").asInt());
    assertEquals("run", breach.get("scope").asText());

    Object next = g.runEnter("langchain4j");
    assertNull(g.toolEnter("langchain4j", "lookup", "{}", null), "a new run starts with fresh counters");
    g.runExit(next, null);
  }

  @Test
  void haltIsTypedPendingForTheFrameworkAndRethrownAtRunExitIfSwallowed() throws Exception {
    PolicyGuard g = guard(POLICY);
    Object run = g.runEnter("langchain4j");
    assertNull(g.toolEnter("langchain4j", "launch", "{}", null));
    Refusal halt = g.toolEnter("langchain4j", "launch", "{}", null);

    LimitExceededException e = (LimitExceededException) halt.halt();
    assertEquals("halt-after-one", e.limit());
    assertEquals("run", e.scope());
    assertEquals(1, e.maxCalls());
    assertEquals("limits[1]", e.rule());
    assertSame(e, g.takePendingHalt());
    assertNull(g.takePendingHalt(), "taken once");
    assertSame(e, g.toolEnter("langchain4j", "lookup", "{}", null).halt(), "a halted run refuses everything");
    assertSame(e, g.runExit(run, null), "swallowed halt resurfaces at the run's exit");
    List<JsonNode> calls = log().stream().filter(j -> j.get("event").asText().equals("tool.call")).toList();
    assertEquals(3, calls.size(), "every refusal after the halt is logged too");
    JsonNode after = calls.get(2);
    assertEquals("lookup", after.get("tool").asText());
    assertEquals("deny", after.get("decision").asText());
    assertTrue(after.get("enforced").asBoolean());
    assertEquals("limits[1]", after.get("rule").asText());
    assertEquals("the run was halted", after.get("reason").asText());
    assertEquals(calls.get(1).get("run").asText(), after.get("run").asText());
  }

  @Test
  void monitorModeLetsEverythingRunButLogsWhatItWouldRefuse() throws Exception {
    PolicyGuard g = guard(POLICY.replace("version: 1", "version: 1\nmode: monitor"));
    assertNull(g.toolEnter("langchain4j", "delete_file", "{}", null));
    JsonNode call = log().get(0);
    assertEquals("deny", call.get("decision").asText());
    assertFalse(call.get("enforced").asBoolean());
  }
}
