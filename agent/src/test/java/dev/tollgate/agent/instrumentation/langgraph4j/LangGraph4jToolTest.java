package dev.tollgate.agent.instrumentation.langgraph4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.tollgate.agent.instrumentation.langchain4j.v1_0.LangChain4jInstrumentationModule;
import dev.tollgate.agent.testing.WovenPolicy;
import dev.tollgate.bootstrap.LimitExceededException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import dev.tollgate.bootstrap.Guard;
import org.bsc.async.AsyncGenerator;
import org.bsc.langgraph4j.NodeOutput;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangGraph4j's prebuilt AgentExecutor over LangChain4j tools: its tool node calls executeWithContext directly
 * (bypassing LangChain4j's ToolService), so the LangChain4j module decides every call; a refusal is a tool
 * result, so the graph goes on instead of failing the node; one CompiledGraph.invoke is one run.
 */
class LangGraph4jToolTest {
  private static WovenPolicy woven;
  @TempDir
  static Path dir;
  static final List<String> RAN = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void weave() throws Exception {
    woven = WovenPolicy.weave("""
        version: 1
        tools:
          deny: ["delete_*"]
        limits:
          - { name: two-searches, scope: process, tools: "search", max_calls: 2 }
          - { name: two-lookups-per-run, scope: run, tools: "lookup", max_calls: 2 }
          - { name: no-launch, scope: run, tools: "launch", max_calls: 0, on_exceed: halt }
          - { name: three-per-thread, scope: session, tools: "fetch", max_calls: 3 }
        """, dir, new LangChain4jInstrumentationModule(),
        new LangGraph4jInstrumentationModule());
  }

  @AfterAll
  static void unweave() {
    woven.close();
  }

  @BeforeEach
  void clear() {
    RAN.clear();
  }

  public static class Tools {
    @Tool
    public String delete_file(String path) {
      RAN.add("delete_file");
      return "deleted";
    }

    @Tool
    public String lookup(String key) {
      RAN.add("lookup " + key);
      return "found";
    }

    @Tool
    public String fetch(String what) {
      RAN.add("fetch " + what);
      return "fetched";
    }

    @Tool
    public String launch(String what) {
      RAN.add("launch " + what);
      return "launched";
    }

    @Tool
    public String search(String query) {
      RAN.add("search " + query);
      return "hits";
    }
  }

  /** One tool per turn, then an answer; keeps the tool results it was sent. */
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
            .name(tools.get(turn)).arguments("{\"arg0\":\"k" + turn++ + "\"}").build())).build();
      }
      return ChatResponse.builder().aiMessage(AiMessage.from("done")).build();
    }
  }

  private static void invoke(Model model) throws Exception {
    CompiledGraph<AgentExecutor.State> graph = AgentExecutor.builder().chatModel(model)
        .toolSpecification(new Tools()).build().compile();
    graph.invoke(Map.of("messages", UserMessage.from("go")));
  }

  @Test
  void deniedToolNeverRunsAndTheGraphGoesOnWithTheRefusal() throws Exception {
    Model model = new Model("delete_file", "lookup");
    invoke(model);

    assertEquals(List.of("lookup k1"), RAN);
    assertTrue(model.results.get(0).startsWith("delete_file=blocked by policy: tools.deny[0]"), model.results.toString());
  }

  @Test
  void oneGraphInvocationIsOneRun() throws Exception {
    Model model = new Model("lookup", "lookup", "lookup");
    invoke(model);
    assertEquals(List.of("lookup k0", "lookup k1"), RAN);
    assertTrue(model.results.get(2).startsWith("lookup=blocked by policy: limits[1]"), model.results.toString());

    RAN.clear();
    invoke(new Model("lookup"));
    assertEquals(List.of("lookup k0"), RAN, "a new invocation is a new run");
  }

  @Test
  void haltEndsTheGraphInvocationWithTheTypedException() {
    Model model = new Model("launch", "lookup");
    Throwable thrown = assertThrows(Throwable.class, () -> invoke(model));
    Throwable cause = thrown;
    while (cause != null && !(cause instanceof LimitExceededException)) {
      cause = cause.getCause();
    }
    assertTrue(cause instanceof LimitExceededException, "halt should be the exception or its cause: " + thrown);
    assertTrue(RAN.isEmpty(), RAN.toString());
  }

  @Test
  void theGraphsThreadIdIsTheSessionAcrossInvocations() throws Exception {
    CompiledGraph<AgentExecutor.State> graph = AgentExecutor.builder().chatModel(new Model("fetch", "fetch"))
        .toolSpecification(new Tools()).build().compile();
    graph.invoke(Map.of("messages", UserMessage.from("go")), RunnableConfig.builder().threadId("t-1").build());
    CompiledGraph<AgentExecutor.State> again = AgentExecutor.builder().chatModel(new Model("fetch", "fetch"))
        .toolSpecification(new Tools()).build().compile();
    again.invoke(Map.of("messages", UserMessage.from("go")), RunnableConfig.builder().threadId("t-1").build());
    CompiledGraph<AgentExecutor.State> other = AgentExecutor.builder().chatModel(new Model("fetch"))
        .toolSpecification(new Tools()).build().compile();
    other.invoke(Map.of("messages", UserMessage.from("go")), RunnableConfig.builder().threadId("t-2").build());

    // thread t-1: 3 of its 4 fetches over two invocations; thread t-2 has its own counter
    assertEquals(List.of("fetch k0", "fetch k1", "fetch k0", "fetch k0"), RAN);
  }

  @Test
  void aProcessLimitHoldsInsideTheGraph() throws Exception {
    Model model = new Model("search", "search", "search");
    invoke(model);

    assertEquals(List.of("search k0", "search k1"), RAN);
    assertTrue(model.results.get(2).startsWith("search=blocked by policy: limits[0]"), model.results.toString());
  }

  private static CompiledGraph<AgentExecutor.State> graph(Model model) throws Exception {
    return AgentExecutor.builder().chatModel(model).toolSpecification(new Tools()).build().compile();
  }

  /** Whether a run is current on this thread: binding it to a probe makes the probe a run carrier. */
  private static boolean hasCurrentRun() {
    Object probe = new Object();
    Guard.runBind(probe);
    return Guard.runCarrier(probe, null) != null;
  }

  @Test
  void oneGraphStreamIsOneRunWhicheverThreadsDriveIt() throws Exception {
    long suppressed = Guard.suppressedCount();
    Model model = new Model("lookup", "lookup", "lookup");
    AsyncGenerator<NodeOutput<AgentExecutor.State>> stream =
        graph(model).stream(Map.of("messages", UserMessage.from("go")), RunnableConfig.builder().build());
    assertFalse(hasCurrentRun(), "building the stream leaves no run on the caller's thread");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // the caller drives the generator later, one node at a time, on pooled threads
      List<Boolean> leaked = new CopyOnWriteArrayList<>();
      int nodes = 0;
      while (true) {
        AsyncGenerator.Data<NodeOutput<AgentExecutor.State>> data = pool.submit(() -> {
          AsyncGenerator.Data<NodeOutput<AgentExecutor.State>> d = stream.next();
          leaked.add(hasCurrentRun());
          return d;
        }).get();
        if (data.isDone()) {
          break;
        }
        data.future().get();
        nodes++;
      }
      assertTrue(nodes > 3, "the graph ran its nodes: " + nodes);
      assertFalse(leaked.contains(true), "a pooled thread kept the run after next(): " + leaked);
    } finally {
      pool.shutdownNow();
    }

    assertEquals(List.of("lookup k0", "lookup k1"), RAN, "two lookups per run, across the streamed graph");
    assertTrue(model.results.get(2).startsWith("lookup=blocked by policy: limits[1]"), model.results.toString());
    assertEquals(suppressed, Guard.suppressedCount());

    RAN.clear();
    graph(new Model("lookup")).stream(Map.of("messages", UserMessage.from("go")), RunnableConfig.builder().build())
        .stream().forEach(output -> { });
    assertEquals(List.of("lookup k0"), RAN, "the exhausted stream's run ended; a new stream is a new run");
  }

  @Test
  void theStreamsThreadIdIsItsSession() throws Exception {
    graph(new Model("fetch", "fetch")).stream(Map.of("messages", UserMessage.from("go")),
        RunnableConfig.builder().threadId("s-1").build()).stream().forEach(output -> { });
    graph(new Model("fetch", "fetch")).invoke(Map.of("messages", UserMessage.from("go")),
        RunnableConfig.builder().threadId("s-1").build());

    assertEquals(List.of("fetch k0", "fetch k1", "fetch k0"), RAN, "three fetches per thread id, stream and invoke");
  }

  @Test
  void haltEndsTheStreamWithTheTypedException() throws Exception {
    AsyncGenerator<NodeOutput<AgentExecutor.State>> stream = graph(new Model("launch", "lookup"))
        .stream(Map.of("messages", UserMessage.from("go")), RunnableConfig.builder().build());
    Throwable thrown = assertThrows(Throwable.class, () -> stream.stream().forEach(output -> { }));
    Throwable cause = thrown;
    while (cause != null && !(cause instanceof LimitExceededException)) {
      cause = cause.getCause();
    }
    assertTrue(cause instanceof LimitExceededException, "halt should be the exception or its cause: " + thrown);
    assertTrue(RAN.isEmpty(), RAN.toString());
    assertFalse(hasCurrentRun());
  }
}
