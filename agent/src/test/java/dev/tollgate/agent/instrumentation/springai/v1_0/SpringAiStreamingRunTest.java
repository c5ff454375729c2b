package dev.tollgate.agent.instrumentation.springai.v1_0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.host.HostStreamingChatModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.agent.testing.WovenPolicy;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LimitExceededException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.support.ToolCallbacks;
import org.springframework.ai.tool.annotation.Tool;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Signal;
import reactor.core.scheduler.Schedulers;

/**
 * Streaming runs against the real Spring AI 1.1 {@code ChatClient} and {@code DefaultToolCallingManager}, with the
 * real guard and engine: a scripted model streams the way 1.x provider models do (each tool round in
 * {@code Flux.deferContextual(...).subscribeOn(boundedElastic())}, the context published in
 * {@code ToolCallReactiveContextHolder}), so every tool runs on a Reactor worker thread.
 */
class SpringAiStreamingRunTest {
  private static WovenPolicy woven;
  @TempDir
  static Path dir;
  static final List<String> RAN = new CopyOnWriteArrayList<>();
  static final List<String> TOOL_THREADS = new CopyOnWriteArrayList<>();
  private static final ObjectMapper JSON = new ObjectMapper();
  private long suppressedBefore;
  private int logLinesBefore;

  @BeforeAll
  static void weave() throws Exception {
    woven = WovenPolicy.weave("""
        version: 1
        tools:
          deny: ["delete_*"]
        limits:
          - { name: three-lookups-per-run, scope: run, tools: "lookup", max_calls: 3 }
          - { name: no-launch, scope: run, tools: "launch", max_calls: 0, on_exceed: halt }
        """, dir, new SpringAiInstrumentationModule());
  }

  @AfterAll
  static void unweave() {
    woven.close();
  }

  @BeforeEach
  void clear() throws Exception {
    RAN.clear();
    TOOL_THREADS.clear();
    suppressedBefore = Guard.suppressedCount();
    logLinesBefore = woven.logLines().size();
  }

  @AfterEach
  void noAdviceErrors() {
    assertEquals(suppressedBefore, Guard.suppressedCount(), "no advice error may be swallowed");
    assertFalse(hasCurrentRun(), "the test thread keeps no run");
  }

  public static class Tools {
    @Tool(name = "delete_file", description = "deletes a file")
    public String deleteFile(String path) {
      ran("delete_file");
      return "deleted";
    }

    @Tool(name = "lookup", description = "looks a key up")
    public String lookup(String key) {
      ran("lookup " + key);
      return "value-of-" + key;
    }

    @Tool(name = "launch", description = "launches")
    public String launch(String what) {
      ran("launch");
      return "launched";
    }

    private static void ran(String what) {
      RAN.add(what);
      TOOL_THREADS.add(Thread.currentThread().getName());
    }
  }

  private static Flux<String> chatClientStream(HostStreamingChatModel model) {
    return ChatClient.create(model).prompt("go").tools(new Tools()).stream().content();
  }

  private static Flux<ChatResponse> modelStream(HostStreamingChatModel model) {
    return model.stream(new Prompt("go",
        ToolCallingChatOptions.builder().toolCallbacks(ToolCallbacks.from(new Tools())).build()));
  }

  /** Whether a run is current on this thread: binding it to a probe makes the probe a run carrier. */
  private static boolean hasCurrentRun() {
    Object probe = new Object();
    Guard.runBind(probe);
    return Guard.runCarrier(probe, null) != null;
  }

  private List<Map<?, ?>> toolCallLines() throws Exception {
    List<Map<?, ?>> lines = new ArrayList<>();
    List<String> all = woven.logLines();
    for (String line : all.subList(logLinesBefore, all.size())) {
      Map<?, ?> event = JSON.readValue(line, Map.class);
      if ("tool.call".equals(event.get("event"))) {
        lines.add(event);
      }
    }
    return lines;
  }

  @Test
  void everyToolRoundOfAChatClientStreamCountsAgainstOneRun() throws Exception {
    HostStreamingChatModel model = new HostStreamingChatModel("lookup", "lookup", "delete_file", "lookup", "lookup");
    List<String> content = chatClientStream(model).collectList().block();

    assertEquals(List.of("do", "ne"), content);
    assertEquals(List.of("lookup k0", "lookup k1", "lookup k3"), RAN, "three lookups per run, across rounds");
    assertTrue(TOOL_THREADS.stream().allMatch(t -> t.startsWith("boundedElastic")), TOOL_THREADS.toString());
    assertTrue(model.toolResults.get(2).startsWith("blocked by policy: tools.deny[0]"), model.toolResults.toString());
    assertTrue(model.toolResults.get(4).startsWith("blocked by policy: limits[0]"), model.toolResults.toString());
    List<Map<?, ?>> calls = toolCallLines();
    assertEquals(5, calls.size());
    Object run = calls.get(0).get("run");
    assertNotNull(run, "a streaming tool call belongs to the stream's run");
    assertTrue(calls.stream().allMatch(c -> run.equals(c.get("run"))), calls.toString());
  }

  @Test
  void aDirectModelStreamIsOneRunToo() throws Exception {
    HostStreamingChatModel model = new HostStreamingChatModel("lookup", "lookup", "lookup", "lookup");
    List<ChatResponse> responses = modelStream(model).collectList().block();

    assertEquals(2, responses.size());
    assertEquals(List.of("lookup k0", "lookup k1", "lookup k2"), RAN);
    assertTrue(model.toolResults.get(3).startsWith("blocked by policy: limits[0]"), model.toolResults.toString());
    assertEquals(1, toolCallLines().stream().map(c -> c.get("run")).distinct().count());
  }

  @Test
  void eachSubscriptionIsARunOfItsOwn() throws Exception {
    chatClientStream(new HostStreamingChatModel("lookup", "lookup")).blockLast();
    chatClientStream(new HostStreamingChatModel("lookup", "lookup")).blockLast();

    assertEquals(4, RAN.size(), "two streams, two runs of two lookups: " + RAN);
    List<Object> runs = toolCallLines().stream().map(c -> (Object) c.get("run")).distinct().toList();
    assertEquals(2, runs.size(), runs.toString());
    assertNotEquals(runs.get(0), runs.get(1));
  }

  @Test
  void concurrentStreamsKeepTheirOwnRuns() throws Exception {
    List<Flux<String>> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(chatClientStream(new HostStreamingChatModel("lookup", "lookup", "lookup", "lookup")));
    }
    Flux.merge(streams).blockLast();

    assertEquals(12, RAN.size(), "three lookups in each of four concurrent runs: " + RAN);
    assertEquals(4, toolCallLines().stream().map(c -> c.get("run")).distinct().count());
  }

  @Test
  void haltEndsTheStreamWithLimitExceededExceptionDeliveredAsOnError() {
    HostStreamingChatModel model = new HostStreamingChatModel("lookup", "launch", "lookup");
    List<Signal<String>> signals = chatClientStream(model).materialize().collectList().block();

    Signal<String> last = signals.get(signals.size() - 1);
    assertTrue(last.isOnError(), signals.toString());
    assertSame(LimitExceededException.class, last.getThrowable().getClass(), String.valueOf(last.getThrowable()));
    assertEquals(List.of("lookup k0"), RAN);
    assertEquals(2, model.turn.get(), "no model round trip after the halt");
  }

  @Test
  void theWorkerThreadKeepsNoRunAfterAToolRound() {
    List<Boolean> leaked = new CopyOnWriteArrayList<>();
    Schedulers.onScheduleHook("tollgate-probe", task -> () -> {
      try {
        task.run();
      } finally {
        leaked.add(hasCurrentRun());
      }
    });
    try {
      chatClientStream(new HostStreamingChatModel("lookup", "lookup", "lookup")).blockLast();
    } finally {
      Schedulers.resetOnScheduleHook("tollgate-probe");
    }

    assertEquals(3, RAN.size());
    assertFalse(leaked.isEmpty(), "the probe ran on the workers");
    assertFalse(leaked.contains(true), "a worker thread kept a run after its task: " + leaked);
  }

  @Test
  void aCancelledStreamEndsItsRun() throws Exception {
    // the first element arrives after two tool rounds; cancelling then ends the run, and the next stream starts afresh
    String first = chatClientStream(new HostStreamingChatModel("lookup", "lookup")).next().block();
    assertEquals("do", first);
    chatClientStream(new HostStreamingChatModel("lookup", "lookup", "lookup")).blockLast();

    assertEquals(5, RAN.size(), RAN.toString());
    assertEquals(2, toolCallLines().stream().map(c -> c.get("run")).distinct().count());
  }
}
