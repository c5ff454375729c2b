package dev.tollgate.bootstrap;

/**
 * A budget with {@code on_exceed: halt} would be passed by an LLM call: the call was not sent and the run ends
 * here. Carries the same facts as the enforcement log's {@code budget.exceeded} line.
 */
public class BudgetExceededException extends TollgateException {
  private static final long serialVersionUID = 1L;
  private final String budget;
  private final String scope;
  private final double spentUsd;
  private final double limitUsd;

  public BudgetExceededException(String message, String rule, String budget, String scope, double spentUsd,
      double limitUsd) {
    super(message, rule);
    this.budget = budget;
    this.scope = scope;
    this.spentUsd = spentUsd;
    this.limitUsd = limitUsd;
  }

  /** The budget's (or LLM call limit's) name from the policy. */
  public String budget() {
    return budget;
  }

  /** {@code run}, {@code session}, {@code process}, {@code day} or {@code month}. */
  public String scope() {
    return scope;
  }

  /** Spent (settled plus reserved) in the scope when the call was refused, in USD; NaN for a token-only cap. */
  public double spentUsd() {
    return spentUsd;
  }

  /** The cap in USD; NaN for a token-only cap or a call limit. */
  public double limitUsd() {
    return limitUsd;
  }
}
