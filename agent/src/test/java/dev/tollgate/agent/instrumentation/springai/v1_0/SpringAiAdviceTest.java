package dev.tollgate.agent.instrumentation.springai.v1_0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.host.HostToolCallback;
import dev.tollgate.agent.installer.AgentInstaller;
import dev.tollgate.agent.installer.CoverageReport;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LimitExceededException;
import dev.tollgate.bootstrap.Refusal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.function.FunctionToolCallback;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;

/**
 * Advice wiring against the real Spring AI 1.x tool loop, in-process: a real {@link ChatClient} over a scripted
 * {@link ChatModel} that runs {@code DefaultToolCallingManager} the way the provider models do, the woven
 * {@code ToolCallback}s consult {@link Guard}, and we observe what the tools did and what the model was told.
 */
class SpringAiAdviceTest {
  private static ResettableClassFileTransformer transformer;
  private static final ScriptedGuard guard = new ScriptedGuard();
  @TempDir
  static Path dir;

  @BeforeAll
  static void weave() throws Exception {
    var inst = ByteBuddyAgent.install();
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    List<dev.tollgate.agent.spi.InstrumentationModule> modules = List.of(new SpringAiInstrumentationModule());
    transformer = AgentInstaller.install(inst, modules, new CoverageReport(log, modules));
    Guard.install(guard);
  }

  @AfterAll
  static void unweave() {
    Guard.install(null);
    transformer.reset(ByteBuddyAgent.getInstrumentation(), AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
  }

  @BeforeEach
  void reset() {
    guard.calls.clear();
    guard.sessions.clear();
    guard.runsEntered.set(0);
    Tools.ran.clear();
  }

  public static class Tools {
    static final List<String> ran = new CopyOnWriteArrayList<>();

    @Tool(name = "delete_file", description = "deletes a file")
    public String deleteFile(String path) {
      ran.add("delete_file");
      return "deleted " + path;
    }

    @Tool(name = "lookup", description = "looks a key up")
    public String lookup(String key) {
      ran.add("lookup " + key);
      return "value-of-" + key;
    }

    @Tool(name = "halt_me", description = "halts")
    public String haltMe(String key) {
      ran.add("halt_me");
      return "should not run";
    }
  }

  /** Asks for each tool in turn, one per round trip, running the tools as 1.x provider models do; records results. */
  static final class ScriptedModel implements ChatModel {
    final List<String> script;
    final List<ToolResponseMessage.ToolResponse> toolResults = Collections.synchronizedList(new ArrayList<>());
    final ToolCallingManager tools = ToolCallingManager.builder().build();
    int turn;

    ScriptedModel(String... tools) {
      script = List.of(tools);
    }

    @Override
    public ChatOptions getDefaultOptions() {
      return ToolCallingChatOptions.builder().build();
    }

    @Override
    public ChatResponse call(Prompt prompt) {
      for (Message m : prompt.getInstructions()) {
        if (m instanceof ToolResponseMessage r) {
          for (ToolResponseMessage.ToolResponse response : r.getResponses()) {
            if (!toolResults.contains(response)) {
              toolResults.add(response);
            }
          }
        }
      }
      AssistantMessage reply;
      if (turn < script.size()) {
        int i = turn++;
        // this module compiles without -parameters, so the @Tool parameters are named arg0
        reply = AssistantMessage.builder().content("").toolCalls(List.of(new AssistantMessage.ToolCall("call-" + i,
            "function", script.get(i), "{\"arg0\":\"k" + i + "\"}"))).build();
      } else {
        reply = new AssistantMessage("done");
      }
      ChatResponse response = new ChatResponse(List.of(new Generation(reply)));
      if (!reply.hasToolCalls()) {
        return response;
      }
      ToolExecutionResult result = tools.executeToolCalls(prompt, response);
      return call(new Prompt(result.conversationHistory(), prompt.getOptions()));
    }
  }

  /** Refuses delete_*, halts on halt_me, records every decision it was asked for. */
  static final class ScriptedGuard extends Guard.Delegate {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Object> sessions = new CopyOnWriteArrayList<>();
    final AtomicInteger runsEntered = new AtomicInteger();
    final ThreadLocal<RuntimeException> pending = new ThreadLocal<>();
    Object currentRun;
    RuntimeException runHalt;

    @Override
    protected Refusal toolEnter(String framework, String tool, String arguments, Object session) {
      calls.add(framework + ":" + tool);
      sessions.add(String.valueOf(session));
      if (tool.startsWith("delete_")) {
        return Refusal.toModel("blocked by policy: tools.deny[0]: no deletes");
      }
      if (tool.equals("halt_me")) {
        LimitExceededException e = new LimitExceededException("halted", "limits[0]", "l", "run", 0);
        pending.set(e);
        runHalt = e;
        return Refusal.haltRun(e);
      }
      return null;
    }

    @Override
    protected Refusal failedDecision(Throwable t) {
      throw new AssertionError(t);
    }

    @Override
    protected Object runEnter(String framework) {
      if (currentRun != null) {
        return null;
      }
      runsEntered.incrementAndGet();
      currentRun = new Object();
      return currentRun;
    }

    @Override
    protected Throwable runExit(Object token, Throwable thrown) {
      currentRun = null;
      RuntimeException h = runHalt;
      runHalt = null;
      return h != null && thrown != h ? h : null;
    }

    @Override
    protected void runDetach(Object token, Throwable thrown) {
      currentRun = null;
    }

    @Override
    protected void runBind(Object carrier) {}

    @Override
    protected Object runResume(Object carrier) {
      return null;
    }

    @Override
    protected void runRelease(Object token, boolean mayEnd, Throwable thrown) {}

    @Override
    protected Throwable takePendingHalt() {
      RuntimeException h = pending.get();
      pending.remove();
      return h;
    }

    @Override
    protected void onSuppressed(Throwable t) {
      t.printStackTrace();
    }
  }

  private static String chat(ScriptedModel model) {
    return ChatClient.create(model).prompt("go").tools(new Tools()).call().content();
  }

  private static ToolCallback callback(String name) {
    for (ToolCallback c : MethodToolCallbackProvider.builder().toolObjects(new Tools()).build().getToolCallbacks()) {
      if (c.getToolDefinition().name().equals(name)) {
        return c;
      }
    }
    throw new AssertionError(name);
  }

  @Test
  void deniedToolNeverRunsAndModelSeesRefusal() {
    long suppressedBefore = Guard.suppressedCount();
    ScriptedModel model = new ScriptedModel("delete_file", "lookup");
    String answer = chat(model);

    assertEquals("done", answer);
    assertEquals(List.of("lookup k1"), Tools.ran);
    assertEquals("blocked by policy: tools.deny[0]: no deletes", model.toolResults.get(0).responseData());
    assertEquals("\"value-of-k1\"", model.toolResults.get(1).responseData());
    assertEquals(suppressedBefore, Guard.suppressedCount());
  }

  @Test
  void eachToolCallIsDecidedExactlyOnceInAChatClientRun() {
    ScriptedModel model = new ScriptedModel("lookup", "lookup", "lookup");
    chat(model);

    assertEquals(List.of("spring-ai:lookup", "spring-ai:lookup", "spring-ai:lookup"), guard.calls);
    assertEquals(3, Tools.ran.size());
    assertEquals(1, guard.runsEntered.get(), "one ChatClient call, including the model's recursive calls, is one run");
  }

  @Test
  void eachOverloadDecidesOnceWhicheverWayItDelegates() {
    ToolCallback method = callback("lookup"); // call(String) -> call(String, ToolContext)
    ToolCallback function = FunctionToolCallback.builder("fn_lookup", (Function<Map<String, String>, String>) in -> {
      Tools.ran.add("fn_lookup");
      return "ok";
    }).inputType(Map.class).build();
    ToolCallback plain = new HostToolCallback("plain_lookup", in -> { // the interface default delegates to it
      Tools.ran.add("plain_lookup");
      return "ok";
    });
    ToolContext context = new ToolContext(Map.of("k", "v"));
    for (ToolCallback c : List.of(method, function, plain)) {
      c.call("{\"arg0\":\"a\"}");
      c.call("{\"arg0\":\"b\"}", context);
      c.call("{\"arg0\":\"c\"}", null);
    }

    assertEquals(9, guard.calls.size(), guard.calls::toString);
    assertEquals(List.of("spring-ai:lookup", "spring-ai:lookup", "spring-ai:lookup",
        "spring-ai:fn_lookup", "spring-ai:fn_lookup", "spring-ai:fn_lookup",
        "spring-ai:plain_lookup", "spring-ai:plain_lookup", "spring-ai:plain_lookup"), guard.calls);
    assertEquals(9, Tools.ran.size());
  }

  @Test
  void aCallbackCalledInsideAnotherToolIsDecidedOnItsOwn() {
    ToolCallback delete = callback("delete_file");
    ToolCallback outer = new HostToolCallback("orchestrate", in -> "inner said: " + delete.call(in));
    String result = outer.call("{}", new ToolContext(Map.of()));

    assertEquals(List.of("spring-ai:orchestrate", "spring-ai:delete_file"), guard.calls);
    assertEquals("inner said: blocked by policy: tools.deny[0]: no deletes", result);
    assertTrue(Tools.ran.isEmpty());
  }

  @Test
  void sessionIsTheConversationIdTheAppPutInTheToolContext() {
    callback("lookup").call("{\"arg0\":\"a\"}", new ToolContext(Map.of(ChatMemory.CONVERSATION_ID, "conv-7")));
    callback("lookup").call("{\"arg0\":\"a\"}", new ToolContext(Map.of("other", "x")));

    assertEquals(List.of("conv-7", "null"), guard.sessions);
  }

  @Test
  void haltEndsTheChatClientCallWithTheTypedException() {
    ScriptedModel model = new ScriptedModel("lookup", "halt_me", "lookup");
    LimitExceededException e = assertThrows(LimitExceededException.class, () -> chat(model));

    assertSame(LimitExceededException.class, e.getClass());
    assertEquals(List.of("lookup k0"), Tools.ran);
    assertFalse(Tools.ran.contains("halt_me"));
    assertEquals(2, model.turn, "no model round trip after the halt");
  }

  @Test
  void directCallbackCallsOutsideAChatClientAreGuardedToo() {
    String result = callback("delete_file").call("{\"path\":\"/tmp/x\"}");

    assertEquals("blocked by policy: tools.deny[0]: no deletes", result);
    assertTrue(Tools.ran.isEmpty());
  }
}
