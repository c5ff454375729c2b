package dev.tollgate.policy.event;

/** A budget passed one of its {@code warn_at} thresholds (once per threshold and scope instance). */
public record BudgetWarning(String budget, String scope, String partition, String period, double threshold,
    long spentNanos, Long limitNanos, String run) implements LogEvent {
  public static final String NAME = "budget.warning";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("budget", budget).put("scope", scope).put("partition", partition).put("period", period)
        .put("threshold", threshold).usd("spent_usd", spentNanos).usd("limit_usd", limitNanos).put("run", run);
  }

  static BudgetWarning read(Line l) {
    Double t = l.number("threshold");
    Long spent = l.nanos("spent_usd");
    return new BudgetWarning(l.text("budget"), l.text("scope"), l.text("partition"), l.text("period"),
        t == null ? 0 : t, spent == null ? 0 : spent, l.nanos("limit_usd"), l.text("run"));
  }
}
