package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.tollgate.agent.instrumentation.entrypoint.EntryPointInstrumentationModule;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.tollgate.agent.testing.WovenPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/**
 * The policy features that need facts from the host — tool arguments, the conversation (memory id), the app's
 * MDC, the app's own run boundary — reach the engine through the woven LangChain4j executor.
 */
public class PolicyFeaturesWiringTest {
  private static WovenPolicy woven;
  @TempDir
  static Path dir;

  @BeforeAll
  static void weave() throws Exception {
    Policy policy = PolicyLoader.parse("""
        version: 1
        tools:
          rules:
            - tool: fetch
              args: { arg0: "http://169.254.*" }   # compiled without -parameters: LangChain4j names it arg0
              decision: deny
              reason: cloud metadata endpoint
        limits:
          - { name: two-per-session, scope: session, tools: "lookup", max_calls: 2 }
          - { name: one-per-tenant, scope: process, tools: "bill", max_calls: 1, per: "mdc:tenant" }
          - { name: one-step-per-handle, scope: run, tools: "step", max_calls: 1 }
        runs:
          entry_points: ["com.example.handrolled.HandRolledAgent#handle"]
        """, "t.yaml");
    woven = WovenPolicy.weave(policy, dir, new LangChain4jInstrumentationModule(),
        new EntryPointInstrumentationModule(policy.entryPoints()));
  }

  @AfterAll
  static void unweave() {
    woven.close();
  }

  static final List<String> RAN = new CopyOnWriteArrayList<>();

  @BeforeEach
  void clear() {
    RAN.clear();
  }

  public static class Tools {
    @Tool
    public String fetch(String url) {
      RAN.add("fetch " + url);
      return "fetched";
    }

    @Tool
    public String lookup(String key) {
      RAN.add("lookup " + key);
      return "found";
    }

    @Tool
    public String bill(String amount) {
      RAN.add("bill " + amount);
      return "billed";
    }

    @Tool
    public String step(String n) {
      RAN.add("step " + n);
      return "stepped";
    }
  }

  static String call(String tool, String arguments, Object memoryId) throws Exception {
    DefaultToolExecutor executor = new DefaultToolExecutor(new Tools(), Tools.class.getMethod(tool, String.class));
    return executor.execute(ToolExecutionRequest.builder().id("x").name(tool).arguments(arguments).build(), memoryId);
  }

  @Test
  void argumentRuleDeniesByTheToolsArguments() throws Exception {
    String denied = call("fetch", "{\"arg0\":\"http://169.254.169.254/latest/meta-data\"}", null);
    String allowed = call("fetch", "{\"arg0\":\"https://example.org\"}", null);

    assertEquals("blocked by policy: tools.rules[0]: cloud metadata endpoint", denied);
    assertEquals("fetched", allowed);
    assertEquals(List.of("fetch https://example.org"), RAN);
  }

  @Test
  void sessionScopeFollowsTheConversationMemoryId() throws Exception {
    for (int i = 0; i < 3; i++) {
      call("lookup", "{\"arg0\":\"a" + i + "\"}", "alice");
    }
    call("lookup", "{\"arg0\":\"b0\"}", "bob");

    assertEquals(List.of("lookup a0", "lookup a1", "lookup b0"), RAN);
  }

  @Test
  void mdcPartitionsCountPerTenantFromTheAppsOwnMdc() throws Exception {
    try {
      MDC.put("tenant", "acme");
      call("bill", "{\"arg0\":\"1\"}", null);
      call("bill", "{\"arg0\":\"2\"}", null);
      MDC.put("tenant", "globex");
      call("bill", "{\"arg0\":\"3\"}", null);
    } finally {
      MDC.remove("tenant");
    }
    assertEquals(List.of("bill 1", "bill 3"), RAN);
    String log = woven.log();
    assertTrue(log.contains("\"partition\":\"acme\""), log);
  }

  @Test
  void aMethodNamedInRunsEntryPointsIsARunBoundary() throws Exception {
    // the agent never weaves dev.tollgate.* classes, so the app's loop lives in an app package
    new com.example.handrolled.HandRolledAgent().handle();
    new com.example.handrolled.HandRolledAgent().handle();

    assertEquals(List.of("step 1", "step 1"), RAN);
  }
}
