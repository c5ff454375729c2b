package dev.tollgate.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.Scope;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {

  static PolicyEngine engine(String yaml) {
    try {
      return new PolicyEngine(PolicyLoader.parse(yaml, "test.yaml"), Clock.systemUTC());
    } catch (PolicyException e) {
      throw new AssertionError(e.errors().toString(), e);
    }
  }

  static ToolVerdict call(PolicyEngine engine, String tool, String run) {
    return engine.decide(new ToolCall(tool, "test", run));
  }

  @Test
  void denyBeatsAllowAndNamesTheFirstMatchingDenyGlob() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          allow: ["delete_*"]
          deny: ["shell_*", "delete_*", "delete_file"]
        """);
    ToolVerdict v = call(e, "delete_file", "r");
    assertEquals(new ToolVerdict(Outcome.DENY, true, false, "tools.deny[1]",
        "tool \"delete_file\" matches deny glob \"delete_*\"", null), v);
    assertFalse(v.proceeds());
  }

  @Test
  void defaultDenyRefusesToolsMissingFromAllow() {
    PolicyEngine e = engine("""
        version: 1
        tools: {default: deny, allow: ["read_*", "search_*"]}
        """);
    assertEquals(new ToolVerdict(Outcome.DENY, true, false, "tools.default",
        "tool \"write_file\" is not in tools.allow and tools.default is deny", null), call(e, "write_file", "r"));
    ToolVerdict allowed = call(e, "search_web", "r");
    assertEquals(Outcome.ALLOW, allowed.outcome());
    assertEquals("tools.allow[1]", allowed.rule());
    assertEquals("tool \"search_web\" matches allow glob \"search_*\"", allowed.reason());
    assertTrue(allowed.proceeds());
  }

  @Test
  void defaultAllowLetsUnlistedToolsRun() {
    ToolVerdict v = call(engine("version: 1\n"), "anything", null);
    assertEquals(new ToolVerdict(Outcome.ALLOW, false, false, "tools.default",
        "tool \"anything\" is allowed by tools.default", null), v);
  }

  @Test
  void demoPolicyBlocksTheFourthCallOfARunAndDeniedToolsDoNotCount() throws Exception {
    PolicyEngine e = new PolicyEngine(PolicyLoader.load(Path.of("examples/langchain4j-demo.yaml")), Clock.systemUTC());
    assertEquals(Outcome.DENY, call(e, "delete_file", "run-1").outcome());
    for (int i = 0; i < 3; i++) {
      assertTrue(call(e, "read_file", "run-1").proceeds(), "call " + i);
    }
    ToolVerdict fourth = call(e, "read_file", "run-1");
    assertEquals(new ToolVerdict(Outcome.DENY, true, false, "limits[0]",
        "limit \"tools-per-run\" allows 3 calls per run",
        new LimitBreach("tools-per-run", Scope.RUN, 3, OnExceed.BLOCK, true)), fourth);
    assertEquals(3, e.callsCounted("tools-per-run", "run-1"), "refused calls are not counted");
  }

  @Test
  void runLimitsAreIndependentPerRun() {
    PolicyEngine e = engine(limitPolicy("run", 2, "block"));
    assertTrue(call(e, "t", "a").proceeds());
    assertTrue(call(e, "t", "a").proceeds());
    assertFalse(call(e, "t", "a").proceeds());
    assertTrue(call(e, "t", "b").proceeds());
    assertTrue(call(e, "t", "b").proceeds());
    assertFalse(call(e, "t", "b").proceeds());
  }

  @Test
  void endRunForgetsTheRunsCounters() {
    PolicyEngine e = engine(limitPolicy("run", 1, "block"));
    assertTrue(call(e, "t", "a").proceeds());
    assertFalse(call(e, "t", "a").proceeds());
    e.endRun("a");
    assertEquals(0, e.callsCounted("l", "a"));
    assertTrue(call(e, "t", "a").proceeds(), "a run id reused after endRun starts from zero");
    e.endRun(null); // harmless
  }

  @Test
  void callsOutsideAnyRunAreEachARunOfTheirOwn() {
    PolicyEngine e = engine(limitPolicy("run", 1, "block"));
    for (int i = 0; i < 5; i++) {
      assertTrue(call(e, "t", null).proceeds());
    }
  }

  @Test
  void processLimitIsSharedAcrossRunsAndEndRun() {
    PolicyEngine e = engine(limitPolicy("process", 2, "block"));
    assertTrue(call(e, "t", "a").proceeds());
    e.endRun("a");
    assertTrue(call(e, "t", null).proceeds());
    ToolVerdict third = call(e, "t", "b");
    assertFalse(third.proceeds());
    assertEquals("limit \"l\" allows 2 calls per process", third.reason());
    assertEquals(2, e.callsCounted("l", null));
  }

  @Test
  void limitCountsOnlyToolsMatchingItsGlob() {
    PolicyEngine e = engine("""
        version: 1
        limits:
          - {name: searches, scope: run, tools: "search_*", max_calls: 1}
        """);
    assertTrue(call(e, "search_web", "r").proceeds());
    assertTrue(call(e, "read_file", "r").proceeds());
    assertFalse(call(e, "search_news", "r").proceeds());
  }

  @Test
  void zeroMaxCallsRefusesEveryMatchingCall() {
    assertFalse(call(engine(limitPolicy("run", 0, "block")), "t", "r").proceeds());
  }

  @Test
  void warnLetsTheCallRunCountsItAndWarnsPastTheCap() {
    PolicyEngine e = engine(limitPolicy("run", 1, "warn"));
    assertEquals(Outcome.ALLOW, call(e, "t", "r").outcome());
    ToolVerdict second = call(e, "t", "r");
    assertEquals(new ToolVerdict(Outcome.WARN, false, false, "limits[0]", "limit \"l\" allows 1 call per run",
        new LimitBreach("l", Scope.RUN, 1, OnExceed.WARN, true)), second);
    assertTrue(second.proceeds());
    ToolVerdict third = call(e, "t", "r");
    assertEquals(Outcome.WARN, third.outcome());
    assertFalse(third.breach().first());
    assertEquals(3, e.callsCounted("l", "r"));
  }

  @Test
  void haltRefusesAndEndsTheRun() {
    PolicyEngine e = engine(limitPolicy("run", 1, "halt"));
    call(e, "t", "r");
    ToolVerdict v = call(e, "t", "r");
    assertEquals(Outcome.DENY, v.outcome());
    assertTrue(v.enforced());
    assertTrue(v.halt());
    assertEquals(OnExceed.HALT, v.breach().onExceed());
  }

  @Test
  void firstIsTrueOnlyForTheFirstBreachInEachScopeInstance() {
    PolicyEngine e = engine(limitPolicy("run", 1, "block"));
    call(e, "t", "a");
    assertTrue(call(e, "t", "a").breach().first());
    assertFalse(call(e, "t", "a").breach().first());
    assertFalse(call(e, "t", "a").breach().first());
    call(e, "t", "b");
    assertTrue(call(e, "t", "b").breach().first(), "a new run is a new scope instance");
  }

  @Test
  void refusalByALaterLimitGivesBackSlotsTakenEarlier() {
    PolicyEngine e = engine("""
        version: 1
        limits:
          - {name: wide, scope: run, tools: "*", max_calls: 10}
          - {name: narrow, scope: run, tools: "x", max_calls: 1}
        """);
    assertTrue(call(e, "x", "r").proceeds());
    ToolVerdict refused = call(e, "x", "r");
    assertEquals("limits[1]", refused.rule());
    assertEquals("narrow", refused.breach().limit());
    assertEquals(1, e.callsCounted("wide", "r"), "the refused call's slot on 'wide' was given back");
  }

  @Test
  void warnLimitsDoNotCountCallsThatABlockLimitRefuses() {
    PolicyEngine e = engine("""
        version: 1
        limits:
          - {name: noisy, scope: run, max_calls: 100, on_exceed: warn}
          - {name: cap, scope: run, max_calls: 1}
        """);
    call(e, "t", "r");
    assertFalse(call(e, "t", "r").proceeds());
    assertEquals(1, e.callsCounted("noisy", "r"));
  }

  @Test
  void monitorModeRunsEverythingReportsWouldBeDenialsAndCountsThem() {
    PolicyEngine e = engine("""
        version: 1
        mode: monitor
        tools: {deny: ["delete_*"]}
        limits:
          - {name: l, scope: run, max_calls: 2, on_exceed: halt}
        """);
    ToolVerdict denied = call(e, "delete_file", "r");
    assertEquals(new ToolVerdict(Outcome.DENY, false, false, "tools.deny[0]",
        "tool \"delete_file\" matches deny glob \"delete_*\"", null), denied);
    assertTrue(denied.proceeds());
    assertEquals(Outcome.ALLOW, call(e, "read", "r").outcome());
    ToolVerdict overLimit = call(e, "read", "r");
    assertEquals(new ToolVerdict(Outcome.DENY, false, false, "limits[0]", "limit \"l\" allows 2 calls per run",
        new LimitBreach("l", Scope.RUN, 2, OnExceed.HALT, true)), overLimit);
    ToolVerdict deniedAndOver = call(e, "delete_x", "r");
    assertEquals("tools.deny[0]", deniedAndOver.rule(), "a tool-rule denial outranks the limit in monitor mode");
    assertEquals("l", deniedAndOver.breach().limit());
    assertFalse(deniedAndOver.breach().first());
    assertEquals(4, e.callsCounted("l", "r"));
  }

  @Test
  void enforcedToolDenialsDoNotCountTowardLimits() {
    PolicyEngine e = engine("""
        version: 1
        tools: {deny: ["bad"]}
        limits:
          - {name: l, scope: process, max_calls: 1}
        """);
    for (int i = 0; i < 3; i++) {
      assertFalse(call(e, "bad", null).proceeds());
    }
    assertTrue(call(e, "good", null).proceeds());
    assertNull(call(e, "bad", null).breach());
  }

  @Test
  void engineExposesItsPolicy() throws Exception {
    var policy = PolicyLoader.parse("version: 1\n", "p.yaml");
    assertEquals(policy, new PolicyEngine(policy, Clock.systemUTC()).policy());
  }

  // ---- the shortcuts taken for speed decide exactly as the long way round ---------------------------------

  private static ToolVerdict withArgs(PolicyEngine e, String tool, String run, String arguments) {
    return e.decide(new ToolCall(tool, "test", run, arguments, null, java.util.Map.of()));
  }

  @Test
  void aToolsVerdictIsRememberedByNameOnlyWhenNoArgumentRuleLooksAtItsArguments() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          deny: ["shell_*"]
          rules:
            - {tool: "read_*", args_regex: {path: "/etc/.*"}, decision: deny}
        """);
    for (int i = 0; i < 3; i++) {
      assertEquals(Outcome.ALLOW, withArgs(e, "read_file", "r", "{\"path\":\"/home/a\"}").outcome());
      assertEquals(Outcome.DENY, withArgs(e, "read_file", "r", "{\"path\":\"/etc/passwd\"}").outcome(),
          "the second call's arguments decide, not the first call's verdict");
      assertEquals(Outcome.DENY, withArgs(e, "shell_exec", "r", "{}").outcome());
      assertEquals(Outcome.ALLOW, withArgs(e, "lookup", "r", "{}").outcome());
    }
    for (int i = 0; i < PolicyEngine.MAX_CACHED_TOOLS + 10; i++) { // past the cache's size: still decided
      assertEquals(Outcome.DENY, call(e, "shell_" + i, "r").outcome());
      assertEquals("tool \"tool_" + i + "\" is allowed by tools.default", call(e, "tool_" + i, "r").reason());
    }
  }

  @Test
  void aCallOutsideAnyRunIsRefusedByMaxCallsZeroAndPassesEveryOtherRunOrSessionLimit() {
    PolicyEngine zero = engine("""
        version: 1
        limits:
          - {name: none, scope: run, tools: "*", max_calls: 0}
          - {name: none-per-session, scope: session, tools: "*", max_calls: 0}
        """);
    assertEquals("limits[0]", call(zero, "lookup", null).rule());
    assertEquals(Outcome.DENY, call(zero, "lookup", null).outcome());
    PolicyEngine one = engine("""
        version: 1
        limits:
          - {name: one, scope: run, tools: "*", max_calls: 1, max_identical: 1}
          - {name: one-per-session, scope: session, tools: "*", max_calls: 1}
        """);
    for (int i = 0; i < 5; i++) {
      assertEquals(Outcome.ALLOW, withArgs(one, "lookup", null, "{\"k\":1}").outcome(), "each call is a run of its own");
    }
    assertEquals(Outcome.ALLOW, call(one, "lookup", "r").outcome());
    assertEquals(Outcome.DENY, call(one, "lookup", "r").outcome(), "inside a run the limit counts");
  }

  @Test
  void identicalCallsAreRecognisedWhateverTheirKeyOrderAndLengthAndDifferentOnesAreNot() {
    PolicyEngine e = engine("""
        version: 1
        limits:
          - {name: no-loops, scope: run, tools: "*", max_identical: 2}
        """);
    String big = "x".repeat(PolicyEngine.MAX_PLAIN_IDENTITY * 4);
    for (String[] pair : new String[][] {
        {"{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}"},
        {"{\"q\":\"" + big + "\",\"a\":[1,{\"z\":1,\"y\":2}]}", "{\"a\":[1,{\"y\":2,\"z\":1}],\"q\":\"" + big + "\"}"}}) {
      String run = "run-" + pair[0].length();
      assertEquals(Outcome.ALLOW, withArgs(e, "search", run, pair[0]).outcome());
      assertEquals(Outcome.ALLOW, withArgs(e, "search", run, pair[1]).outcome());
      assertEquals(Outcome.DENY, withArgs(e, "search", run, pair[0]).outcome(), "the third identical call");
      assertEquals(Outcome.ALLOW, withArgs(e, "search", run, pair[0].replace("1", "3")).outcome(), "other args");
      assertEquals(Outcome.ALLOW, withArgs(e, "other", run, pair[0]).outcome(), "another tool");
    }
  }

  static String limitPolicy(String scope, long max, String onExceed) {
    return "version: 1\nlimits:\n  - {name: l, scope: " + scope + ", max_calls: " + max + ", on_exceed: " + onExceed + "}\n";
  }
}
