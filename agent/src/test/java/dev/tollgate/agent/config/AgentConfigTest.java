package dev.tollgate.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
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
    assertEquals("unknown agent argument \"polcy\"; expected one of policy, log, mode, profile, fail-mode",
        unknown.getMessage());
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
}
