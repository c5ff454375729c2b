package dev.tollgate.policy.event;

/** A budget was passed (once per budget and scope instance, on disk before the refusal). */
public record BudgetExceeded(String budget, String rule, String scope, String partition, String onExceed,
    boolean enforced, String model, String run, Amounts amounts) implements LogEvent {
  public static final String NAME = "budget.exceeded";

  public BudgetExceeded {
    amounts = amounts == null ? Amounts.NONE : amounts;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("budget", budget).put("rule", rule).put("scope", scope).put("partition", partition)
        .put("on_exceed", onExceed).put("enforced", enforced);
    amounts.write(out);
    out.put("model", model).put("run", run);
  }

  static BudgetExceeded read(Line l) {
    return new BudgetExceeded(l.text("budget"), l.text("rule"), l.text("scope"), l.text("partition"),
        l.text("on_exceed"), l.flag("enforced", false), l.text("model"), l.text("run"), Amounts.read(l));
  }
}
