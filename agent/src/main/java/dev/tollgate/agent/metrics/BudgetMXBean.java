package dev.tollgate.agent.metrics;

/**
 * {@code dev.tollgate:type=Budget,name=<budget>}: one budget of the policy, as its instance nearest its cap (a budget
 * has one instance per run, session, day, month or partition). USD amounts are -1 when the budget has no
 * {@code max_usd}, tokens likewise for {@code max_tokens}.
 */
public interface BudgetMXBean {
  String getScope();

  /** The instance shown: a run id, a session, {@code process}, a day {@code 2026-12-04} or a month; "" when none. */
  String getPeriod();

  /** Live instances of this budget in this JVM (and the fleet's, with a shared store). */
  int getInstances();

  double getSpentUsd();

  double getReservedUsd();

  double getLimitUsd();

  /** Spent as a percentage of the limit (USD, else tokens); -1 without a limit. */
  double getPercentUsed();

  long getSpentTokens();

  long getLimitTokens();
}
