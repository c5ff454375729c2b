package dev.tollgate.policy.event;

/** At start with the file store: one persisted budget instance as the ledger holds it. */
public record BudgetLoaded(String budget, String scope, String partition, String period, long spentNanos,
    long spentTokens, Long limitNanos, Long limitTokens) implements LogEvent {
  public static final String NAME = "budget.loaded";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("budget", budget).put("scope", scope).put("partition", partition).put("period", period)
        .usd("spent_usd", spentNanos).put("spent_tokens", spentTokens).usd("limit_usd", limitNanos)
        .put("limit_tokens", limitTokens);
  }

  static BudgetLoaded read(Line l) {
    return new BudgetLoaded(l.text("budget"), l.text("scope"), l.text("partition"), l.text("period"),
        nz(l.nanos("spent_usd")), l.whole("spent_tokens", 0), l.nanos("limit_usd"), l.whole("limit_tokens"));
  }

  private static long nz(Long v) {
    return v == null ? 0 : v;
  }
}
