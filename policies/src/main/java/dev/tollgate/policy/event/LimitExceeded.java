package dev.tollgate.policy.event;

/**
 * A tool or LLM-call limit was passed (once per limit and scope instance, on disk before the refusal). A tool limit
 * names the tool and its {@code max_calls} (or {@code max_identical}) and window; an LLM-call limit names the model and
 * its counts.
 */
public record LimitExceeded(String limit, String rule, String scope, Long maxCalls, Long maxIdentical,
    String window, String partition, String onExceed, boolean enforced, String tool, String framework, String model,
    String run, Amounts amounts) implements LogEvent {
  public static final String NAME = "limit.exceeded";

  public LimitExceeded {
    amounts = amounts == null ? Amounts.NONE : amounts;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("limit", limit).put("rule", rule).put("scope", scope).put("max_calls", maxCalls)
        .put("max_identical", maxIdentical).put("window", window).put("partition", partition)
        .put("on_exceed", onExceed).put("enforced", enforced).put("tool", tool).put("framework", framework)
        .put("model", model).put("run", run);
    amounts.write(out);
  }

  static LimitExceeded read(Line l) {
    return new LimitExceeded(l.text("limit"), l.text("rule"), l.text("scope"), l.whole("max_calls"),
        l.whole("max_identical"), l.text("window"), l.text("partition"), l.text("on_exceed"),
        l.flag("enforced", false), l.text("tool"), l.text("framework"), l.text("model"), l.text("run"),
        Amounts.read(l));
  }
}
