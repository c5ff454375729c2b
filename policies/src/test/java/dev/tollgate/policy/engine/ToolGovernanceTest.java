package dev.tollgate.policy.engine;

import dev.tollgate.policy.testing.TestClock;
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
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Argument rules, profiles, session scope, windows, the loop guard and partitions. */
class ToolGovernanceTest {

  static PolicyEngine engine(String yaml, Clock clock) {
    try {
      return new PolicyEngine(PolicyLoader.parse(yaml, "test.yaml"), clock);
    } catch (PolicyException e) {
      throw new AssertionError(e.errors().toString(), e);
    }
  }

  static PolicyEngine engine(String yaml) {
    return engine(yaml, Clock.systemUTC());
  }

  static ToolVerdict call(PolicyEngine e, String tool, String args) {
    return e.decide(new ToolCall(tool, "test", "r", args, null, Map.of()));
  }

  private static final String METADATA = """
      version: 1
      tools:
        rules:
          - tool: http_get
            args: { url: "http://169.254.*" }
            decision: deny
            reason: cloud metadata endpoint
      """;

  @Test
  void argumentRuleDeniesTheMetadataEndpointWithItsReason() {
    PolicyEngine e = engine(METADATA);
    assertEquals(new ToolVerdict(Outcome.DENY, true, false, "tools.rules[0]", "cloud metadata endpoint", null),
        call(e, "http_get", "{\"url\": \"http://169.254.169.254/latest/meta-data\"}"));
    ToolVerdict other = call(e, "http_get", "{\"url\": \"https://example.com\"}");
    assertEquals(Outcome.ALLOW, other.outcome());
    assertEquals("tools.default", other.rule());
    assertTrue(call(e, "http_post", "{\"url\": \"http://169.254.169.254/\"}").proceeds(), "other tools unaffected");
  }

  @Test
  void withoutAReasonTheVerdictNamesArgumentToolAndGlob() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - {tool: http_get, args: {url: "http://169.254.*", method: "GET"}, decision: deny}
        """);
    ToolVerdict v = call(e, "http_get", "{\"method\": \"GET\", \"url\": \"http://169.254.1.1/\"}");
    assertEquals("argument \"url\" of tool \"http_get\" matches \"http://169.254.*\" and argument \"method\" of tool"
        + " \"http_get\" matches \"GET\"", v.reason());
    assertTrue(call(e, "http_get", "{\"url\": \"http://169.254.1.1/\"}").proceeds(),
        "a listed argument that is absent means the rule does not match");
  }

  @Test
  void ruleAllowBeatsDefaultDenyButNeverADenyGlob() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          default: deny
          deny: ["http_delete"]
          rules:
            - {tool: "http_*", args: {url: "https://docs.acme.com/*"}, decision: allow}
        """);
    ToolVerdict allowed = call(e, "http_get", "{\"url\": \"https://docs.acme.com/a\"}");
    assertEquals(Outcome.ALLOW, allowed.outcome());
    assertEquals("tools.rules[0]", allowed.rule());
    assertEquals("tools.default", call(e, "http_get", "{\"url\": \"https://evil.com\"}").rule());
    ToolVerdict denied = call(e, "http_delete", "{\"url\": \"https://docs.acme.com/a\"}");
    assertEquals("tools.deny[0]", denied.rule());
    assertFalse(denied.proceeds());
  }

  @Test
  void ruleDenyBeatsAnAllowGlobAndTheFirstMatchingRuleWins() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          default: deny
          allow: ["transfer"]
          rules:
            - {tool: transfer, args: {to: "acct-internal-*"}, decision: allow, reason: internal}
            - {tool: transfer, decision: deny, reason: external transfers need a human}
        """);
    assertEquals("internal", call(e, "transfer", "{\"to\": \"acct-internal-7\"}").reason());
    ToolVerdict external = call(e, "transfer", "{\"to\": \"acct-99\"}");
    assertEquals(new ToolVerdict(Outcome.DENY, true, false, "tools.rules[1]", "external transfers need a human", null),
        external);
  }

  @Test
  void argumentValuesAreMatchedAsText() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - {tool: t, args: {n: "1?", b: "true", z: "null", o: "{\\"k\\":[1,\\"x\\"]}"}, decision: deny}
        """);
    assertFalse(call(e, "t", "{\"n\": 12, \"b\": true, \"z\": null, \"o\": {\"k\": [1, \"x\"]}}").proceeds());
    assertTrue(call(e, "t", "{\"n\": \"123\", \"b\": true, \"z\": null, \"o\": {\"k\": [1, \"x\"]}}").proceeds());
    assertTrue(call(e, "t", "{\"n\": 12, \"b\": \"false\", \"z\": null, \"o\": {\"k\": [1, \"x\"]}}").proceeds());
  }

  @Test
  void regexIsRe2AndMustMatchTheWholeValue() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - {tool: read_file, args_regex: {path: "(/etc/|.*\\\\.\\\\./).*"}, decision: deny}
        """);
    assertFalse(call(e, "read_file", "{\"path\": \"/etc/passwd\"}").proceeds());
    assertFalse(call(e, "read_file", "{\"path\": \"docs/../../secret\"}").proceeds());
    assertTrue(call(e, "read_file", "{\"path\": \"docs/etc/readme\"}").proceeds(), "whole value, not a substring");
    assertEquals("argument \"path\" of tool \"read_file\" matches regex \"(/etc/|.*\\.\\./).*\"",
        call(e, "read_file", "{\"path\": \"/etc/x\"}").reason());
  }

  @Test
  void regexOnHostileInputRunsInLinearTime() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - {tool: t, args_regex: {s: "(a+)+b"}, decision: deny}
        """);
    String hostile = "{\"s\": \"" + "a".repeat(200_000) + "\"}";
    long start = System.nanoTime();
    assertTrue(call(e, "t", hostile).proceeds());
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "catastrophic backtracking");
  }

  @Test
  void unreadableArgumentsMakeDenyRulesDenyAndAllowRulesNotMatch() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          default: deny
          rules:
            - {tool: http_get, args: {url: "https://docs.acme.com/*"}, decision: allow}
            - {tool: http_get, args: {url: "http://169.254.*"}, decision: deny, reason: cloud metadata endpoint}
        """);
    String tooLong = "{\"url\": \"" + "x".repeat(Arguments.MAX_CHARS) + "\"}";
    for (String args : new String[] {"{\"url\": ", "[\"https://docs.acme.com/a\"]", "\"x\"", null, tooLong,
        "{\"url\": \"https://docs.acme.com/a\", \"url\": \"http://169.254.169.254/\"}", "{\"a\": 1} {}"}) {
      ToolVerdict v = call(e, "http_get", args);
      assertEquals(Outcome.DENY, v.outcome(), String.valueOf(args));
      assertEquals("tools.rules[1]", v.rule(), String.valueOf(args));
      assertTrue(v.reason().startsWith("the arguments of tool \"http_get\" could not be read ("), v.reason());
      assertTrue(v.reason().endsWith("so tools.rules[1] denies the call: cloud metadata endpoint"), v.reason());
    }
    assertTrue(call(e, "http_get", "{\"url\": \"https://docs.acme.com/a\"}").proceeds());
    assertEquals("tools.default", call(e, "http_get", "").rule(), "blank arguments are an empty object");
  }

  @Test
  void threeArgumentToolCallHasNoArgumentsSoArgumentDenyRulesFailClosed() {
    ToolVerdict v = engine(METADATA).decide(new ToolCall("http_get", "test", "r"));
    assertFalse(v.proceeds());
    assertTrue(v.reason().contains("the call carried no arguments"), v.reason());
  }

  @Test
  void activeProfileReplacesTopLevelToolsAndNamesItsPaths() {
    PolicyEngine e = engine("""
        version: 1
        profile: ro
        tools: {deny: ["read_*"]}
        profiles:
          ro:
            tools:
              default: deny
              allow: ["read_*"]
              rules: [{tool: write_note, decision: allow}]
        """);
    ToolVerdict read = call(e, "read_file", "{}");
    assertEquals("profiles.ro.tools.allow[0]", read.rule());
    assertTrue(read.proceeds(), "the top-level deny is replaced, not merged");
    assertEquals("profiles.ro.tools.rules[0]", call(e, "write_note", "{}").rule());
    ToolVerdict other = call(e, "delete", "{}");
    assertEquals(new ToolVerdict(Outcome.DENY, true, false, "profiles.ro.tools.default",
        "tool \"delete\" is not in profiles.ro.tools.allow and profiles.ro.tools.default is deny", null), other);
  }

  @Test
  void sessionScopeCountsPerSessionAndACallWithoutSessionIsASessionOfItsOwn() {
    PolicyEngine e = engine("version: 1\nlimits:\n  - {name: l, scope: session, max_calls: 2}\n");
    for (String run : new String[] {"r1", "r2"}) {
      assertTrue(e.decide(new ToolCall("t", "f", run, "{}", "s1", Map.of())).proceeds());
    }
    ToolVerdict third = e.decide(new ToolCall("t", "f", "r3", "{}", "s1", Map.of()));
    assertFalse(third.proceeds(), "session counters span runs");
    assertEquals("limit \"l\" allows 2 calls per session", third.reason());
    assertEquals(Scope.SESSION, third.breach().scope());
    assertTrue(e.decide(new ToolCall("t", "f", "r3", "{}", "s2", Map.of())).proceeds());
    for (int i = 0; i < 5; i++) {
      assertTrue(e.decide(new ToolCall("t", "f", "r", "{}", null, Map.of())).proceeds());
    }
    assertEquals(2, e.callsCountedFor("l", new ToolCall("t", "f", null, null, "s1", Map.of())));
  }

  @Test
  void perMdcKeyPartitionsCountersAndCallsWithoutTheKeyShareTheEmptyPartition() {
    PolicyEngine e = engine("version: 1\nlimits:\n  - {name: l, scope: process, max_calls: 1, per: \"mdc:tenant\"}\n");
    assertTrue(e.decide(new ToolCall("t", "f", null, "{}", null, Map.of("tenant", "acme"))).proceeds());
    ToolVerdict second = e.decide(new ToolCall("t", "f", null, "{}", null, Map.of("tenant", "acme")));
    assertFalse(second.proceeds());
    assertEquals("acme", second.breach().partition());
    assertEquals("limit \"l\" allows 1 call per process, for each mdc:tenant", second.reason());
    assertTrue(e.decide(new ToolCall("t", "f", null, "{}", null, Map.of("tenant", "globex"))).proceeds());
    assertTrue(e.decide(new ToolCall("t", "f", null, "{}", null, Map.of())).proceeds());
    ToolVerdict missing = e.decide(new ToolCall("t", "f", null, "{}", null, Map.of("user", "x")));
    assertFalse(missing.proceeds(), "a missing key is the partition \"\", shared");
    assertEquals("", missing.breach().partition());
  }

  @Test
  void perSessionPartitionsARunScopedLimit() {
    PolicyEngine e = engine("version: 1\nlimits:\n  - {name: l, scope: run, max_calls: 1, per: session}\n");
    assertTrue(e.decide(new ToolCall("t", "f", "r", "{}", "a", Map.of())).proceeds());
    assertTrue(e.decide(new ToolCall("t", "f", "r", "{}", "b", Map.of())).proceeds());
    assertFalse(e.decide(new ToolCall("t", "f", "r", "{}", "a", Map.of())).proceeds());
  }

  @Test
  void loopGuardRefusesTheFourthIdenticalCallWhateverTheKeyOrder() {
    PolicyEngine e = engine("version: 1\nlimits:\n  - {name: no-loops, scope: run, max_identical: 3, on_exceed: halt}\n");
    assertTrue(call(e, "search", "{\"q\": \"x\", \"page\": 1}").proceeds());
    assertTrue(call(e, "search", "{\"page\": 1, \"q\": \"x\"}").proceeds());
    assertTrue(call(e, "search", " {\"page\":1,\"q\":\"x\"}").proceeds());
    assertTrue(call(e, "search", "{\"q\": \"y\", \"page\": 1}").proceeds(), "other arguments are another call");
    assertTrue(call(e, "lookup", "{\"q\": \"x\", \"page\": 1}").proceeds(), "another tool is another call");
    ToolVerdict fourth = call(e, "search", "{\"q\": \"x\", \"page\": 1}");
    assertEquals(new ToolVerdict(Outcome.DENY, true, true, "limits[0]",
        "limit \"no-loops\" allows 3 identical calls (same tool and arguments) per run",
        new LimitBreach("no-loops", Scope.RUN, 3, OnExceed.HALT, true, true, null, null)), fourth);
    assertEquals(3, e.identicalCountedFor("no-loops", new ToolCall("search", "t", "r", "{\"page\":1,\"q\":\"x\"}",
        null, Map.of())));
  }

  @Test
  void unreadableArgumentsAreIdenticalWhenTheirTextIs() {
    PolicyEngine e = engine("version: 1\nlimits:\n  - {name: l, scope: run, max_identical: 1}\n");
    assertTrue(call(e, "t", "not json").proceeds());
    assertTrue(call(e, "t", "not json!").proceeds());
    assertFalse(call(e, "t", "not json").proceeds());
  }

  @Test
  void windowRefusesUntilTheOldestCallLeavesIt() {
    TestClock clock = new TestClock();
    PolicyEngine e = engine("version: 1\nlimits:\n  - {name: rate, scope: process, max_calls: 2, window: 30s}\n", clock);
    assertTrue(call(e, "t", "{}").proceeds());
    clock.advance(Duration.ofSeconds(10));
    assertTrue(call(e, "t", "{}").proceeds());
    ToolVerdict third = call(e, "t", "{}");
    assertFalse(third.proceeds());
    assertEquals("limit \"rate\" allows 2 calls within 30s per process", third.reason());
    assertEquals(Duration.ofSeconds(30), third.breach().window());
    clock.advance(Duration.ofSeconds(19));
    assertFalse(call(e, "t", "{}").proceeds(), "the first call is 29s old: still inside");
    clock.advance(Duration.ofSeconds(1));
    assertTrue(call(e, "t", "{}").proceeds(), "the first call is 30s old: outside");
    assertFalse(call(e, "t", "{}").proceeds());
    assertEquals(2, e.callsCounted("rate", null));
  }

  @Test
  void windowAppliesToTheLoopGuardToo() {
    TestClock clock = new TestClock();
    PolicyEngine e = engine("version: 1\nlimits:\n  - {name: l, scope: run, max_identical: 1, window: 1m}\n", clock);
    assertTrue(call(e, "t", "{\"a\": 1}").proceeds());
    assertFalse(call(e, "t", "{\"a\": 1}").proceeds());
    clock.advance(Duration.ofMinutes(1));
    assertTrue(call(e, "t", "{\"a\": 1}").proceeds());
  }

  @Test
  void refusalByTheLoopGuardGivesBackTheCallSlotsTakenEarlier() {
    PolicyEngine e = engine("""
        version: 1
        limits:
          - {name: wide, scope: run, max_calls: 10, window: 1h}
          - {name: loops, scope: run, max_calls: 10, max_identical: 1}
        """);
    assertTrue(call(e, "t", "{}").proceeds());
    ToolVerdict refused = call(e, "t", "{}");
    assertEquals("loops", refused.breach().limit());
    assertTrue(refused.breach().identical());
    assertEquals(1, e.callsCounted("wide", "r"));
    assertEquals(1, e.callsCounted("loops", "r"), "its own max_calls slot is given back too");
  }

  @Test
  void warnLoopGuardLetsCallsRunAndMonitorModeCountsIdenticalCalls() {
    PolicyEngine warn = engine("version: 1\nlimits:\n  - {name: l, scope: run, max_identical: 1, on_exceed: warn}\n");
    assertEquals(Outcome.ALLOW, call(warn, "t", "{}").outcome());
    ToolVerdict second = call(warn, "t", "{}");
    assertEquals(Outcome.WARN, second.outcome());
    assertTrue(second.proceeds());
    PolicyEngine monitor = engine("version: 1\nmode: monitor\nlimits:\n  - {name: l, scope: run, max_identical: 1}\n");
    call(monitor, "t", "{}");
    ToolVerdict over = call(monitor, "t", "{}");
    assertEquals(Outcome.DENY, over.outcome());
    assertTrue(over.proceeds());
    assertTrue(over.breach().identical());
  }

  @Test
  void partitionsPerLimitAreCappedLeastRecentlyUsedFirst() {
    PolicyEngine e = engine("version: 1\nlimits:\n  - {name: l, scope: session, max_calls: 1}\n");
    assertTrue(e.decide(new ToolCall("t", "f", null, "{}", "s0", Map.of())).proceeds());
    assertFalse(e.decide(new ToolCall("t", "f", null, "{}", "s0", Map.of())).proceeds());
    for (int i = 1; i <= PolicyEngine.MAX_PARTITIONS; i++) {
      e.decide(new ToolCall("t", "f", null, "{}", "s" + i, Map.of()));
    }
    assertEquals(0, e.callsCountedFor("l", new ToolCall("t", "f", null, null, "s0", Map.of())), "s0 was evicted");
    assertEquals(1, e.callsCountedFor("l", new ToolCall("t", "f", null, null, "s1", Map.of())));
  }

  @Test
  void denialByAnArgumentRuleDoesNotCountTowardLimits() {
    PolicyEngine e = engine(METADATA + "limits:\n  - {name: l, scope: run, max_calls: 1}\n");
    assertFalse(call(e, "http_get", "{\"url\": \"http://169.254.1.1\"}").proceeds());
    assertTrue(call(e, "http_get", "{\"url\": \"https://ok\"}").proceeds());
    assertNull(call(e, "http_get", "{\"url\": \"http://169.254.1.1\"}").breach());
  }

  @Test
  void allFeaturesExampleDecidesAsItsCommentsSay() throws Exception {
    PolicyEngine e = new PolicyEngine(PolicyLoader.load(Path.of("examples/issue3-all-features.yaml")), Clock.systemUTC());
    assertTrue(call(e, "http_get", "{\"url\": \"https://docs.acme.com/x\"}").proceeds());
    assertFalse(call(e, "http_get", "{\"url\": \"https://evil.com\"}").proceeds());
    assertFalse(call(e, "read_file", "{\"path\": \"/etc/shadow\"}").proceeds());
    assertTrue(call(e, "read_file", "{\"path\": \"notes.txt\"}").proceeds());
    PolicyEngine support = new PolicyEngine(
        PolicyLoader.load(Path.of("examples/issue3-all-features.yaml")).withProfile("support"), Clock.systemUTC());
    assertFalse(call(support, "http_get", "{\"url\": \"http://169.254.169.254/\"}").proceeds());
    assertTrue(call(support, "issue_refund", "{\"amount\": 99.5, \"currency\": \"USD\"}").proceeds());
    assertFalse(call(support, "issue_refund", "{\"amount\": 1500, \"currency\": \"USD\"}").proceeds());
    assertFalse(call(support, "issue_refund", "{\"amount\": 5, \"currency\": \"EUR\", \"approved\": false}").proceeds());
  }
}
