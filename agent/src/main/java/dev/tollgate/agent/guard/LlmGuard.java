package dev.tollgate.agent.guard;

import dev.tollgate.agent.llm.ApiFormat;
import dev.tollgate.agent.llm.BlockedResponse;
import dev.tollgate.agent.llm.Endpoint;
import dev.tollgate.agent.llm.Endpoints;
import dev.tollgate.agent.llm.LlmRequest;
import dev.tollgate.agent.llm.MeterResult;
import dev.tollgate.agent.llm.RequestInspector;
import dev.tollgate.agent.llm.ResponseMeter;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.log.Event;
import dev.tollgate.agent.run.RunState;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.BudgetExceededException;
import dev.tollgate.bootstrap.LimitExceededException;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.TollgateException;
import dev.tollgate.policy.CoverageGap;
import dev.tollgate.policy.budget.Admission;
import dev.tollgate.policy.budget.Breach;
import dev.tollgate.policy.budget.BudgetState;
import dev.tollgate.policy.budget.LlmCall;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.Settlement;
import dev.tollgate.policy.budget.Threshold;
import dev.tollgate.policy.budget.Usage;
import java.math.BigDecimal;
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
  private static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);

  private final LlmGovernor governor;
  private final Endpoints endpoints;
  private final EnforcementLog log;
  private final Supplier<RunState> currentRun;
  private final Function<RuntimeException, Void> pendingHalt;
  private final Supplier<Map<String, String>> mdc;
  private final CoverageWatch coverage;
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

  Object enter(String client, String method, String uri, byte[] body, long contentLength) {
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      return null;
    }
    Endpoint endpoint = endpoints.recognize(method, parsed);
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
      log.writeDurably(Event.of("llm.call").with("decision", "deny").with("enforced", true)
          .with("rule", halt instanceof TollgateException ? ((TollgateException) halt).rule() : null)
          .with("reason", "the run was halted").with("client", client).with("provider", endpoint.provider())
          .with("model", model).with("endpoint", call.target()).with("run", runId).with("session", session));
      return blocked(endpoint, halt.getMessage(), Map.of("halted", true));
    }
    CoverageGap gap = coverage == null ? null : coverage.check("llm call");
    if (gap != null) {
      log.writeDurably(Event.of("llm.call").with("decision", "deny").with("enforced", true)
          .with("rule", "coverage.require").with("reason", gap.reason()).with("client", client)
          .with("provider", endpoint.provider()).with("model", model).with("endpoint", call.target())
          .with("run", runId).with("session", session));
      return blocked(endpoint, gap.refusal(), Map.of("coverage_missing", gap.missing()));
    }
    Map<String, String> mdcValues = mdc.get();
    Admission a = governor.admit(new LlmCall(endpoint.provider(), model, runId, session, mdcValues::get,
        request.promptTokensEstimate(), request.maxOutputTokens(), Math.max(1, request.choices())));
    for (Breach b : a.breaches()) {
      if (b.first()) {
        log.writeDurably(breachEvent(b, a.enforced(), runId, model));
      }
    }
    thresholds(a.thresholdsCrossed(), runId);
    if (!a.proceeds()) {
      log.writeDurably(callEvent(a, call).with("status", BlockedResponse.STATUS));
      if (run != null) {
        run.llmRefused();
      }
      String message = "blocked by policy: " + a.rule() + ": " + a.reason();
      Breach deciding = a.breaches().isEmpty() ? null : a.breaches().get(0);
      if (a.halt()) {
        RuntimeException halt = deciding != null && "limit".equals(deciding.kind())
            ? new LimitExceededException(message + "; the run was halted (on_exceed: halt)", a.rule(),
                deciding.name(), deciding.scope(), deciding.limitTokens())
            : new BudgetExceededException(message + "; the run was halted (on_exceed: halt)", a.rule(),
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

  /**
   * Nano-USD as a USD number for the log: the double nearest the exact quotient. Below 2^53 both operands are exact
   * doubles and IEEE division rounds correctly, so this equals the exact decimal quotient rounded once, without
   * BigDecimal's long division on every call.
   */
  public static double usd(long nanos) {
    if (Math.abs(nanos) < (1L << 53)) {
      return nanos / 1e9;
    }
    return BigDecimal.valueOf(nanos).divide(NANOS_PER_USD).doubleValue();
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

  private Event callEvent(Admission a, Call c) {
    return Event.of("llm.call")
        .with("decision", a.outcome().name().toLowerCase(Locale.ROOT))
        .with("enforced", a.enforced())
        .with("rule", a.rule())
        .with("reason", a.reason())
        .with("client", c.client())
        .with("provider", c.endpoint().provider())
        .with("api", c.endpoint().format().name().toLowerCase(Locale.ROOT))
        .with("model", c.model())
        .with("endpoint", c.target())
        .with("stream", c.request().stream())
        .with("run", c.runId())
        .with("session", c.session())
        .with("reserved_usd", usd(a.reservedNanos()))
        .with("prompt_tokens_estimate", c.request().promptTokensEstimate())
        .with("budgets", budgets(a.budgets()))
        .with("ledger_unavailable", a.storeProblem());
  }

  private static List<Map<String, Object>> budgets(List<BudgetState> states) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (BudgetState s : states) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("budget", s.budget());
      m.put("scope", s.scope());
      if (s.partition() != null) {
        m.put("partition", s.partition());
      }
      m.put("spent_usd", usd(s.spentNanos()));
      m.put("reserved_usd", usd(s.reservedNanos()));
      if (s.limitNanos() >= 0) {
        m.put("limit_usd", usd(s.limitNanos()));
      }
      if (s.limitTokens() >= 0) {
        m.put("spent_tokens", s.spentTokens());
        m.put("reserved_tokens", s.reservedTokens());
        m.put("limit_tokens", s.limitTokens());
      }
      out.add(m);
    }
    return out;
  }

  private Event breachEvent(Breach b, boolean enforced, String runId, String model) {
    boolean limit = "limit".equals(b.kind());
    Event e = Event.of(limit ? "limit.exceeded" : "budget.exceeded")
        .with(limit ? "limit" : "budget", b.name())
        .with("rule", b.rule())
        .with("scope", b.scope())
        .with("partition", b.partition())
        .with("on_exceed", b.onExceed().name().toLowerCase(Locale.ROOT))
        .with("enforced", enforced)
        .with("model", model)
        .with("run", runId);
    amounts(b).forEach(e::with);
    return e;
  }

  private void thresholds(List<Threshold> crossed, String runId) {
    for (Threshold t : crossed) {
      log.write(Event.of("budget.warning")
          .with("budget", t.budget())
          .with("scope", t.scope())
          .with("partition", t.partition())
          .with("period", t.period())
          .with("threshold", t.fraction())
          .with("spent_usd", usd(t.spentNanos()))
          .with("limit_usd", t.limitNanos() < 0 ? null : usd(t.limitNanos()))
          .with("run", runId));
    }
  }

  /** One admitted call in flight. */
  private final class Exchange implements LlmExchange {
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
      }
    }

    @Override
    public void bytes(byte[] bytes, int offset, int length) {
      ResponseMeter m = meter;
      if (m != null && !ended.get()) {
        m.accept(bytes, offset, length);
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
      String usageKind;
      if (result == null || status < 200 || status >= 300) {
        // no response, or the provider refused: providers do not bill failed requests
        s = governor.release(admission);
        usageKind = "none";
      } else if (result.usage() != null && (reportedOnce(endpoint.format())
          || result.complete() && result.problem() == null)) {
        s = governor.settle(admission, result.responseModel(), result.usage(), false);
        usageKind = "reported";
      } else {
        s = governor.settle(admission, result.responseModel(), estimate(result), true);
        usageKind = "estimated";
      }
      Usage u = s.usage();
      Event e = callEvent(admission, call)
          .with("status", status < 0 ? null : status)
          .with("complete", complete)
          .with("error", error == null ? null : error.getClass().getName())
          .with("response_model", result == null ? null : result.responseModel())
          .with("usage", usageKind)
          .with("input_tokens", u == null ? null : u.promptTokens())
          .with("output_tokens", u == null ? null : u.output())
          .with("cached_tokens", u == null ? null : u.cacheRead())
          .with("cache_write_tokens", u == null ? null : u.cacheWrite())
          .with("reasoning_tokens", u == null ? null : u.reasoning())
          .with("cost_usd", usd(s.costNanos()))
          .with("price_table", governor.priceTableDate())
          .with("problem", result == null ? null : result.problem())
          .with("duration_ms", (System.nanoTime() - startNanos) / 1_000_000)
          .with("budgets", budgets(s.budgets()));
      log.write(e);
      if (run != null && run.llmSettled(u == null ? 0 : u.promptTokens(), u == null ? 0 : u.output(), s.costNanos())) {
        PolicyGuard.summarize(run, log);
      }
      thresholds(s.thresholdsCrossed(), call.runId());
      for (Breach b : s.exceeded()) {
        if (b.first()) {
          log.writeDurably(breachEvent(b, false, call.runId(), call.model()));
        }
      }
    }

    /**
     * Formats whose usage arrives once, complete, at the end of the response (OpenAI's usage chunk just before
     * {@code [DONE]}, Responses' {@code response.completed}, Ollama's {@code done} object): seeing it is enough,
     * even when the client stops reading before the end of the body (openai-java closes at {@code [DONE]}).
     * Anthropic and Gemini report cumulative usage along the way, so a cut stream's last figures may be partial:
     * theirs counts as reported only when the body was read to its end without a problem (a body that ends cleanly
     * in the middle of an event, after {@code message_start} said {@code output_tokens: 1}, is not a report).
     */
    private boolean reportedOnce(ApiFormat format) {
      return format == ApiFormat.OPENAI_CHAT || format == ApiFormat.OPENAI_RESPONSES
          || format == ApiFormat.OPENAI_EMBEDDINGS || format == ApiFormat.OLLAMA_CHAT
          || format == ApiFormat.OLLAMA_GENERATE;
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
