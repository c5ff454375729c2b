package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import dev.tollgate.agent.installer.AgentInstaller;
import dev.tollgate.agent.installer.CoverageReport;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LimitExceededException;
import dev.tollgate.bootstrap.Refusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Advice wiring against the real LangChain4j AI-service loop, in-process: a scripted {@link ChatModel} asks for
 * tools, the woven {@code ToolExecutor} consults {@link Guard}, and we observe what the tools did and what the
 * model was told. The delegate stands in for the policy engine, which has its own tests.
 */
class LangChain4jAdviceTest {
  private static ResettableClassFileTransformer transformer;
  private static final ScriptedGuard guard = new ScriptedGuard();
  @TempDir
  static Path dir;

  @BeforeAll
  static void weave() throws Exception {
    var inst = ByteBuddyAgent.install();
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    List<dev.tollgate.agent.spi.InstrumentationModule> modules = List.of(new LangChain4jInstrumentationModule());
    transformer = AgentInstaller.install(inst, modules, new CoverageReport(log, modules));
    Guard.install(guard);
  }

  @AfterAll
  static void unweave() {
    Guard.install(null);
    transformer.reset(ByteBuddyAgent.getInstrumentation(), net.bytebuddy.agent.builder.AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
  }

  @BeforeEach
  void reset() {
    guard.calls.clear();
    guard.runsEntered.set(0);
    Tools.ran.clear();
  }

  interface Assistant {
    String chat(String message);
  }

  public static class Tools {
    static final List<String> ran = new CopyOnWriteArrayList<>();

    @Tool("deletes a file")
    public String delete_file(String path) {
      ran.add("delete_file");
      return "deleted " + path;
    }

    @Tool("looks a key up")
    public String lookup(String key) {
      ran.add("lookup " + key);
      return "value-of-" + key;
    }

    @Tool("halts")
    public String halt_me(String key) {
      ran.add("halt_me");
      return "should not run";
    }
  }

  /** Asks for each tool in turn, one per round trip, then answers; records what it was sent. */
  static final class ScriptedModel implements ChatModel {
    final List<ToolExecutionRequest> script;
    final List<ToolExecutionResultMessage> toolResults = Collections.synchronizedList(new ArrayList<>());
    int turn;

    ScriptedModel(String... tools) {
      script = new ArrayList<>();
      for (int i = 0; i < tools.length; i++) {
        script.add(ToolExecutionRequest.builder().id("call-" + i).name(tools[i])
            .arguments("{\"arg0\":\"k" + i + "\"}").build());
      }
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      for (ChatMessage m : request.messages()) {
        if (m instanceof ToolExecutionResultMessage r && !toolResults.contains(r)) {
          toolResults.add(r);
        }
      }
      AiMessage reply = turn < script.size() ? AiMessage.from(script.get(turn++)) : AiMessage.from("done");
      return ChatResponse.builder().aiMessage(reply).build();
    }
  }

  /** Refuses delete_*, halts on halt_me, records every decision it was asked for. */
  static final class ScriptedGuard extends Guard.Delegate {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger runsEntered = new AtomicInteger();
    final ThreadLocal<RuntimeException> pending = new ThreadLocal<>();
    Object currentRun;
    RuntimeException runHalt;

    @Override
    protected Refusal toolEnter(String framework, String tool, String arguments, Object session) {
      calls.add(framework + ":" + tool);
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

  private static Assistant assistant(ScriptedModel model) {
    return AiServices.builder(Assistant.class).chatModel(model).tools(new Tools()).build();
  }

  @Test
  void deniedToolNeverRunsAndModelSeesRefusal() {
    long suppressedBefore = Guard.suppressedCount();
    ScriptedModel model = new ScriptedModel("delete_file", "lookup");
    String answer = assistant(model).chat("go");

    assertEquals("done", answer);
    assertEquals(List.of("lookup k1"), Tools.ran);
    assertEquals("blocked by policy: tools.deny[0]: no deletes", model.toolResults.get(0).text());
    assertEquals(Boolean.TRUE, model.toolResults.get(0).isError());
    assertEquals("value-of-k1", model.toolResults.get(1).text());
    assertEquals(suppressedBefore, Guard.suppressedCount());
  }

  @Test
  void eachToolCallIsDecidedExactlyOnce() {
    ScriptedModel model = new ScriptedModel("lookup", "lookup", "lookup");
    assistant(model).chat("go");

    assertEquals(List.of("langchain4j:lookup", "langchain4j:lookup", "langchain4j:lookup"), guard.calls);
    assertEquals(3, Tools.ran.size());
    assertEquals(1, guard.runsEntered.get());
  }

  @Test
  void haltEndsTheAiServiceCallWithTheTypedException() {
    ScriptedModel model = new ScriptedModel("lookup", "halt_me", "lookup");
    LimitExceededException e = assertThrows(LimitExceededException.class, () -> assistant(model).chat("go"));

    assertSame(e.getClass(), LimitExceededException.class);
    assertEquals(List.of("lookup k0"), Tools.ran);
    assertFalse(Tools.ran.contains("halt_me"));
    assertEquals(2, model.turn, "no model round trip after the halt");
  }

  @Test
  void directExecutorCallsOutsideAnAiServiceAreGuardedToo() throws Exception {
    var executor = new dev.langchain4j.service.tool.DefaultToolExecutor(new Tools(),
        Tools.class.getMethod("delete_file", String.class));
    String result = executor.execute(ToolExecutionRequest.builder().id("x").name("delete_file")
        .arguments("{\"arg0\":\"/tmp/x\"}").build(), "mem");

    assertEquals("blocked by policy: tools.deny[0]: no deletes", result);
    assertTrue(Tools.ran.isEmpty());
    assertTrue(Files.exists(dir));
  }
}
