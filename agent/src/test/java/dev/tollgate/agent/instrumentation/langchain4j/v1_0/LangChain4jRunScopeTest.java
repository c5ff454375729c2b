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
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.bootstrap.Guard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.tollgate.agent.testing.WovenPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run scope with the real guard and engine: a sub-agent's tool calls count against the outer run's limit. */
class LangChain4jRunScopeTest {
  private static WovenPolicy woven;
  @TempDir
  static Path dir;

  @BeforeAll
  static void weave() throws Exception {
    woven = WovenPolicy.weave("""
        version: 1
        tools:
          deny: ["delete_*"]
        limits:
          - { name: three-per-run, scope: run, tools: "*", max_calls: 3 }
        """, dir, new LangChain4jInstrumentationModule());
  }

  @AfterAll
  static void unweave() {
    woven.close();
  }

  interface Agent {
    String chat(String message);
  }

  /** Asks for all the given tools in ONE turn (parallel tool calls), then answers. */
  static final class ParallelModel implements ChatModel {
    final List<String> tools;
    final List<String> results = new CopyOnWriteArrayList<>();
    boolean asked;

    ParallelModel(String... tools) {
      this.tools = List.of(tools);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      for (ChatMessage m : request.messages()) {
        if (m instanceof ToolExecutionResultMessage r) {
          results.add(r.toolName() + "=" + r.text());
        }
      }
      if (!asked) {
        asked = true;
        List<ToolExecutionRequest> calls = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
          calls.add(ToolExecutionRequest.builder().id("p" + i).name(tools.get(i)).arguments("{}").build());
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(calls)).build();
      }
      return ChatResponse.builder().aiMessage(AiMessage.from("done")).build();
    }
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
    final List<String> ran = new CopyOnWriteArrayList<>();
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
    long linesBefore = woven.logLines().size();
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
    String log = String.join("\n", woven.logLines().stream().skip(linesBefore).toList());
    assertEquals(1, log.lines().filter(l -> l.contains("\"event\":\"tool.call\""))
        .map(l -> l.replaceAll(".*\"run\":\"([^\"]+)\".*", "$1")).distinct().count(), log);

    // a second top-level call is a new run with fresh counters
    tools.ran.clear();
    Agent again = AiServices.builder(Agent.class).chatModel(new Model("lookup")).tools(tools).build();
    again.chat("go");
    assertEquals(List.of("lookup"), tools.ran);
  }

  @Test
  void toolsExecutedConcurrentlyOnAWorkerPoolStillCountAgainstTheRun() {
    Tools tools = new Tools();
    ParallelModel model = new ParallelModel("lookup", "lookup", "lookup", "lookup", "lookup");
    Agent agent = AiServices.builder(Agent.class).chatModel(model).tools(tools).executeToolsConcurrently().build();

    assertEquals("done", agent.chat("go"));

    assertEquals(3, tools.ran.size(), tools.ran.toString());
    assertEquals(5, model.results.size(), model.results.toString());
    assertEquals(2, model.results.stream().filter(r -> r.startsWith("lookup=blocked by policy: limits[0]")).count(),
        model.results.toString());
  }

  @Test
  void aToolExecutorRegisteredAsALambdaIsGuardedThroughTheInterfaceDefaultMethod() {
    List<String> ran = new CopyOnWriteArrayList<>();
    dev.langchain4j.service.tool.ToolExecutor lambda = (request, memoryId) -> {
      ran.add(request.name());
      return "deleted";
    };
    Model model = new Model("delete_file");
    Agent agent = AiServices.builder(Agent.class).chatModel(model)
        .tools(java.util.Map.of(dev.langchain4j.agent.tool.ToolSpecification.builder().name("delete_file")
            .description("deletes").build(), lambda)).build();

    assertEquals("done", agent.chat("go"));

    assertTrue(ran.isEmpty(), "the lambda's body must not run");
    assertTrue(model.results.get(0).startsWith("delete_file=blocked by policy: tools.deny[0]"), model.results.toString());
  }
}
