package dev.tollgate.bootstrap;

import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The static entry points that woven advice calls. Lives on the bootstrap class path so advice inlined into any
 * class loader can reach it. Until the agent installs a {@link Delegate} every method is a cheap no-op (or, while
 * {@code premain}'s guard is being set up, waits for it: {@link #expect}), and no method ever throws to its caller:
 * advice relies on that.
 */
public final class Guard {
  private static volatile Delegate delegate;
  private static final AtomicLong SUPPRESSED = new AtomicLong();
  /** Per thread, the tool calls being dispatched: {request, tool name}, innermost first. */
  private static final ThreadLocal<ArrayDeque<Object[]>> DISPATCHING = new ThreadLocal<>() {
    // an anonymous class, not withInitial with a lambda: this initialises in premain, where a lambda spins a class
    @Override
    protected ArrayDeque<Object[]> initialValue() {
      return new ArrayDeque<>();
    }
  };
  /** Per thread, how many outer HTTP layers (Spring's RestClient, WebClient) govern the request being sent here. */
  private static final ThreadLocal<int[]> GOVERNING = new ThreadLocal<>() {
    @Override
    protected int[] initialValue() {
      return new int[1];
    }
  };
  /**
   * Requests an outer layer governs that were handed to another thread to be carried out (see {@link #llmOuterLend});
   * weak keys: a request nobody carries out is forgotten with it.
   */
  private static final java.util.Map<Object, Boolean> GOVERNED_ELSEWHERE =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /** {@link #toolEnter}'s answer for a call that may run. */
  public static final Object PROCEED = new Object();

  private Guard() {}

  /**
   * Set by {@code premain} while the agent's guard is still being set up on {@code installer}: every entry point then
   * waits (at most {@link #MAX_WAIT_SECONDS}) for {@link #install} or {@link #abandon}, so a tool or LLM call the app
   * makes during start-up is decided like any other — woven classes may load before the guard is ready. Null: no
   * guard is coming (late attach installs it before weaving), or it has come.
   */
  private static volatile CountDownLatch coming;
  private static volatile Thread installer;
  /** Run by a call before it waits for the guard that is coming: the agent begins its set-up if it has not yet. */
  private static volatile Runnable wanted;
  /** How long an entry point waits for a guard that is coming; past it the call goes on ungoverned, said loudly. */
  public static final long MAX_WAIT_SECONDS = 60;
  private static final AtomicLong FIRST_WAIT_NANOS = new AtomicLong();
  private static final AtomicLong WAITED_CALLS = new AtomicLong();

  /** Installed once by the agent. */
  public static void install(Delegate d) {
    delegate = d;
    release();
  }

  /**
   * A guard is being set up on {@code installer} (whose own calls never wait): until {@link #install} or
   * {@link #abandon}, entry points wait for it.
   */
  public static void expect(Thread installer) {
    expect(installer, null);
  }

  /** The same, and {@code wanted} is run (on the calling thread, before it waits) by every call that waits. */
  public static void expect(Thread installer, Runnable wanted) {
    Guard.installer = installer;
    Guard.wanted = wanted;
    coming = new CountDownLatch(1);
  }

  /** The guard that was expected will not come (its set-up failed): waiting calls go on ungoverned. */
  public static void abandon() {
    release();
  }

  private static void release() {
    CountDownLatch c = coming;
    if (c != null) {
      c.countDown();
      coming = null;
      wanted = null;
    }
  }

  /** True once the agent has installed its delegate (waiting for it if it is coming, as every entry point does). */
  public static boolean installed() {
    return delegate() != null;
  }

  /** Calls that waited for the guard while it was set up, and since when the first waited (0: none did). */
  public static long waitedCalls() {
    return WAITED_CALLS.get();
  }

  public static long firstWaitNanos() {
    return FIRST_WAIT_NANOS.get();
  }

  /** The installed delegate; while one is coming, waits for it. One volatile read once it is installed. */
  private static Delegate delegate() {
    Delegate d = delegate;
    return d != null ? d : awaitDelegate();
  }

  private static Delegate awaitDelegate() {
    CountDownLatch c = coming;
    if (c == null || Thread.currentThread() == installer) {
      return delegate;
    }
    FIRST_WAIT_NANOS.compareAndSet(0, System.nanoTime());
    WAITED_CALLS.incrementAndGet();
    Runnable w = wanted;
    if (w != null) {
      try {
        w.run();
      } catch (Throwable t) {
        suppressed(t);
      }
    }
    // an interrupt does not cut the wait short (the call would go on ungoverned); it is kept for the caller
    if (!awaitThroughInterrupts(c)) {
      System.err.println("[tollgate] WARNING a governed call waited " + MAX_WAIT_SECONDS + " s for the agent "
          + "to be ready: it goes on NOT governed");
    }
    return delegate;
  }

  /**
   * Waits at most {@link #MAX_WAIT_SECONDS} for {@code latch}, going on through interrupts and keeping them for the
   * caller: true if it counted down in time. A governed call waiting for the guard and a class load held at the load
   * gate both wait this way: an interrupt must let neither go on undecided or unwoven.
   */
  public static boolean awaitThroughInterrupts(CountDownLatch latch) {
    long start = System.nanoTime();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return latch.await(TimeUnit.SECONDS.toNanos(MAX_WAIT_SECONDS) - (System.nanoTime() - start),
              TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A tool is about to run. Returns null when this frame is not the one that decides (the same request is
   * already being dispatched on this thread: a delegating overload, a default method, a wrapper), {@link #PROCEED}
   * to let the tool run, or the {@link Refusal} to substitute for its body. Every non-null answer must be paired
   * with {@link #toolExit()} when the frame ends.
   *
   * <p>Nesting is decided by request identity, not by depth: a tool whose body calls a sub-agent that calls other
   * tools makes new, separately decided calls.
   *
   * @param framework which framework dispatched the call, e.g. {@code "langchain4j"}
   * @param request   the framework's request object, identifying the logical call
   * @param tool      the tool name the model asked for
   * @param arguments the raw arguments (JSON text) or null; never logged in clear
   * @param session   the framework's conversation identity, or null
   */
  public static Object toolEnter(String framework, Object request, String tool, String arguments, Object session) {
    return toolEnter(framework, request, tool, arguments, session, null);
  }

  /**
   * As {@link #toolEnter(String, Object, String, String, Object)}, for frameworks that hand each tool call a value
   * identifying its run (LangChain4j's invocation id, ADK's invocation id): when the tool runs on a thread that
   * carries no run (a worker pool, a reactive scheduler), the run bound to {@code runCarrier} with
   * {@link #runBind} is the call's run, or, if none was bound, a run of its own identified by that value.
   */
  public static Object toolEnter(String framework, Object request, String tool, Object arguments, Object session,
      Object runCarrier) {
    Delegate d = delegate();
    if (d == null || request == null) {
      return null;
    }
    ArrayDeque<Object[]> dispatching = DISPATCHING.get();
    Object[] top = dispatching.peek();
    if (top != null && top[0] == request) {
      return null;
    }
    return decide(d, dispatching, framework, request, tool, arguments, session, runCarrier);
  }

  /**
   * A call leaving for a remote tool server (an MCP client's {@code callTool}), named {@code server/tool}. When a
   * framework's adapter for that same tool is already dispatching on this thread (Spring AI's or another
   * framework's MCP tool callback, which has been decided and counted already under the adapter's name, such as
   * {@code alt_1_delete_file}), this is the same logical call: it is not counted again, but its own name must pass
   * the tool rules too ({@link Delegate#toolRulesEnter}): null when they allow it, the refusal (a frame
   * {@link #toolExit} ends) when they deny it. Otherwise decides as
   * {@link #toolEnter(String, Object, String, Object, Object, Object)} does.
   */
  public static Object remoteToolEnter(String framework, Object request, String server, String tool,
      Object arguments) {
    Delegate d = delegate();
    if (d == null || request == null || tool == null) {
      return null;
    }
    ArrayDeque<Object[]> dispatching = DISPATCHING.get();
    Object[] top = dispatching.peek();
    if (top != null && top[0] == request) {
      return null;
    }
    String name = server == null || server.isEmpty() ? tool : server + "/" + tool;
    if (top != null && sameTool((String) top[1], tool)) {
      // the adapter decided and counted this call under its own name; its remote name must pass the tool rules too
      Refusal refusal;
      try {
        refusal = d.toolRulesEnter(framework, name, arguments);
      } catch (Throwable t) {
        refusal = d.failedDecision(t);
        if (refusal != null) {
          refusal = d.toolRulesRefused(refusal);
        }
      }
      if (refusal == null) {
        return null;
      }
      dispatching.push(new Object[] {request, name});
      return refusal;
    }
    return decide(d, dispatching, framework, request, name, arguments, null, null);
  }

  /**
   * An MCP client's {@code callTool}: as {@link #remoteToolEnter}, with the server named by the connection the
   * {@code client} was configured with ({@link Delegate#mcpServerName}), never by what the server says it is.
   */
  public static Object mcpToolEnter(Object request, Object client, String tool, Object arguments) {
    Delegate d = delegate();
    if (d == null || request == null || tool == null) {
      return null;
    }
    String server;
    try {
      server = d.mcpServerName(client);
    } catch (Throwable t) {
      suppressed(t);
      server = null;
    }
    return remoteToolEnter("mcp", request, server == null ? "unidentified" : server, tool, arguments);
  }

  /**
   * A tool this thread's framework decided earlier runs its body now, later than its dispatch frame (ADK's MCP tools
   * call the server inside the {@code Single} that {@code runAsync} returned, when it is subscribed): marks this thread
   * as dispatching that call again, deciding and counting nothing, so that the remote call inside is recognised as
   * the same logical call (see {@link #remoteToolEnter}). Pair with {@link #toolRedispatchExit}.
   */
  public static void toolRedispatchEnter(Object request, String tool) {
    if (delegate() != null && request != null) {
      DISPATCHING.get().push(new Object[] {request, tool});
    }
  }

  /** Ends what {@link #toolRedispatchEnter} started, given the same request. */
  public static void toolRedispatchExit(Object request) {
    if (request == null) {
      return;
    }
    ArrayDeque<Object[]> dispatching = DISPATCHING.get();
    Object[] top = dispatching.peek();
    if (top != null && top[0] == request) {
      dispatching.poll();
    }
  }

  /** An adapter names the remote tool as is, or with its server or client as a prefix. */
  private static boolean sameTool(String adapterTool, String remoteTool) {
    if (adapterTool == null) {
      return false;
    }
    int n = adapterTool.length() - remoteTool.length();
    return adapterTool.endsWith(remoteTool)
        && (n == 0 || "_-./:".indexOf(adapterTool.charAt(n - 1)) >= 0);
  }

  private static Object decide(Delegate d, ArrayDeque<Object[]> dispatching, String framework, Object request,
      String tool, Object arguments, Object session, Object runCarrier) {
    dispatching.push(new Object[] {request, tool});
    Refusal refusal;
    try {
      refusal = d.toolEnter(framework, tool, arguments, session, runCarrier);
    } catch (Throwable t) {
      refusal = d.failedDecision(t);
    }
    return refusal == null ? PROCEED : refusal;
  }

  /** Ends the frame whose {@link #toolEnter} answered non-null. */
  public static void toolExit() {
    DISPATCHING.get().poll();
    Delegate d = delegate();
    if (d != null) {
      try {
        d.toolExit();
      } catch (Throwable t) {
        suppressed(t);
      }
    }
  }

  /**
   * Ties {@code carrier} to the run of the tool call being dispatched on this thread (or, outside any tool
   * call, the thread's run): for a tool that starts a sub-agent whose own tools will know that carrier
   * (ADK's {@code AgentTool} creates a runner whose session service its sub-agent's tools see).
   */
  public static void runBindDispatching(Object carrier) {
    Delegate d = delegate();
    if (d == null || carrier == null) {
      return;
    }
    try {
      d.runBindDispatching(carrier);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /** {@code preferred} when a run is bound to it, else {@code fallback}: picks the run carrier for a tool call. */
  public static Object runCarrier(Object preferred, Object fallback) {
    Delegate d = delegate();
    if (d == null || preferred == null) {
      return fallback;
    }
    try {
      return d.isBound(preferred) ? preferred : fallback;
    } catch (Throwable t) {
      suppressed(t);
      return fallback;
    }
  }

  /** A run (one top-level agent invocation) starts. Returns a token for {@link #runExit}, or null when nested. */
  public static Object runEnter(String framework) {
    return runEnter(framework, null);
  }

  /**
   * As {@link #runEnter(String)}, for an entry point that knows the conversation (LangGraph4j's thread id): tool
   * calls in the run whose framework names no session of their own belong to {@code session}.
   */
  public static Object runEnter(String framework, String session) {
    Delegate d = delegate();
    if (d == null) {
      return null;
    }
    try {
      return d.runEnter(framework, session);
    } catch (Throwable t) {
      suppressed(t);
      return null;
    }
  }

  /**
   * The current run's conversation, learnt after the run started (LangChain4j's memory id, found by the AI service
   * once its proxy is called): LLM and tool calls of the run that name no session of their own belong to it. The
   * first conversation named wins; outside a run this does nothing.
   */
  public static void runSession(Object session) {
    Delegate d = delegate();
    if (d == null || session == null) {
      return;
    }
    try {
      d.runSession(session);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /**
   * A run ends. Returns the throwable the run's entry point must throw instead of {@code thrown} (a halt that
   * the framework swallowed along the way), or null to leave the outcome as it is.
   */
  public static Throwable runExit(Object token, Throwable thrown) {
    Delegate d = delegate();
    if (d == null || token == null) {
      return null;
    }
    try {
      return d.runExit(token, thrown);
    } catch (Throwable t) {
      suppressed(t);
      return null;
    }
  }

  /**
   * An asynchronous run's entry point returns while the run goes on elsewhere (a streaming call): detaches the
   * run from this thread, ending it only if the entry point threw. Pairs with {@link #runEnter}.
   */
  public static void runDetach(Object token, Throwable thrown) {
    Delegate d = delegate();
    if (d == null || token == null) {
      return;
    }
    try {
      d.runDetach(token, thrown);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /** Ties the current thread's run, if any, to {@code carrier} (a framework callback object) for later resumption. */
  public static void runBind(Object carrier) {
    Delegate d = delegate();
    if (d == null || carrier == null) {
      return;
    }
    try {
      d.runBind(carrier);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /**
   * A callback of {@code carrier} starts on some thread: makes the run bound to it current here. Returns a token
   * for {@link #runRelease}, or null when there is nothing to resume (no run bound, or one already current).
   */
  public static Object runResume(Object carrier) {
    Delegate d = delegate();
    if (d == null || carrier == null) {
      return null;
    }
    try {
      return d.runResume(carrier);
    } catch (Throwable t) {
      suppressed(t);
      return null;
    }
  }

  /**
   * Lends the current thread's run, if any, to {@code carrier} for one piece of work another thread will do for it
   * (an HTTP call handed to a client's dispatcher): {@link #runResume} finds it there, and the lend does not count
   * as the run being handed on (see {@link #runRelease}).
   */
  public static void runLend(Object carrier) {
    Delegate d = delegate();
    if (d == null || carrier == null) {
      return;
    }
    try {
      d.runLend(carrier);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /**
   * Makes the run a framework identifies by a value of its own current on this thread (ADK's invocation, known by
   * the runner's session service when a run is bound to it, else by the invocation id, as
   * {@link #runCarrier} picks), naming {@code session} as its conversation if it has none yet. Returns a token for
   * {@link #runRelease} (with {@code mayEnd} false: the run goes on), or null when a run is current already.
   */
  public static Object runJoin(String framework, Object preferred, Object fallback, Object session) {
    Delegate d = delegate();
    if (d == null || (preferred == null && fallback == null)) {
      return null;
    }
    try {
      Object carrier = preferred != null && d.isBound(preferred) ? preferred : fallback;
      return carrier == null ? null : d.runJoin(framework, carrier, session);
    } catch (Throwable t) {
      suppressed(t);
      return null;
    }
  }

  /**
   * The callback that {@link #runResume} returned {@code token} for is done. With {@code mayEnd}, the run ends
   * unless the callback handed it on (bound it to a new carrier), or always when {@code thrown} is not null.
   */
  public static void runRelease(Object token, boolean mayEnd, Throwable thrown) {
    Delegate d = delegate();
    if (d == null || token == null) {
      return;
    }
    try {
      d.runRelease(token, mayEnd, thrown);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /**
   * Whether a run is current on this thread: for hooks that create a carrier only to take the run along (a Kotlin
   * coroutine's context element), so that code outside any run allocates nothing.
   */
  public static boolean inRun() {
    Delegate d = delegate();
    if (d == null) {
      return false;
    }
    try {
      return d.inRun();
    } catch (Throwable t) {
      suppressed(t);
      return false;
    }
  }

  /**
   * Takes the halt decided on this thread and not yet surfaced, if any. Framework frames that catch every
   * exception from a tool call it on exit to rethrow the halt past their own catch.
   */
  public static Throwable takePendingHalt() {
    Delegate d = delegate();
    if (d == null) {
      return null;
    }
    try {
      return d.takePendingHalt();
    } catch (Throwable t) {
      suppressed(t);
      return null;
    }
  }

  /**
   * An HTTP request is about to leave the JVM through an instrumented client. Returns null when it is not an LLM
   * call (or the agent is off, or another instrumented layer already governs this request on this thread), a
   * {@link LlmExchange} to feed the response to when the call may go, or a {@link BlockedCall} to answer with
   * instead of sending it.
   *
   * @param client        which HTTP client, e.g. {@code jdk-httpclient}, {@code okhttp}
   * @param method        the HTTP method
   * @param uri           the full request URI; never logged with its query string
   * @param body          the request body when the client could read it without consuming it, else null
   * @param contentLength the body's length when known, else -1
   */
  public static Object llmEnter(String client, String method, String uri, byte[] body, long contentLength) {
    Delegate d = delegate();
    if (d == null || uri == null || llmOuterActive()) {
      return null;
    }
    try {
      return d.llmEnter(client, method, uri, body, contentLength);
    } catch (Throwable t) {
      suppressed(t);
      return null;
    }
  }

  /**
   * Whether a request to {@code uri} would be an LLM call: lets a client instrumentation read a one-shot request
   * body ahead only when it matters. Cheap; false when the agent is off.
   */
  public static boolean llmRecognized(String method, String uri) {
    Delegate d = delegate();
    if (d == null || uri == null || llmOuterActive()) {
      return false;
    }
    try {
      return d.llmRecognized(method, uri);
    } catch (Throwable t) {
      suppressed(t);
      return false;
    }
  }

  /**
   * An outer HTTP layer (Spring's {@code RestClient} or {@code WebClient}) governs the LLM request that this thread
   * is about to hand to the transport underneath (the JDK client, Apache HttpClient, OkHttp): until the paired
   * {@link #llmOuterExit()}, {@link #llmEnter} answers null and {@link #llmRecognized} false on this thread, so the
   * same request is counted once, by the layer the app called.
   */
  public static void llmOuterEnter() {
    GOVERNING.get()[0]++;
  }

  /**
   * The mark of {@link #llmOuterEnter()} travels with a request a transport hands to another thread (OkHttp's
   * {@code RealCall.enqueue} runs the call on its dispatcher): when this thread is marked, {@code carrier} (the
   * transport's request object) is remembered as governed, and {@link #llmOuterResume} finds it on the thread that
   * carries it out. Nothing happens on an unmarked thread.
   */
  public static void llmOuterLend(Object carrier) {
    if (carrier != null && llmOuterActive()) {
      GOVERNED_ELSEWHERE.put(carrier, Boolean.TRUE);
    }
  }

  /**
   * On the thread that carries out {@code carrier}: true, with this thread marked as by {@link #llmOuterEnter()}
   * (the caller pairs it with {@link #llmOuterExit()}), when an outer layer lent it with {@link #llmOuterLend};
   * false otherwise. Each lend is found once.
   */
  public static boolean llmOuterResume(Object carrier) {
    if (carrier == null || GOVERNED_ELSEWHERE.isEmpty() || GOVERNED_ELSEWHERE.remove(carrier) == null) {
      return false;
    }
    llmOuterEnter();
    return true;
  }

  /** Whether this thread is marked by {@link #llmOuterEnter()}: an outer layer governs the request it starts. */
  public static boolean llmOuterActive() {
    return GOVERNING.get()[0] > 0;
  }

  /** Ends what {@link #llmOuterEnter()} began. */
  public static void llmOuterExit() {
    int[] depth = GOVERNING.get();
    if (depth[0] > 0) {
      depth[0]--;
    }
  }

  /** {@link LlmExchange#response}, containing any exception. */
  public static void llmResponse(LlmExchange exchange, int status, String contentType, String contentEncoding) {
    try {
      exchange.response(status, contentType, contentEncoding);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /** {@link LlmExchange#bytes(java.nio.ByteBuffer)}, containing any exception. */
  public static void llmBytes(LlmExchange exchange, java.nio.ByteBuffer bytes) {
    try {
      exchange.bytes(bytes);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /** {@link LlmExchange#bytes(byte[], int, int)}, containing any exception. */
  public static void llmBytes(LlmExchange exchange, byte[] bytes, int offset, int length) {
    try {
      exchange.bytes(bytes, offset, length);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /** {@link LlmExchange#end}, containing any exception. */
  public static void llmEnd(LlmExchange exchange, boolean complete, Throwable error) {
    try {
      exchange.end(complete, error);
    } catch (Throwable t) {
      suppressed(t);
    }
  }

  /** Called by the advice exception handler: an agent bug that was swallowed so the host goes on. */
  public static void suppressed(Throwable t) {
    SUPPRESSED.incrementAndGet();
    Delegate d = delegate; // never waits: an error path
    if (d != null) {
      try {
        d.onSuppressed(t);
      } catch (Throwable ignored) {
        // nothing left to report to; the count above is what tests assert on
      }
    }
  }

  /** How many agent errors advice has swallowed in this JVM. Tests assert zero. */
  public static long suppressedCount() {
    return SUPPRESSED.get();
  }

  /** Implemented by the agent; every method may throw, {@link Guard} contains it. */
  public abstract static class Delegate {
    protected abstract Refusal toolEnter(String framework, String tool, String arguments, Object session);

    /**
     * With the run carrier the framework passed, and the arguments as the framework holds them: JSON text, or a
     * map/list of JSON-like values. By default the carrier is not used and non-text arguments are dropped.
     */
    protected Refusal toolEnter(String framework, String tool, Object arguments, Object session, Object runCarrier) {
      return toolEnter(framework, tool, arguments instanceof String ? (String) arguments : null, session);
    }

    /** The decision to use when deciding itself failed (fail-open returns null, fail-closed a refusal). */
    protected abstract Refusal failedDecision(Throwable t);

    /**
     * A call an adapter has decided under its own name, leaving under its remote name: decided by the tool rules
     * alone (it was counted once already). A refusal starts a frame that {@code toolExit} ends; null lets it go.
     * By default nothing more is decided.
     */
    protected Refusal toolRulesEnter(String framework, String tool, Object arguments) {
      return null;
    }

    /** The name of the MCP server an MCP client object is connected to, from the client's configuration. */
    protected String mcpServerName(Object client) {
      return null;
    }

    /** Starts the frame of a refusal {@link #failedDecision} gave for {@link #toolRulesEnter}; returns it. */
    protected Refusal toolRulesRefused(Refusal refusal) {
      return refusal;
    }

    protected abstract Object runEnter(String framework);

    /** With the run's session; by default the session is not used. */
    protected Object runEnter(String framework, String session) {
      return runEnter(framework);
    }

    protected abstract Throwable runExit(Object token, Throwable thrown);

    /** See {@link Guard#runSession}; by default the session is not used. */
    protected void runSession(Object session) {}

    protected abstract Throwable takePendingHalt();

    protected abstract void runDetach(Object token, Throwable thrown);

    protected abstract void runBind(Object carrier);

    protected abstract Object runResume(Object carrier);

    protected abstract void runRelease(Object token, boolean mayEnd, Throwable thrown);

    /** See {@link Guard#runLend}; by default nothing is lent. */
    protected void runLend(Object carrier) {}

    /** See {@link Guard#inRun}; by default no run is ever current. */
    protected boolean inRun() {
      return false;
    }

    /** See {@link Guard#runJoin}; by default no run is joined. */
    protected Object runJoin(String framework, Object carrier, Object session) {
      return null;
    }

    /** A tool frame that {@code toolEnter} decided ends. */
    protected void toolExit() {}

    /** See {@link Guard#runBindDispatching}; by default, nothing is bound. */
    protected void runBindDispatching(Object carrier) {}

    /** Whether a run is bound to {@code carrier}. */
    protected boolean isBound(Object carrier) {
      return false;
    }

    /** See {@link Guard#llmRecognized}. */
    protected boolean llmRecognized(String method, String uri) {
      return false;
    }

    /** See {@link Guard#llmEnter}; by default no HTTP request is an LLM call. */
    protected Object llmEnter(String client, String method, String uri, byte[] body, long contentLength) {
      return null;
    }

    protected abstract void onSuppressed(Throwable t);
  }
}
