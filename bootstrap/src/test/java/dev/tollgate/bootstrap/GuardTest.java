package dev.tollgate.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which frame decides a tool call: request identity for nesting, tool names for remote (MCP) adapters. */
class GuardTest {
  private final List<String> decided = java.util.Collections.synchronizedList(new ArrayList<>());
  private Guard.Delegate delegate;

  @BeforeEach
  void install() {
    delegate = new Guard.Delegate() {
      @Override
      protected Refusal toolEnter(String framework, String tool, String arguments, Object session) {
        decided.add(framework + ":" + tool);
        return tool.contains("delete") ? Refusal.toModel("no") : null;
      }

      @Override
      protected Refusal failedDecision(Throwable t) {
        throw new AssertionError(t);
      }

      @Override
      protected Object runEnter(String framework) {
        return null;
      }

      @Override
      protected Throwable runExit(Object token, Throwable thrown) {
        return null;
      }

      @Override
      protected Throwable takePendingHalt() {
        return null;
      }

      @Override
      protected void runDetach(Object token, Throwable thrown) {}

      @Override
      protected void runBind(Object carrier) {}

      @Override
      protected Object runResume(Object carrier) {
        return null;
      }

      @Override
      protected void runRelease(Object token, boolean mayEnd, Throwable thrown) {}

      @Override
      protected boolean llmRecognized(String method, String uri) {
        return uri.endsWith("/chat/completions");
      }

      @Override
      protected Object llmEnter(String client, String method, String uri, byte[] body, long contentLength) {
        decided.add(client + ":" + uri);
        return "exchange";
      }

      @Override
      protected void onSuppressed(Throwable t) {}
    };
    Guard.install(delegate);
  }

  @AfterEach
  void uninstall() {
    Guard.install(null);
  }

  /**
   * The load gate opens before the guard is installed (classes load woven while it is set up): a tool call made then
   * waits in the entry point for the guard and is decided by it, never let through undecided.
   */
  @Test
  void aCallMadeWhileTheGuardIsComingWaitsForItAndIsDecided() throws Exception {
    Guard.install(null);
    Guard.expect(new Thread(() -> {}, "installer"));
    long waitedBefore = Guard.waitedCalls();
    Object[] answer = new Object[1];
    Thread app = toolCallOnItsOwnThread(answer);
    awaitWaiting(waitedBefore);
    assertTrue(app.isAlive(), "the call waits for the guard");
    assertEquals(List.of(), decided);
    Guard.install(delegate);
    app.join(10_000);
    assertFalse(app.isAlive());
    assertTrue(answer[0] instanceof Refusal, "decided by the guard that came: " + answer[0]);
    assertEquals(List.of("lc4j:delete_file"), decided);
    assertTrue(Guard.firstWaitNanos() > 0);
  }

  /**
   * A guard whose set-up waits to be wanted (the agent's GuardStart): a call that comes first runs the hook, then
   * waits and is decided as any call made while the guard is coming; a hook that throws is counted, never thrown to
   * the app, and the call still waits for its guard.
   */
  @Test
  void aCallThatWaitsRunsTheWantedHookFirstEvenOneThatThrows() throws Exception {
    for (boolean throwing : new boolean[] {false, true}) {
      Guard.install(null);
      decided.clear();
      java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
      Guard.expect(new Thread(() -> {}, "installer"), () -> {
        ran.incrementAndGet();
        if (throwing) {
          throw new IllegalStateException("a bug in the hook");
        }
      });
      long waitedBefore = Guard.waitedCalls();
      long suppressedBefore = Guard.suppressedCount();
      Object[] answer = new Object[1];
      Thread app = toolCallOnItsOwnThread(answer);
      awaitWaiting(waitedBefore);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (ran.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(1, ran.get(), "the waiting call wanted the guard once");
      assertTrue(app.isAlive(), "and waits for it");
      assertEquals(throwing ? suppressedBefore + 1 : suppressedBefore, Guard.suppressedCount());
      Guard.install(delegate);
      app.join(10_000);
      assertFalse(app.isAlive());
      assertTrue(answer[0] instanceof Refusal, "decided by the guard that came: " + answer[0]);
      assertEquals(List.of("lc4j:delete_file"), decided);
    }
  }

  /**
   * The thread setting the guard up never waits for itself; a guard whose set-up failed releases the calls waiting
   * for it, which then go on as with no agent (as a class the gate let through unwoven would).
   */
  @Test
  void theInstallerNeverWaitsAndAnAbandonedGuardReleasesTheWaitingCalls() throws Exception {
    Guard.install(null);
    Guard.expect(Thread.currentThread());
    assertNull(Guard.toolEnter("lc4j", new Object(), "delete_file", "{}", null), "the installer's own call");
    assertFalse(Guard.installed());

    Guard.expect(new Thread(() -> {}, "installer"));
    long waitedBefore = Guard.waitedCalls();
    Object[] answer = {"unset"};
    Thread app = new Thread(() -> answer[0] = Guard.llmEnter("jdk", "POST", "http://127.0.0.1/v1/chat/completions",
        null, -1), "app");
    app.start();
    awaitWaiting(waitedBefore);
    Guard.abandon();
    app.join(10_000);
    assertFalse(app.isAlive());
    assertNull(answer[0]);
    assertEquals(List.of(), decided);
  }

  private static void awaitWaiting(long waitedBefore) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (Guard.waitedCalls() == waitedBefore) {
      assertTrue(System.nanoTime() < deadline, "no call waited");
      Thread.sleep(5);
    }
  }

  @Test
  void theSameRequestNestedIsNotDecidedAgainButAnotherRequestIs() {
    Object outer = new Object();
    assertSame(Guard.PROCEED, Guard.toolEnter("lc4j", outer, "lookup", "{}", null));
    assertNull(Guard.toolEnter("lc4j", outer, "lookup", "{}", null), "delegating overload");
    Object inner = new Object();
    assertSame(Guard.PROCEED, Guard.toolEnter("lc4j", inner, "lookup", "{}", null), "a sub-agent's tool");
    Guard.toolExit();
    Guard.toolExit();
    assertEquals(List.of("lc4j:lookup", "lc4j:lookup"), decided);
  }

  @Test
  void anMcpAdapterAlreadyDispatchingTheSameToolMakesTheClientCallTheSameLogicalCall() {
    assertTrue(Guard.toolEnter("spring-ai", new Object(), "spring_ai_mcp_files_delete_file", "{}", null)
        instanceof Refusal);
    assertNull(Guard.remoteToolEnter("mcp", new Object(), "files", "delete_file", null));
    assertSame(Guard.PROCEED, Guard.remoteToolEnter("mcp", new Object(), "files", "lookup", null),
        "a different remote tool inside the adapter's frame is its own call");
    Guard.toolExit();
    Guard.toolExit();
    assertSame(Guard.PROCEED, Guard.remoteToolEnter("mcp", new Object(), "files", "lookup", null));
    Guard.toolExit();
    assertEquals(List.of("spring-ai:spring_ai_mcp_files_delete_file", "mcp:files/lookup", "mcp:files/lookup"),
        decided);
  }

  @Test
  void aToolWhoseBodyRunsAfterItsFrameIsRedispatchedSoItsRemoteCallCountsOnce() {
    Object request = new Object();
    assertSame(Guard.PROCEED, Guard.toolEnter("google-adk", request, "lookup", "{}", null));
    Guard.toolExit(); // runAsync returned its Single; the server is called when it is subscribed
    Guard.toolRedispatchEnter(request, "lookup");
    assertNull(Guard.remoteToolEnter("mcp", new Object(), "files", "lookup", null), "the same logical call");
    Guard.toolRedispatchExit(request);
    assertSame(Guard.PROCEED, Guard.remoteToolEnter("mcp", new Object(), "files", "lookup", null),
        "after it, a client call is a call of its own");
    Guard.toolExit();
    Guard.toolRedispatchExit(request); // not on top: nothing is taken off
    assertEquals(List.of("google-adk:lookup", "mcp:files/lookup"), decided);
  }

  @Test
  void theRemoteNameOfAnAdaptedCallMustPassTheToolRulesToo() {
    List<String> rulesOnly = new java.util.ArrayList<>();
    Guard.install(new Guard.Delegate() {
      @Override
      protected Refusal toolEnter(String framework, String tool, String arguments, Object session) {
        decided.add(framework + ":" + tool);
        return null; // the adapter's renamed duplicate passes a delete_* deny
      }

      @Override
      protected Refusal toolRulesEnter(String framework, String tool, Object arguments) {
        rulesOnly.add(framework + ":" + tool);
        return tool.endsWith("/delete_file") ? Refusal.toModel("denied as " + tool) : null;
      }

      @Override
      protected Refusal failedDecision(Throwable t) {
        throw new AssertionError(t);
      }

      @Override
      protected Object runEnter(String framework) {
        return null;
      }

      @Override
      protected Throwable runExit(Object token, Throwable thrown) {
        return null;
      }

      @Override
      protected Throwable takePendingHalt() {
        return null;
      }

      @Override
      protected void runDetach(Object token, Throwable thrown) {}

      @Override
      protected void runBind(Object carrier) {}

      @Override
      protected Object runResume(Object carrier) {
        return null;
      }

      @Override
      protected void runRelease(Object token, boolean mayEnd, Throwable thrown) {}

      @Override
      protected void onSuppressed(Throwable t) {}
    });
    assertSame(Guard.PROCEED, Guard.toolEnter("spring-ai", new Object(), "alt_1_delete_file", "{}", null));
    Object refused = Guard.remoteToolEnter("mcp", new Object(), "files", "delete_file", null);
    assertTrue(refused instanceof Refusal && ((Refusal) refused).text().equals("denied as files/delete_file"));
    Guard.toolExit();
    Guard.toolExit();
    assertSame(Guard.PROCEED, Guard.toolEnter("spring-ai", new Object(), "spring_ai_lookup", "{}", null));
    assertNull(Guard.remoteToolEnter("mcp", new Object(), "files", "lookup", null), "allowed: one logical call");
    Guard.toolExit();
    assertEquals(List.of("mcp:files/delete_file", "mcp:files/lookup"), rulesOnly);
    assertEquals(List.of("spring-ai:alt_1_delete_file", "spring-ai:spring_ai_lookup"), decided);
  }

  @Test
  void aNameThatOnlyEndsWithTheToolTextIsNotAnAdapter() {
    Guard.toolEnter("spring-ai", new Object(), "undelete_file", "{}", null);
    assertTrue(Guard.remoteToolEnter("mcp", new Object(), "files", "delete_file", null) instanceof Refusal);
    Guard.toolExit();
    Guard.toolExit();
  }

  @Test
  void nothingIsDecidedBeforeTheAgentInstallsItsDelegate() {
    Guard.install(null);
    assertNull(Guard.toolEnter("lc4j", new Object(), "delete_file", "{}", null));
    assertNull(Guard.remoteToolEnter("mcp", new Object(), "files", "delete_file", null));
  }

  @Test
  void anLlmRequestGovernedByAnOuterLayerIsNotCountedAgainByTheTransportUnderIt() throws Exception {
    String uri = "http://127.0.0.1/v1/chat/completions";
    assertEquals("exchange", Guard.llmEnter("spring-restclient", "POST", uri, new byte[0], 0));
    Guard.llmOuterEnter();
    assertFalse(Guard.llmRecognized("POST", uri), "the transport does not read the body ahead again");
    assertNull(Guard.llmEnter("jdk-httpclient", "POST", uri, new byte[0], 0));
    Thread other = new Thread(() -> decided.add("other thread: " + Guard.llmEnter("okhttp", "POST", uri, null, 0)));
    other.start();
    other.join();
    Guard.llmOuterExit();
    Guard.llmOuterExit(); // unpaired: harmless
    assertTrue(Guard.llmRecognized("POST", uri));
    assertEquals("exchange", Guard.llmEnter("jdk-httpclient", "POST", uri, new byte[0], 0));
    assertEquals(List.of("spring-restclient:" + uri, "okhttp:" + uri, "other thread: exchange",
        "jdk-httpclient:" + uri), decided);
  }

  @Test
  void theOuterMarkTravelsWithARequestLentToAnotherThreadAndIsFoundThereOnce() throws Exception {
    String uri = "http://127.0.0.1/v1/chat/completions";
    Object lentMarked = new Object();
    Object lentUnmarked = new Object();
    Guard.llmOuterLend(lentUnmarked); // an unmarked thread lends nothing
    Guard.llmOuterEnter();
    Guard.llmOuterLend(lentMarked);
    Guard.llmOuterLend(null); // harmless
    Guard.llmOuterExit();
    Thread dispatcher = new Thread(() -> {
      assertFalse(Guard.llmOuterResume(lentUnmarked));
      assertFalse(Guard.llmOuterResume(null));
      assertTrue(Guard.llmOuterResume(lentMarked));
      try {
        decided.add("lent: " + Guard.llmEnter("okhttp", "POST", uri, null, 0));
      } finally {
        Guard.llmOuterExit();
      }
      assertFalse(Guard.llmOuterResume(lentMarked), "each lend is found once");
      decided.add("after: " + Guard.llmEnter("okhttp", "POST", uri, null, 0));
    });
    dispatcher.start();
    dispatcher.join();
    assertEquals(List.of("lent: null", "okhttp:" + uri, "after: exchange"), decided);
  }

  /** Starts an app thread that calls a tool (delete_file) and puts the guard's answer in {@code answer[0]}. */
  private static Thread toolCallOnItsOwnThread(Object[] answer) {
    Thread app = new Thread(() -> {
      answer[0] = Guard.toolEnter("lc4j", new Object(), "delete_file", "{}", null);
      if (answer[0] != null) {
        Guard.toolExit();
      }
    }, "app");
    app.start();
    return app;
  }
}
