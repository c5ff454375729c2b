package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.tollgate.agent.guard.PolicyGuard;
import dev.tollgate.agent.installer.AgentInstaller;
import dev.tollgate.agent.installer.CoverageReport;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.engine.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run scope with the real guard and engine: a sub-agent's tool calls count against the outer run's limit. */
class LangChain4jRunScopeTest {
  private static ResettableClassFileTransformer transformer;
  @TempDir
  static Path dir;

  @BeforeAll
  static void weave() throws Exception {
    var inst = ByteBuddyAgent.install();
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    List<InstrumentationModule> modules = List.of(new LangChain4jInstrumentationModule());
    transformer = AgentInstaller.install(inst, modules, new CoverageReport(log, modules));
    PolicyEngine engine = new PolicyEngine(PolicyLoader.parse("""
        version: 1
        limits:
          - { name: three-per-run, scope: run, tools: "*", max_calls: 3 }
        """, "t.yaml"), Clock.systemUTC());
    Guard.install(new PolicyGuard(engine, log, false));
  }

  @AfterAll
  static void unweave() {
    Guard.install(null);
    transformer.reset(ByteBuddyAgent.getInstrumentation(), AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
  }

  interface Agent {
    String chat(String message);
  }

  /** Asks for the given tools one per turn, then answers; keeps the tool results it was sent. */
  static final class Model implements ChatModel {
    final List<String> tools;
    final List<String> results = new CopyOnWriteArrayList<>();
    int turn;

    Model(String... tools) {
      this.tools = List.of(tools);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      List<ChatMessage> messages = request.messages();
      if (messages.get(messages.size() - 1) instanceof ToolExecutionResultMessage r) {
        results.add(r.toolName() + "=" + r.text());
      }
      if (turn < tools.size()) {
        return ChatResponse.builder().aiMessage(AiMessage.from(ToolExecutionRequest.builder().id("c" + turn)
            .name(tools.get(turn++)).arguments("{}").build())).build();
      }
      return ChatResponse.builder().aiMessage(AiMessage.from("done")).build();
    }
  }

  public static class Tools {
    final List<String> ran = new ArrayList<>();
    Agent subAgent;

    @Tool
    public String lookup() {
      ran.add("lookup");
      return "found";
    }

    @Tool
    public String research() {
      ran.add("research");
      return subAgent.chat("dig");
    }
  }

  @Test
  void subAgentToolCallsJoinTheOuterRun() throws Exception {
    Tools tools = new Tools();
    Model inner = new Model("lookup", "lookup");
    tools.subAgent = AiServices.builder(Agent.class).chatModel(inner).tools(tools).build();
    Model outer = new Model("research", "lookup", "lookup");
    Agent agent = AiServices.builder(Agent.class).chatModel(outer).tools(tools).build();

    assertEquals("done", agent.chat("go"));

    // research (1), inner lookup (2), inner lookup (3): the outer lookups are over the run's limit
    assertEquals(List.of("research", "lookup", "lookup"), tools.ran);
    assertEquals(3, outer.results.size());
    assertTrue(outer.results.get(1).startsWith("lookup=blocked by policy: limits[0]"), outer.results.toString());
    assertTrue(outer.results.get(2).startsWith("lookup=blocked by policy: limits[0]"), outer.results.toString());
    String log = Files.readString(dir.resolve("log.jsonl"));
    assertEquals(1, log.lines().filter(l -> l.contains("\"event\":\"tool.call\""))
        .map(l -> l.replaceAll(".*\"run\":\"([^\"]+)\".*", "$1")).distinct().count(), log);

    // a second top-level call is a new run with fresh counters
    tools.ran.clear();
    Agent again = AiServices.builder(Agent.class).chatModel(new Model("lookup")).tools(tools).build();
    again.chat("go");
    assertEquals(List.of("lookup"), tools.ran);
  }
}
