package dev.tollgate.policy.budget;

import java.util.List;

/**
 * What one admission finally cost.
 *
 * @param costNanos         charged to every applicable budget (0 for a release)
 * @param usage             the usage charged ({@link Usage#ZERO} for a release)
 * @param estimated         true when the usage was estimated rather than reported by the provider
 * @param price             the price used, or null
 * @param budgets           each budget instance after settling
 * @param thresholdsCrossed {@code warn_at} fractions crossed by this settlement (log {@code budget.warning})
 * @param exceeded          budgets whose spend is now over a cap (log {@code budget.exceeded} when {@code first})
 */
public record Settlement(long admissionId, long costNanos, Usage usage, boolean estimated, ModelPrice price,
    List<BudgetState> budgets, List<Threshold> thresholdsCrossed, List<Breach> exceeded) {
  public Settlement {
    budgets = List.copyOf(budgets);
    thresholdsCrossed = List.copyOf(thresholdsCrossed);
    exceeded = List.copyOf(exceeded);
  }
}
