package dev.tollgate.policy.event;

/**
 * One per run, once it has ended and its last LLM call has settled: what the run did and cost (a run that made no call
 * writes none).
 */
public record RunSummary(String run, String session, String framework, long llmCalls, long toolCalls, long refusals,
    long inputTokens, long outputTokens, long costNanos, long durationMs, boolean halted) implements LogEvent {
  public static final String NAME = "run.summary";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("run", run).put("session", session).put("framework", framework).put("llm_calls", llmCalls)
        .put("tool_calls", toolCalls).put("refusals", refusals).put("input_tokens", inputTokens)
        .put("output_tokens", outputTokens).usd("cost_usd", costNanos).put("duration_ms", durationMs)
        .put("halted", halted);
  }

  static RunSummary read(Line l) {
    Long cost = l.nanos("cost_usd");
    return new RunSummary(l.text("run"), l.text("session"), l.text("framework"), l.whole("llm_calls", 0),
        l.whole("tool_calls", 0), l.whole("refusals", 0), l.whole("input_tokens", 0), l.whole("output_tokens", 0),
        cost == null ? 0 : cost, l.whole("duration_ms", 0), l.flag("halted", false));
  }
}
