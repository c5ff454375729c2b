package dev.tollgate.policy.event;

import dev.tollgate.policy.budget.BudgetState;
import dev.tollgate.policy.engine.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * One LLM call: admitted or refused before it was sent (then {@code result} holds only the refusal's status), and,
 * once its response has been read, what the provider reported and what it cost. The endpoint never has a query
 * string (Gemini keys travel there); prompts are never written.
 *
 * @param reservedNanos what was held against budgets while the call was in flight
 * @param budgets       each applicable budget instance after the call (or at admission when it was refused)
 * @param result        null for a refusal made before anything was sent
 */
public record LlmCallEvent(Outcome decision, boolean enforced, String rule, String reason, Target target,
    Long reservedNanos, Long promptTokensEstimate, List<BudgetLine> budgets, String ledgerUnavailable,
    Result result) implements LogEvent {
  public static final String NAME = "llm.call";

  public LlmCallEvent {
    budgets = budgets == null || budgets.isEmpty() ? null : List.copyOf(budgets);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Refused: denied and carried out (nothing reached the provider). */
  public boolean refused() {
    return decision == Outcome.DENY && enforced;
  }

  /** The same call with its result and the budgets after it settled. */
  public LlmCallEvent settled(Result result, List<BudgetLine> after) {
    return new LlmCallEvent(decision, enforced, rule, reason, target, reservedNanos, promptTokensEstimate, after,
        ledgerUnavailable, result);
  }

  @Override
  public void write(Fields out) {
    out.put("decision", LogEvent.wire(decision)).put("enforced", enforced).put("rule", rule).put("reason", reason);
    target.write(out);
    out.usd("reserved_usd", reservedNanos).put("prompt_tokens_estimate", promptTokensEstimate)
        .put("budgets", budgets).put("ledger_unavailable", ledgerUnavailable);
    if (result != null) {
      result.write(out);
    }
  }

  static LlmCallEvent read(Line l) {
    List<Line> lines = l.lines("budgets");
    List<BudgetLine> budgets = null;
    if (lines != null) {
      budgets = new ArrayList<>(lines.size());
      for (Line b : lines) {
        budgets.add(BudgetLine.read(b));
      }
    }
    return new LlmCallEvent(l.choice("decision", Outcome.class), l.flag("enforced", false), l.text("rule"),
        l.text("reason"), Target.read(l), l.nanos("reserved_usd"), l.whole("prompt_tokens_estimate"), budgets,
        l.text("ledger_unavailable"), Result.read(l));
  }

  /** Who sent the call where, for which model, in which run. */
  public record Target(String client, String provider, String api, String model, String endpoint, Boolean stream,
      String run, String session) {
    void write(Fields out) {
      out.put("client", client).put("provider", provider).put("api", api).put("model", model)
          .put("endpoint", endpoint).put("stream", stream).put("run", run).put("session", session);
    }

    static Target read(Line l) {
      return new Target(l.text("client"), l.text("provider"), l.text("api"), l.text("model"), l.text("endpoint"),
          l.flag("stream"), l.text("run"), l.text("session"));
    }
  }

  /**
   * What came back: the HTTP status (the synthetic refusal's when refused), whether the body was read to its end,
   * the usage the provider reported (or that was estimated) and its cost at the bundled prices.
   *
   * @param usage {@code reported}, {@code estimated} or {@code none}
   */
  public record Result(Integer status, Boolean complete, String error, String responseModel, String usage,
      Long inputTokens, Long outputTokens, Long cachedTokens, Long cacheWriteTokens, Long reasoningTokens,
      Long costNanos, String priceTable, String problem, Long durationMs) {

    /** A refusal's result: only its status. */
    public static Result refusal(int status) {
      return new Result(status, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    void write(Fields out) {
      out.put("status", status).put("complete", complete).put("error", error).put("response_model", responseModel)
          .put("usage", usage).put("input_tokens", inputTokens).put("output_tokens", outputTokens)
          .put("cached_tokens", cachedTokens).put("cache_write_tokens", cacheWriteTokens)
          .put("reasoning_tokens", reasoningTokens).usd("cost_usd", costNanos).put("price_table", priceTable)
          .put("problem", problem).put("duration_ms", durationMs);
    }

    static Result read(Line l) {
      if (!l.has("status") && !l.has("cost_usd") && !l.has("usage")) {
        return null;
      }
      return new Result(l.integer("status"), l.flag("complete"), l.text("error"), l.text("response_model"),
          l.text("usage"), l.whole("input_tokens"), l.whole("output_tokens"), l.whole("cached_tokens"),
          l.whole("cache_write_tokens"), l.whole("reasoning_tokens"), l.nanos("cost_usd"), l.text("price_table"),
          l.text("problem"), l.whole("duration_ms"));
    }
  }

  /** One applicable budget instance: spent and held so far against its limit. */
  public record BudgetLine(String budget, String scope, String partition, String period, long spentNanos,
      long reservedNanos, Long limitNanos, Long spentTokens, Long reservedTokens, Long limitTokens)
      implements Written {

    public static BudgetLine of(BudgetState s) {
      boolean tokens = s.limitTokens() >= 0;
      return new BudgetLine(s.budget(), s.scope(), s.partition(), s.period(), s.spentNanos(), s.reservedNanos(),
          s.limitNanos() < 0 ? null : s.limitNanos(), tokens ? s.spentTokens() : null,
          tokens ? s.reservedTokens() : null, tokens ? s.limitTokens() : null);
    }

    public static List<BudgetLine> of(List<BudgetState> states) {
      List<BudgetLine> out = new ArrayList<>(states.size());
      for (BudgetState s : states) {
        out.add(of(s));
      }
      return out;
    }

    @Override
    public void write(Fields out) {
      out.put("budget", budget).put("scope", scope).put("partition", partition).put("period", period)
          .usd("spent_usd", spentNanos).usd("reserved_usd", reservedNanos).usd("limit_usd", limitNanos)
          .put("spent_tokens", spentTokens).put("reserved_tokens", reservedTokens).put("limit_tokens", limitTokens);
    }

    static BudgetLine read(Line l) {
      Long spent = l.nanos("spent_usd");
      Long reserved = l.nanos("reserved_usd");
      return new BudgetLine(l.text("budget"), l.text("scope"), l.text("partition"), l.text("period"),
          spent == null ? 0 : spent, reserved == null ? 0 : reserved, l.nanos("limit_usd"), l.whole("spent_tokens"),
          l.whole("reserved_tokens"), l.whole("limit_tokens"));
    }
  }
}
