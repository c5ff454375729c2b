package dev.tollgate.agent.guard;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.llm.Endpoints;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.event.Digest;
import dev.tollgate.policy.event.JsonLine;
import dev.tollgate.policy.event.LimitExceeded;
import dev.tollgate.policy.event.RunSummary;
import dev.tollgate.policy.event.ToolCallEvent;
import dev.tollgate.agent.run.RunState;
import dev.tollgate.agent.run.Runs;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LimitExceededException;
import dev.tollgate.bootstrap.Refusal;
import dev.tollgate.bootstrap.TollgateException;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.CoverageGap;
import dev.tollgate.policy.engine.LimitBreach;
import dev.tollgate.policy.engine.LoggedName;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import dev.tollgate.policy.engine.ToolVerdict;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * What woven advice reaches through {@link Guard}: asks the engine, writes the enforcement log, and turns the
 * verdict into the refusal the framework hands to the model (or the halt that ends the run).
 */
public final class PolicyGuard extends Guard.Delegate {
  private static final Logger LOG = Diagnostics.logger(PolicyGuard.class);
  private static final int MAX_REPORTED_ERRORS = 10;

  /** Swapped by a policy reload ({@link #reload}). */
  private volatile PolicyEngine engine;
  private final EnforcementLog log;
  private final Runs runs;
  private final boolean failOpen;
  private final ThreadLocal<RuntimeException> pendingHalt = new ThreadLocal<>();
  private final AtomicInteger reportedErrors = new AtomicInteger();
  private volatile HostMdc mdc;
  /** The runs of the tool calls being dispatched on this thread, innermost first ({@link #NO_RUN}: none). */
  private final ThreadLocal<ArrayDeque<Object>> dispatchingRuns = new ThreadLocal<>() {
    @Override
    protected ArrayDeque<Object> initialValue() {
      return new ArrayDeque<>();
    }
  };
  private static final Object NO_RUN = new Object();

  private volatile LlmGovernor governor;
  private final LlmGuard llm;
  private final CoverageWatch coverage;
  private volatile AuditFollower follower;
  /** Tool calls paused at a limit wait here for an operator's answer; null until the audit journal is followed. */
  private volatile PausedToolCalls paused;

  public PolicyGuard(PolicyEngine engine, EnforcementLog log, boolean failOpen) {
    this(engine, log, failOpen, null, null);
  }

  /**
   * With LLM-call governance: {@code governor} admits, reserves and settles LLM calls that {@code endpoints}
   * recognises among the HTTP requests the instrumented clients make.
   */
  public PolicyGuard(PolicyEngine engine, EnforcementLog log, boolean failOpen, LlmGovernor governor,
      Endpoints endpoints) {
    this(engine, log, failOpen, governor, endpoints, null);
  }

  /** And {@code coverage}, asked at every governed call until the policy is covered (null: not watched). */
  public PolicyGuard(PolicyEngine engine, EnforcementLog log, boolean failOpen, LlmGovernor governor,
      Endpoints endpoints, CoverageWatch coverage) {
    this.engine = engine;
    this.coverage = coverage;
    this.log = log;
    this.governor = governor;
    // inner classes, not lambdas, here and in mdcOf: the guard is built while the app starts, and each lambda's
    // first use spins a class (about three times what loading a small class costs)
    this.runs = new Runs(new RunEnded());
    this.mdc = mdcOf(engine.policy());
    this.failOpen = failOpen;
    this.llm = governor == null || endpoints == null ? null
        : new LlmGuard(governor, endpoints, log, new CurrentRun(), new PendingHalt(), new CurrentMdc(), coverage);
  }

  /** At a run's end: its counters in the engine and the governor go, and an ended run is summarised. */
  private final class RunEnded implements java.util.function.Consumer<RunState> {
    @Override
    public void accept(RunState run) {
      engine.endRun(run.id());
      LlmGovernor g = governor;
      if (g != null) {
        g.endRun(run.id());
      }
      if (run.ended()) {
        summarize(run, log);
      }
    }
  }

  private final class CurrentRun implements java.util.function.Supplier<RunState> {
    @Override
    public RunState get() {
      return runs.current();
    }
  }

  private final class PendingHalt implements java.util.function.Function<RuntimeException, Void> {
    @Override
    public Void apply(RuntimeException halt) {
      pendingHalt.set(halt);
      return null;
    }
  }

  private final class CurrentMdc implements java.util.function.Supplier<java.util.Map<String, String>> {
    @Override
    public java.util.Map<String, String> get() {
      return mdc.read();
    }
  }

  private static HostMdc mdcOf(dev.tollgate.policy.Policy policy) {
    java.util.Set<String> mdcKeys = new java.util.LinkedHashSet<>();
    for (dev.tollgate.policy.Limit l : policy.limits()) {
      if (l.mdcKey() != null) {
        mdcKeys.add(l.mdcKey());
      }
    }
    for (dev.tollgate.policy.Budget b : policy.budgets()) {
      if (b.mdcKey() != null) {
        mdcKeys.add(b.mdcKey());
      }
    }
    return new HostMdc(java.util.List.copyOf(mdcKeys));
  }

  /** The engine deciding tool calls now (a reload swaps it). */
  public PolicyEngine engine() {
    return engine;
  }

  /**
   * Swaps in a reloaded policy: its engine (built over this one's, so limits that keep their name carry their counts)
   * and its LLM governor (over the same stores). Calls decided from now on see the new policy; calls in flight finish
   * under the one that admitted them.
   */
  public void reload(PolicyEngine next, LlmGovernor nextGovernor) {
    this.mdc = mdcOf(next.policy());
    this.engine = next;
    if (nextGovernor != null && governor != null) {
      this.governor = nextGovernor;
      if (llm != null) {
        llm.reload(nextGovernor);
      }
      AuditFollower f = follower;
      if (f != null) {
        f.reload(nextGovernor);
      }
    }
  }

  /** The LLM-call governor (budgets, LLM-call limits), or null without LLM governance; for the metrics' readings. */
  public LlmGovernor governor() {
    return governor;
  }

  /** Operators' resets, overrides and approvals reach this JVM through {@code follower}. */
  public void follow(AuditFollower follower) {
    this.follower = follower;
    this.paused = new PausedToolCalls(new CurrentEngine(), follower, log);
    if (llm != null) {
      llm.follow(follower);
    }
  }

  private final class CurrentEngine implements java.util.function.Supplier<PolicyEngine> {
    @Override
    public PolicyEngine get() {
      return engine;
    }
  }

  /** At shutdown: adds spend kept while a shared store was down, and closes its connections. */
  public void closeStores() {
    AuditFollower f = follower;
    if (f != null) {
      f.stop();
    }
    if (governor != null) {
      governor.sharedStore().close();
    }
  }

  /** Ends the runs the JVM stops before their last callback did (see {@link Runs#endBound}); at shutdown. */
  public void endBoundRuns() {
    runs.endBound();
  }

  /** At shutdown: lets settlements still on their way to a shared store finish (at most {@code timeoutMillis}). */
  public void drainSettlements(long timeoutMillis) {
    if (llm != null) {
      llm.drainSettlements(timeoutMillis);
    }
  }

  @Override
  protected boolean llmRecognized(String method, String uri) {
    return llm != null && llm.recognized(method, uri);
  }

  @Override
  protected Object llmEnter(String client, String method, String uri, byte[] body, long contentLength) {
    return llm == null ? null : llm.enter(client, method, uri, body, contentLength);
  }

  @Override
  protected Refusal toolEnter(String framework, String tool, String arguments, Object session) {
    return toolEnter(framework, tool, arguments, session, null);
  }

  @Override
  protected Refusal toolEnter(String framework, String tool, Object rawArguments, Object session, Object runCarrier) {
    // first, so that Guard.toolExit always has this frame's entry to pop, whatever happens below
    ArrayDeque<Object> frames = dispatchingRuns.get();
    frames.push(NO_RUN);
    String arguments = rawArguments == null || rawArguments instanceof String
        ? (String) rawArguments : JsonLine.text(rawArguments);
    pendingHalt.remove(); // a halt not surfaced by now was surfaced elsewhere or belongs to the run
    RunState run = runs.current();
    if (run == null && runCarrier != null) {
      run = runs.identifiedBy(runCarrier, framework);
    }
    if (run != null) {
      frames.pop();
      frames.push(run);
    }
    String name = tool == null ? "" : tool;
    String sessionId = session != null ? String.valueOf(session) : run == null ? null : run.session();
    if (run != null && run.halt() != null) {
      // the framework swallowed the halt and carried on: keep refusing (and saying so) until the run ends
      RuntimeException halt = run.halt();
      run.toolCall(true);
      log.writeDurably(new ToolCallEvent(Outcome.DENY, true,
          halt instanceof TollgateException ? ((TollgateException) halt).rule() : null, "the run was halted",
          LoggedName.of(name), framework, run.id(), sessionId, null, null));
      pendingHalt.set(halt);
      return Refusal.haltRun(halt);
    }
    CoverageGap gap = coverage == null ? null : coverage.check("tool call");
    if (gap != null) {
      log.writeDurably(new ToolCallEvent(Outcome.DENY, true, "coverage.require", gap.reason(), name, framework,
          run == null ? null : run.id(), sessionId, null, null));
      return Refusal.toModel(gap.refusal());
    }
    ToolCall call = new ToolCall(name, framework, run == null ? null : run.id(), arguments, sessionId, mdc.read());
    ToolVerdict v = engine.decide(call);
    PausedToolCalls waiting = paused;
    if (waiting != null && v.paused() != null) {
      v = waiting.await(v, call);
    }
    LimitBreach breach = v.breach();
    // a refusal's lines are on disk before the host sees it; an allowed call's line is written off this thread
    boolean refused = v.enforced() || (breach != null && breach.first());
    ToolCallEvent line = new ToolCallEvent(v.outcome(), v.enforced(), v.rule(), v.reason(), LoggedName.of(name),
        framework, run == null ? null : run.id(), sessionId, breach == null ? null : breach.limit(),
        Digest.of(arguments));
    if (refused) {
      log.writeDurably(line);
    } else {
      log.write(line);
    }
    if (run != null) {
      run.toolCall(v.enforced());
    }
    if (breach != null && breach.first()) {
      Long max = (long) breach.maxCalls();
      log.writeDurably(new LimitExceeded(breach.limit(), v.rule(), breach.scope().name().toLowerCase(Locale.ROOT),
          breach.identical() ? null : max, breach.identical() ? max : null,
          breach.window() == null ? null : breach.window().toString(), breach.partition(),
          breach.onExceed().name().toLowerCase(Locale.ROOT), v.enforced(), LoggedName.of(name), framework, null,
          run == null ? null : run.id(), null));
    }
    if (!v.enforced()) {
      return null;
    }
    if (v.halt() && breach != null) {
      LimitExceededException halt = new LimitExceededException(
          ToolVerdict.halted(v.refusal()),
          v.rule(), breach.limit(), breach.scope().name().toLowerCase(Locale.ROOT), breach.maxCalls());
      if (run != null) {
        run.halt(halt);
      }
      pendingHalt.set(halt);
      return Refusal.haltRun(halt);
    }
    return Refusal.toModel(v.refusal());
  }

  /**
   * One {@code run.summary} line: written once, when the run has ended and its last LLM call has settled. A run that
   * made no call at all (a streaming entry point whose stream runs on as a run of its own) has nothing to report.
   */
  static void summarize(RunState run, EnforcementLog log) {
    RunState.Summary s = run.summary();
    if (s.llmCalls() == 0 && s.toolCalls() == 0) {
      return;
    }
    log.write(new RunSummary(run.id(), run.session(), run.framework(), s.llmCalls(), s.toolCalls(), s.refusals(),
        s.inputTokens(), s.outputTokens(), s.costNanos(), s.durationMillis(), s.halted()));
  }

  /**
   * The remote name of a call its adapter already decided: the engine's tool rules decide it again under this name
   * (counting nothing). A denial is logged like any refused call; an allowed one adds no line (the adapter's line
   * is the call's).
   */
  @Override
  protected Refusal toolRulesEnter(String framework, String tool, Object rawArguments) {
    String arguments = rawArguments == null || rawArguments instanceof String
        ? (String) rawArguments : JsonLine.text(rawArguments);
    RunState run = runs.current();
    String name = tool == null ? "" : tool;
    ToolVerdict v = engine.decideToolRules(new ToolCall(name, framework, run == null ? null : run.id(), arguments,
        run == null ? null : run.session(), mdc.read()));
    if (v.outcome() != Outcome.DENY) {
      return null;
    }
    log.writeDurably(new ToolCallEvent(Outcome.DENY, v.enforced(), v.rule(), v.reason(), LoggedName.of(name),
        framework, run == null ? null : run.id(), run == null ? null : run.session(), null, Digest.of(arguments)));
    if (!v.enforced()) {
      return null;
    }
    dispatchingRuns.get().push(NO_RUN);
    return Refusal.toModel(v.refusal());
  }

  @Override
  protected String mcpServerName(Object client) {
    return engine.mcpServerName(dev.tollgate.agent.instrumentation.mcp.v0_10.McpConnection.of(client));
  }

  @Override
  protected Refusal toolRulesRefused(Refusal refusal) {
    dispatchingRuns.get().push(NO_RUN);
    return refusal;
  }

  @Override
  protected void toolExit() {
    dispatchingRuns.get().poll();
  }

  @Override
  protected void runBindDispatching(Object carrier) {
    Object dispatching = dispatchingRuns.get().peek();
    if (dispatching instanceof RunState run) {
      runs.bind(carrier, run);
    } else {
      runs.bind(carrier);
    }
  }

  @Override
  protected boolean isBound(Object carrier) {
    return runs.bound(carrier) != null;
  }

  @Override
  protected Refusal failedDecision(Throwable t) {
    Guard.suppressed(t);
    if (failOpen) {
      return null;
    }
    return Refusal.toModel("blocked by policy: tollgate could not decide this call (internal error)");
  }

  @Override
  protected Object runEnter(String framework) {
    return runs.begin(framework);
  }

  @Override
  protected Object runEnter(String framework, String session) {
    return runs.begin(framework, session);
  }

  @Override
  protected void runSession(Object session) {
    RunState run = runs.current();
    if (run != null) {
      run.nameSession(String.valueOf(session));
    }
  }

  @Override
  protected Throwable runExit(Object token, Throwable thrown) {
    if (coverage != null) {
      coverage.check("run end");
    }
    RunState run = (RunState) token;
    runs.end(run);
    pendingHalt.remove();
    RuntimeException halt = run.halt();
    if (halt == null || causedBy(thrown, halt)) {
      return null;
    }
    return halt;
  }

  @Override
  protected void runDetach(Object token, Throwable thrown) {
    RunState run = (RunState) token;
    if (thrown != null) {
      runs.end(run);
    } else {
      runs.detach(run);
    }
  }

  @Override
  protected void runBind(Object carrier) {
    runs.bind(carrier);
  }

  @Override
  protected void runLend(Object carrier) {
    runs.lend(carrier);
  }

  @Override
  protected boolean inRun() {
    return runs.current() != null;
  }

  @Override
  protected Object runJoin(String framework, Object carrier, Object session) {
    return runs.join(carrier, framework, session == null ? null : String.valueOf(session));
  }

  @Override
  protected Object runResume(Object carrier) {
    return runs.resume(carrier);
  }

  @Override
  protected void runRelease(Object token, boolean mayEnd, Throwable thrown) {
    runs.release((Runs.Resumption) token, mayEnd, thrown);
  }

  @Override
  protected Throwable takePendingHalt() {
    RuntimeException halt = pendingHalt.get();
    if (halt != null) {
      pendingHalt.remove();
    }
    return halt;
  }

  @Override
  protected void onSuppressed(Throwable t) {
    if (reportedErrors.incrementAndGet() <= MAX_REPORTED_ERRORS) {
      LOG.warn("agent error suppressed so the application goes on: {}", t.toString(), t);
    }
  }

  private static boolean causedBy(Throwable thrown, Throwable halt) {
    for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t == halt) {
        return true;
      }
    }
    return false;
  }

  /** The mode the log should report, for {@code policy.loaded}. */
  public static String modeName(Mode mode) {
    return mode.name().toLowerCase(Locale.ROOT);
  }
}
