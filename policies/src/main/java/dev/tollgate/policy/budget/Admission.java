package dev.tollgate.policy.budget;

import dev.tollgate.policy.engine.Outcome;
import java.util.List;

/**
 * The decision on one LLM call, taken before it leaves the JVM. Pass it back to
 * {@link LlmGovernor#settle} or {@link LlmGovernor#release} exactly once (more is harmless).
 *
 * @param id             unique per governor
 * @param outcome        ALLOW; DENY (a block/halt budget, limit or the unknown-model rule objected); WARN (only
 *                       warn rules objected)
 * @param enforced       true when the call must not proceed (DENY in enforce mode)
 * @param halt           true when a refusing rule has {@code on_exceed: halt}: end the whole run
 * @param rule           the deciding policy path ({@code budgets[1]}, {@code limits[2]},
 *                       {@code pricing.unknown_model}), or null for ALLOW
 * @param reason         one sentence naming the budget or limit, scope, spend and limit
 * @param price          the price used, or null when the model has none
 * @param reservedNanos  worst-case cost reserved on every applicable budget (0 when refused)
 * @param reservedTokens tokens reserved on every applicable budget (0 when refused)
 * @param budgets        each applicable budget instance after reserving
 * @param breaches       every budget, limit or pricing rule the call passes, in decision order
 * @param thresholdsCrossed always empty at admission (thresholds follow actual spend; see {@link Settlement})
 * @param storeProblem   non-null when the shared store could not be asked (Redis down): what happened, safe to log
 */
public record Admission(long id, Outcome outcome, boolean enforced, boolean halt, String rule, String reason,
    LlmCall call, ModelPrice price, long reservedNanos, long reservedTokens, List<BudgetState> budgets,
    List<Breach> breaches, List<Threshold> thresholdsCrossed, String storeProblem) {
  public Admission {
    budgets = List.copyOf(budgets);
    breaches = List.copyOf(breaches);
    thresholdsCrossed = List.copyOf(thresholdsCrossed);
  }

  /** True when the call may go out. */
  public boolean proceeds() {
    return !enforced;
  }
}
