package dev.tollgate.agent.instrumentation.adk.v0_5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.adk.agents.LlmAgent;
import com.google.adk.events.Event;
import com.google.adk.models.BaseLlm;
import com.google.adk.models.BaseLlmConnection;
import com.google.adk.models.LlmRequest;
import com.google.adk.models.LlmResponse;
import com.google.adk.runner.InMemoryRunner;
import com.google.adk.sessions.Session;
import com.google.adk.tools.FunctionTool;
import com.google.genai.types.Content;
import com.google.genai.types.Part;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.bootstrap.LimitExceededException;
import io.reactivex.rxjava3.core.Flowable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.tollgate.agent.testing.WovenPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real ADK runner and LlmAgent with function tools; a scripted model asks for tools one per turn. */
class AdkToolAdviceTest {
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
          - { name: two-lookups, scope: run, tools: "lookup", max_calls: 2 }
          - { name: no-launch, scope: run, tools: "launch", max_calls: 0, on_exceed: halt }
        """, dir, new AdkInstrumentationModule());
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

  /** Public: ADK invokes tool methods reflectively. */
  public static final class Tools {
    public static Map<String, Object> delete_everything() {
      RAN.add("delete_everything");
      return Map.of("status", "deleted");
    }

    public static Map<String, Object> lookup() {
      RAN.add("lookup");
      return Map.of("value", "found");
    }

    public static Map<String, Object> launch() {
      RAN.add("launch");
      return Map.of("status", "launched");
    }
  }

  /** Asks for one tool per turn, then answers; records the function responses it was sent. */
  static final class ScriptedLlm extends BaseLlm {
    final List<String> script;
    final List<String> responses = new CopyOnWriteArrayList<>();
    int turn;

    ScriptedLlm(String... tools) {
      super("scripted");
      script = List.of(tools);
    }

    @Override
    public Flowable<LlmResponse> generateContent(LlmRequest request, boolean stream) {
      List<Content> contents = request.contents();
      Content last = contents.get(contents.size() - 1);
      for (Part p : last.parts().orElse(List.of())) {
        p.functionResponse().ifPresent(r -> responses.add(r.name().orElse("?") + "=" + r.response().orElse(Map.of())));
      }
      Part next = turn < script.size() ? Part.fromFunctionCall(script.get(turn++), Map.of()) : Part.fromText("done");
      return Flowable.just(LlmResponse.builder()
          .content(Content.builder().role("model").parts(List.of(next)).build()).build());
    }

    @Override
    public BaseLlmConnection connect(LlmRequest request) {
      throw new UnsupportedOperationException();
    }
  }

  private static List<Event> run(ScriptedLlm model) throws Exception {
    List<Object> tools = new ArrayList<>();
    for (String name : List.of("delete_everything", "lookup", "launch")) {
      tools.add(FunctionTool.create(Tools.class.getMethod(name)));
    }
    LlmAgent agent = LlmAgent.builder().name("assistant").model(model).tools(tools).build();
    InMemoryRunner runner = new InMemoryRunner(agent);
    Session session = runner.sessionService().createSession(runner.appName(), "user-1").blockingGet();
    return runner.runAsync("user-1", session.id(), Content.fromParts(Part.fromText("go"))).toList().blockingGet();
  }

  @Test
  void deniedToolNeverRunsAndTheModelGetsAnErrorResponse() throws Exception {
    ScriptedLlm model = new ScriptedLlm("delete_everything", "lookup");
    run(model);

    assertEquals(List.of("lookup"), RAN, model.responses.toString());
    assertTrue(model.responses.get(0).startsWith("delete_everything={error=blocked by policy: tools.deny[0]"),
        model.responses.toString());
    String log = woven.log();
    assertTrue(log.contains("\"framework\":\"google-adk\""), log);
  }

  @Test
  void runLimitCountsWithinOneInvocationAndANewRunStartsAfresh() throws Exception {
    ScriptedLlm model = new ScriptedLlm("lookup", "lookup", "lookup");
    run(model);
    assertEquals(List.of("lookup", "lookup"), RAN);
    assertTrue(model.responses.get(2).contains("blocked by policy: limits[0]"), model.responses.toString());

    RAN.clear();
    run(new ScriptedLlm("lookup"));
    assertEquals(List.of("lookup"), RAN, "a second invocation is a new run");
  }

  @Test
  void haltEndsTheRunsEventStreamWithTheTypedException() {
    ScriptedLlm model = new ScriptedLlm("launch", "lookup");
    LimitExceededException e = assertThrows(LimitExceededException.class, () -> run(model));
    assertEquals("no-launch", e.limit());
    assertSame(LimitExceededException.class, e.getClass());
    assertTrue(RAN.isEmpty(), RAN.toString());
  }
}
