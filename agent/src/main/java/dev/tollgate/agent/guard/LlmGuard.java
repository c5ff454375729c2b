package dev.tollgate.agent.guard;

import dev.tollgate.agent.llm.BlockedResponse;
import dev.tollgate.agent.llm.Endpoint;
import dev.tollgate.agent.llm.Endpoints;
import dev.tollgate.agent.llm.LlmRequest;
import dev.tollgate.agent.llm.MeterResult;
import dev.tollgate.agent.llm.RequestInspector;
import dev.tollgate.agent.llm.ResponseMeter;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.run.RunState;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.BudgetExceededException;
import dev.tollgate.bootstrap.LimitExceededException;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.TollgateException;
import dev.tollgate.policy.CoverageGap;
import dev.tollgate.policy.budget.Admission;
import dev.tollgate.policy.budget.Breach;
import dev.tollgate.policy.budget.LlmCall;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.Settlement;
import dev.tollgate.policy.budget.Threshold;
import dev.tollgate.policy.Approval;
import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.budget.Usage;
import dev.tollgate.policy.budget.UsageSource;
import dev.tollgate.policy.event.AuditEvent;
import java.time.Instant;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.engine.ToolVerdict;
import dev.tollgate.policy.event.Amounts;
import dev.tollgate.policy.event.BudgetExceeded;
import dev.tollgate.policy.event.BudgetWarning;
import dev.tollgate.policy.event.LimitExceeded;
import dev.tollgate.policy.event.LlmCallEvent;
import dev.tollgate.policy.event.LlmCallEvent.BudgetLine;
import dev.tollgate.policy.event.LlmCallEvent.Target;
import dev.tollgate.policy.event.LlmUnmetered;
import dev.tollgate.policy.event.LogEvent;
import dev.tollgate.policy.event.Usd;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * LLM calls seen by the HTTP-client instrumentations: recognise the endpoint, admit the call against LLM call
 * limits and budgets (reserving its worst-case cost), meter the response as it passes and settle the reservation
 * with the provider's own usage, writing {@code llm.call}, {@code budget.warning} and {@code budget.exceeded}.
 * Never logs a URL's query string, a header, or a prompt.
 */
public final class LlmGuard {

  /** Swapped by a policy reload; a call is settled by the governor that admitted it. */
  private volatile LlmGovernor governor;
  private final Endpoints endpoints;
  private final EnforcementLog log;
  private final Supplier<RunState> currentRun;
  private final Function<RuntimeException, Void> pendingHalt;
  private final Supplier<Map<String, String>> mdc;
  private final CoverageWatch coverage;
  private volatile AuditFollower follower;
  /**
   * Where settlements run: on the thread that ended the response for this JVM's own store (no I/O), on one daemon
   * thread for a shared store, so that a Redis round trip is never added to the host's response path.
   */
  private final java.util.concurrent.ExecutorService settlements;

  LlmGuard(LlmGovernor governor, Endpoints endpoints, EnforcementLog log, Supplier<RunState> currentRun,
      Function<RuntimeException, Void> pendingHalt, Supplier<Map<String, String>> mdc, CoverageWatch coverage) {
    this.coverage = coverage;
    this.governor = governor;
    this.endpoints = endpoints;
    this.log = log;
    this.currentRun = currentRun;
    this.pendingHalt = pendingHalt;
    this.mdc = mdc;
    this.settlements = governor.sharedStore().shared()
        ? java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "tollgate-settle");
          t.setDaemon(true);
          return t;
        })
        : null;
  }

  /** Waits up to {@code timeoutMillis} for settlements handed to the background thread (at shutdown). */
  void drainSettlements(long timeoutMillis) {
    if (settlements == null) {
      return;
    }
    settlements.shutdown();
    try {
      settlements.awaitTermination(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean recognized(String method, String uri) {
    try {
      return endpoints.recognize(method, URI.create(uri)) != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A reloaded policy's governor (over the same stores): calls from now on are admitted by it. */
  void reload(LlmGovernor next) {
    this.governor = next;
  }

  /** The client name the AWS SDK for Java v2 seam passes to {@link #enter}. */
  static final String AWS_SDK = "aws-sdk";

  /** Operators' answers to paused calls arrive through {@code follower}. */
  void follow(AuditFollower follower) {
    this.follower = follower;
  }

  Object enter(String client, String method, String uri, byte[] body, long contentLength) {
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      return null;
    }
    // the AWS SDK's seam knows its calls go to Bedrock Runtime; no plain HTTP client is asked about Bedrock's paths
    Endpoint endpoint = AWS_SDK.equals(client) ? endpoints.recognizeBedrock(method, parsed)
        : endpoints.recognize(method, parsed);
    if (endpoint == null) {
      return null;
    }
    governor.sweepIfDue();
    LlmRequest request = RequestInspector.inspect(endpoint, body, contentLength);
    RunState run = currentRun.get();
    String runId = run == null ? null : run.id();
    String session = run == null ? null : run.session();
    String model = request.model() != null ? request.model() : endpoint.pathModel();
    Call call = new Call(client, endpoint, request, model, target(parsed), runId, session);
    if (run != null && run.halt() != null) {
      // the run was halted and the framework carried on: refuse every further call until the run ends
      RuntimeException halt = run.halt();
      run.llmRefused();
      pendingHalt.apply(halt);
      log.writeDurably(new LlmCallEvent(Outcome.DENY, true,
          halt instanceof TollgateException ? ((TollgateException) halt).rule() : null, "the run was halted",
          new Target(client, endpoint.provider(), null, model, call.target(), null, runId, session), null, null, null,
          null, null));
      return blocked(endpoint, halt.getMessage(), Map.of("halted", true));
    }
    CoverageGap gap = coverage == null ? null : coverage.check("llm call");
    if (gap != null) {
      log.writeDurably(new LlmCallEvent(Outcome.DENY, true, "coverage.require", gap.reason(),
          new Target(client, endpoint.provider(), null, model, call.target(), null, runId, session), null, null, null,
          null, null));
      return blocked(endpoint, gap.refusal(), Map.of("coverage_missing", gap.missing()));
    }
    Map<String, String> mdcValues = mdc.get();
    LlmCall llmCall = new LlmCall(endpoint.provider(), model, runId, session, mdcValues::get,
        request.promptTokensEstimate(), request.maxOutputTokens(), Math.max(1, request.choices()));
    Admission a = admit(llmCall, runId, model);
    AuditFollower f = follower;
    for (int round = 0; round < 8 && a.paused() != null && f != null; round++) {
      Waited w = awaitApproval(a, f, llmCall, call);
      a = w.admission();
      if (!w.askedAgain()) {
        break; // denied, timed out or not asked: the approval decided, the call does not wait again
      }
    }
    if (!a.proceeds()) {
      log.writeDurably(callEvent(a, call, LlmCallEvent.Result.refusal(BlockedResponse.STATUS)));
      if (run != null) {
        run.llmRefused();
      }
      String message = a.refusal();
      Breach deciding = a.breaches().isEmpty() ? null : a.breaches().get(0);
      if (a.halt()) {
        RuntimeException halt = deciding != null && "limit".equals(deciding.kind())
            ? new LimitExceededException(ToolVerdict.halted(message), a.rule(),
                deciding.name(), deciding.scope(), deciding.limitTokens())
            : new BudgetExceededException(ToolVerdict.halted(message), a.rule(),
                deciding == null ? null : deciding.name(), deciding == null ? null : deciding.scope(),
                deciding == null ? Double.NaN : usd(deciding.spentNanos() + deciding.reservedNanos()),
                deciding == null || deciding.limitNanos() < 0 ? Double.NaN : usd(deciding.limitNanos()));
        if (run != null) {
          run.halt(halt);
        }
        pendingHalt.apply(halt);
      }
      return blocked(endpoint, message, facts(a, deciding));
    }
    if (run != null) {
      run.llmStarted();
    }
    return new Exchange(a, call, run);
  }

  private Admission admit(LlmCall llmCall, String runId, String model) {
    return admit(governor, llmCall, runId, model);
  }

  private Admission admit(LlmGovernor by, LlmCall llmCall, String runId, String model) {
    Admission a = by.admit(llmCall);
    for (Breach b : a.breaches()) {
      if (b.first()) {
        log.writeDurably(breachEvent(b, a.enforced(), runId, model));
      }
    }
    thresholds(a.thresholdsCrossed(), runId);
    return a;
  }

  /**
   * {@code on_exceed: pause}: this thread (only this one: other calls go on) asks for approval in the store's audit
   * journal, logs {@code approval.requested} and waits for the operator's answer. Approved: the limit was raised (the
   * follower applied the approval) and the call is admitted again. Denied, or nobody answered within the budget's
   * {@code approval.timeout}: refused, or the run halted ({@code on_timeout: halt}).
   */
  private Waited awaitApproval(Admission a, AuditFollower f, LlmCall llmCall, Call call) {
    Breach b = a.paused();
    LlmGovernor.Paused paused = governor.approvalOf(b);
    if (paused == null) {
      // a reload since the call was admitted dropped the budget or limit, or its pause: the policy in force decides
      return new Waited(admit(llmCall, call.runId(), call.model()), true);
    }
    Approval approval = paused.approval();
    String id = AuditEvent.newId();
    Instant now = Instant.now();
    Instant until = now.plus(approval.timeout());
    String onTimeout = approval.onTimeout().name().toLowerCase(Locale.ROOT);
    AuditEvent request = new AuditEvent(AuditEvent.Action.REQUEST, id, now, b.name(), b.kind(), b.scope(),
        b.partition(), a.periodOf(b), JVM, a.reason(), null, null, null, null, null, until, call.runId(),
        call.session(), call.model(), b.ofLimit() ? null : Admission.need(b), onTimeout, null, null,
        b.ofLimit() ? Admission.need(b) : null);
    LlmGovernor[] admittedBy = new LlmGovernor[1];
    ApprovalWait.Outcome<Admission> o = ApprovalWait.await(f, log, request, governor.adjustments()::version, false,
        raised -> {
          admittedBy[0] = governor;
          Admission again = admit(admittedBy[0], llmCall, call.runId(), call.model());
          return again.proceeds() ? again : null;
        }, // denied after all: its reservation goes back (a call limit's count stays: one too many, the safe side)
        unused -> admittedBy[0].release(unused));
    if (o.notAsked() != null) {
      return new Waited(a.refusedBy(a.rule(), ApprovalWait.notAsked(a.reason(), o.notAsked()), false), false);
    }
    if (o.released() != null) {
      return new Waited(o.released(), true);
    }
    String rule = paused.rule();
    if (o.timedOut()) {
      return new Waited(a.refusedBy(rule + ".on_timeout", ApprovalWait.timedOut(a.reason(), request),
          approval.onTimeout() == OnExceed.HALT), false);
    }
    if (o.denied()) {
      return new Waited(a.refusedBy(rule, ApprovalWait.denied(a.reason(), request, o.answer()), false), false);
    }
    return new Waited(admit(llmCall, call.runId(), call.model()), true);
  }

  /**
   * What waiting for an approval came to: the call's admission now, and whether it was admitted again (approved or
   * released: it may pause once more on another budget) or decided by the approval (denied, timed out).
   */
  private record Waited(Admission admission, boolean askedAgain) {}

  private static final String JVM = ApprovalWait.JVM;

  /** What one LLM call is, as the log reports it: who sent it where, for which model, in which run. */
  private record Call(String client, Endpoint endpoint, LlmRequest request, String model, String target,
      String runId, String session) {}

  private static BlockedCall blocked(Endpoint endpoint, String message, Map<String, Object> facts) {
    return new BlockedCall(BlockedResponse.STATUS, BlockedResponse.headers(),
        BlockedResponse.body(endpoint, message, facts), message);
  }

  private static Map<String, Object> facts(Admission a, Breach b) {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("rule", a.rule());
    facts.put("reason", a.reason());
    if (b != null) {
      facts.put("kind", b.kind());
      facts.put(b.kind().equals("limit") ? "limit" : "budget", b.name());
      facts.put("scope", b.scope());
      if (b.partition() != null) {
        facts.put("partition", b.partition());
      }
      facts.put("on_exceed", b.onExceed().name().toLowerCase(Locale.ROOT));
      facts.putAll(amounts(b));
    }
    facts.put("retryable", false);
    return facts;
  }

  /** scheme://host:port/path: never the query string (Gemini keys travel there). */
  private static String target(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** Nano-USD as a USD number, as the log writes it. */
  public static double usd(long nanos) {
    return Usd.of(nanos);
  }

  /** A breach's spend against its cap: USD when it caps USD, tokens (or calls, for a limit) when it caps those. */
  private static Map<String, Object> amounts(Breach b) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (b.limitNanos() >= 0) {
      m.put("spent_usd", usd(b.spentNanos()));
      m.put("reserved_usd", usd(b.reservedNanos()));
      m.put("request_usd", usd(b.requestNanos()));
      m.put("limit_usd", usd(b.limitNanos()));
    }
    if (b.limitTokens() >= 0) {
      m.put("spent_tokens", b.spentTokens());
      m.put("request_tokens", b.requestTokens());
      m.put("limit_tokens", b.limitTokens());
    }
    return m;
  }

  private static LlmCallEvent callEvent(Admission a, Call c, LlmCallEvent.Result result) {
    return new LlmCallEvent(a.outcome(), a.enforced(), a.rule(), a.reason(),
        new Target(c.client(), c.endpoint().provider(), c.endpoint().format().name().toLowerCase(Locale.ROOT),
            c.model(), c.target(), c.request().stream(), c.runId(), c.session()),
        a.reservedNanos(), (long) c.request().promptTokensEstimate(), BudgetLine.of(a.budgets()), a.storeProblem(),
        result);
  }

  private static LogEvent breachEvent(Breach b, boolean enforced, String runId, String model) {
    String onExceed = b.onExceed().name().toLowerCase(Locale.ROOT);
    if ("limit".equals(b.kind())) {
      return new LimitExceeded(b.name(), b.rule(), b.scope(), null, null, null, b.partition(), onExceed, enforced,
          null, null, model, runId, Amounts.of(b));
    }
    return new BudgetExceeded(b.name(), b.rule(), b.scope(), b.partition(), onExceed, enforced, model, runId,
        Amounts.of(b));
  }

  private void thresholds(List<Threshold> crossed, String runId) {
    for (Threshold t : crossed) {
      log.write(new BudgetWarning(t.budget(), t.scope(), t.partition(), t.period(), t.fraction(), t.spentNanos(),
          t.limitNanos() < 0 ? null : t.limitNanos(), runId));
    }
  }

  /** One admitted call in flight. */
  private final class Exchange implements LlmExchange {
    /** The governor that admitted the call (a reload may have swapped in another since): it settles the call. */
    private final LlmGovernor admittedBy = governor;
    private final Admission admission;
    private final Call call;
    private final Endpoint endpoint;
    private final LlmRequest request;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile ResponseMeter meter;
    private volatile int status = -1;

    private final RunState run;

    Exchange(Admission admission, Call call, RunState run) {
      this.run = run;
      this.admission = admission;
      this.call = call;
      this.endpoint = call.endpoint();
      this.request = call.request();
    }

    @Override
    public void response(int status, String contentType, String contentEncoding) {
      this.status = status;
      this.meter = ResponseMeter.start(endpoint, request, status, contentType, contentEncoding);
    }

    @Override
    public void bytes(ByteBuffer bytes) {
      ResponseMeter m = meter;
      if (m != null && !ended.get()) {
        m.accept(bytes);
        if (m.usageFinal()) {
          end(true, null);
        }
      }
    }

    @Override
    public void bytes(byte[] bytes, int offset, int length) {
      ResponseMeter m = meter;
      if (m != null && !ended.get()) {
        m.accept(bytes, offset, length);
        if (m.usageFinal()) {
          end(true, null);
        }
      }
    }

    @Override
    public void end(boolean complete, Throwable error) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      ResponseMeter m = meter;
      MeterResult result = m == null ? null : m.finish(complete);
      if (settlements == null) {
        settle(result, complete, error);
        return;
      }
      try {
        settlements.execute(() -> settle(result, complete, error));
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        settle(result, complete, error);
      }
    }

    private void settle(MeterResult result, boolean complete, Throwable error) {
      Settlement s;
      UsageSource source = UsageSource.of(result != null, status, result != null && result.usage() != null,
          endpoint.format().reportedOnce(), result != null && result.complete(),
          result != null && result.problem() != null);
      s = switch (source) {
        case NONE -> admittedBy.release(admission);
        case REPORTED -> admittedBy.settle(admission, result.responseModel(), result.usage(), false);
        case ESTIMATED -> admittedBy.settle(admission, result.responseModel(), estimate(result), true);
        case UNREAD -> admittedBy.settle(admission, result.responseModel(), worstCase(result), true);
      };
      String usageKind = source.wire();
      Usage u = s.usage();
      log.write(callEvent(admission, call, null).settled(new LlmCallEvent.Result(status < 0 ? null : status,
          complete, error == null ? null : error.getClass().getName(),
          result == null ? null : result.responseModel(), usageKind, u == null ? null : u.promptTokens(),
          u == null ? null : u.output(), u == null ? null : u.cacheRead(), u == null ? null : u.cacheWrite(),
          u == null ? null : u.reasoning(), s.costNanos(), governor.priceTableDate(),
          result == null ? null : result.problem(), (System.nanoTime() - startNanos) / 1_000_000),
          BudgetLine.of(s.budgets())));
      if (run != null && run.llmSettled(u == null ? 0 : u.promptTokens(), u == null ? 0 : u.output(), s.costNanos())) {
        PolicyGuard.summarize(run, log);
      }
      if (source == UsageSource.UNREAD) {
        log.write(new LlmUnmetered(call.client(), endpoint.provider(), call.model(), call.runId(), call.session(),
            result.problem(), u == null ? 0 : u.output(), s.costNanos()));
      }
      thresholds(s.thresholdsCrossed(), call.runId());
      for (Breach b : s.exceeded()) {
        if (b.first()) {
          log.writeDurably(breachEvent(b, false, call.runId(), call.model()));
        }
      }
    }

    /** What to charge when the response could not be read: its hold's worst case, or the text seen if that is more. */
    private Usage worstCase(MeterResult r) {
      Usage reserved = admittedBy.worstCase(admission);
      return new Usage(reserved.input(), 0, 0, Math.max(reserved.output(), r.estimatedOutputTokens()), 0);
    }

    /** What to charge when the provider reported nothing usable: partial usage or the estimate, whichever is more. */
    private Usage estimate(MeterResult r) {
      long prompt = request.promptTokensEstimate();
      long output = r.estimatedOutputTokens();
      Usage partial = r.usage();
      if (partial != null) {
        // the prompt side is final early (Anthropic's message_start); the output side only at the end
        return new Usage(partial.input(), partial.cacheRead(), partial.cacheWrite(),
            Math.max(partial.output(), output), partial.reasoning());
      }
      return new Usage(prompt, 0, 0, output, 0);
    }
  }
}
