package dev.tollgate.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  private static final java.util.regex.Pattern SWITCH =
      java.util.regex.Pattern.compile("instrumentation\\.([a-z0-9][a-z0-9-]*)\\.enabled");

  /** The hand-written reading of {@code instrumentation.<name>.enabled} keys is the regex's, on any key. */
  @net.jqwik.api.Property(tries = 2000)
  void anInstrumentationSwitchIsReadAsTheRegexReadsIt(@net.jqwik.api.ForAll("keys") String key) {
    java.util.regex.Matcher m = SWITCH.matcher(key);
    assertEquals(m.matches() ? m.group(1) : null, AgentConfig.instrumentationSwitch(key), key);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> keys() {
    net.jqwik.api.Arbitrary<String> names = net.jqwik.api.Arbitraries.strings().withChars("az09-.A_ \u00e9")
        .ofMaxLength(8);
    return net.jqwik.api.Combinators.combine(
        net.jqwik.api.Arbitraries.of("instrumentation.", "instrumentation", "instrumentation..", "", "x.",
            "Instrumentation."),
        names, net.jqwik.api.Arbitraries.of(".enabled", "enabled", ".enabled.", "", ".Enabled"))
        .as((a, b, c) -> a + b + c);
  }

  @Test
  void instrumentationSwitchesOnTheirOwn() {
    assertEquals("langchain4j", AgentConfig.instrumentationSwitch("instrumentation.langchain4j.enabled"));
    assertEquals("a-b", AgentConfig.instrumentationSwitch("instrumentation.a-b.enabled"));
    assertNull(AgentConfig.instrumentationSwitch("instrumentation.-a.enabled"));
    assertNull(AgentConfig.instrumentationSwitch("instrumentation..enabled"));
    assertNull(AgentConfig.instrumentationSwitch("instrumentation.enabled"));
    assertNull(AgentConfig.instrumentationSwitch("instrumentation.A.enabled"));
  }

  private static final Map<String, String> ENV = Map.of("TOLLGATE_POLICY", "env.yaml", "TOLLGATE_LOG", "env.jsonl");
  private static final Map<String, String> PROPS = Map.of("tollgate.policy", "prop.yaml");

  @Test
  void agentArgumentBeatsSystemPropertyBeatsEnvironment() {
    AgentConfig c = AgentConfig.resolve("policy=arg.yaml", PROPS, ENV);
    assertEquals("arg.yaml", c.get(ConfigKey.POLICY));
    assertEquals("agent argument policy", c.source(ConfigKey.POLICY));

    c = AgentConfig.resolve(null, PROPS, ENV);
    assertEquals("prop.yaml", c.get(ConfigKey.POLICY));
    assertEquals("system property tollgate.policy", c.source(ConfigKey.POLICY));

    c = AgentConfig.resolve("", Map.of(), ENV);
    assertEquals("env.yaml", c.get(ConfigKey.POLICY));
    assertEquals("environment variable TOLLGATE_POLICY", c.source(ConfigKey.POLICY));
  }

  @Test
  void eachKeyResolvesIndependently() {
    AgentConfig c = AgentConfig.resolve("policy=arg.yaml", Map.of("tollgate.fail-mode", "OPEN"), ENV);
    assertEquals("env.jsonl", c.get(ConfigKey.LOG));
    assertTrue(c.failOpen());
  }

  @Test
  void defaultsApplyWhenNothingIsGiven() {
    AgentConfig c = AgentConfig.resolve(null, Map.of(), Map.of());
    assertNull(c.get(ConfigKey.POLICY));
    assertEquals("closed", c.get(ConfigKey.FAIL_MODE));
    assertEquals("default", c.source(ConfigKey.FAIL_MODE));
    assertFalse(c.failOpen());
  }

  @Test
  void environmentNamesFollowTheKey() {
    assertEquals("TOLLGATE_FAIL_MODE", ConfigKey.FAIL_MODE.environmentVariable());
    assertEquals("tollgate.fail-mode", ConfigKey.FAIL_MODE.systemProperty());
  }

  @Test
  void badInputIsRejectedWithTheOffendingSource() {
    var unknown = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.resolve("polcy=x.yaml", Map.of(), Map.of()));
    assertEquals("unknown agent argument \"polcy\"; expected one of policy, log, mode, profile, governance, fail-mode,"
        + " weave-cache, instrumentation.<name>.enabled", unknown.getMessage());
    var noValue = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.resolve("policy", Map.of(), Map.of()));
    assertTrue(noValue.getMessage().startsWith("agent argument \"policy\" must be key=value"));
    var twice = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.resolve("policy=a,policy=b", Map.of(), Map.of()));
    assertEquals("agent argument \"policy\" is given twice", twice.getMessage());
    var badMode = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.resolve(null, Map.of("tollgate.fail-mode", "maybe"), Map.of()));
    assertEquals("system property tollgate.fail-mode must be one of closed, open; got \"maybe\"",
        badMode.getMessage());
    var empty = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.resolve(null, Map.of(), Map.of("TOLLGATE_POLICY", " ")));
    assertEquals("environment variable TOLLGATE_POLICY is empty", empty.getMessage());
  }

  @Test
  void instrumentationsAreSwitchedOffOneByOneWithTheUsualPrecedence() {
    AgentConfig config = AgentConfig.resolve("instrumentation.okhttp.enabled=false",
        Map.of("tollgate.instrumentation.spring-ai.enabled", "FALSE", "tollgate.instrumentation.mcp.enabled", "true"),
        Map.of("TOLLGATE_INSTRUMENTATION_GOOGLE_ADK_ENABLED", "false", "TOLLGATE_INSTRUMENTATION_MCP_ENABLED", "false",
            "TOLLGATE_INSTRUMENTATION_OKHTTP_ENABLED", "true"));
    assertEquals(Map.of("okhttp", "agent argument instrumentation.okhttp.enabled=false",
        "spring-ai", "system property tollgate.instrumentation.spring-ai.enabled=false",
        "google-adk", "environment variable TOLLGATE_INSTRUMENTATION_GOOGLE_ADK_ENABLED=false"),
        config.disabledInstrumentations(), "mcp: the property (true) wins over the environment");
    var bad = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.resolve("instrumentation.okhttp.enabled=no", Map.of(), Map.of()));
    assertEquals("agent argument instrumentation.okhttp.enabled must be true or false; got \"no\"", bad.getMessage());
  }
}
