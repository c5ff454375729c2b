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

  /**
   * The breach this refused call may wait on for an operator's approval: when every breach that refuses it is a
   * budget's or an LLM-call limit's {@code on_exceed: pause} (an unknown model, a store that is down, a call alone in
   * its run or session cannot be approved away); null otherwise.
   */
  public Breach paused() {
    if (!enforced || halt || LlmGovernor.UNAVAILABLE_RULE.equals(rule)) {
      return null; // a store that is down cannot be approved away
    }
    Breach first = null;
    for (Breach b : breaches) {
      if (b.onExceed() == dev.tollgate.policy.OnExceed.WARN) {
        continue;
      }
      if (b.onExceed() != dev.tollgate.policy.OnExceed.PAUSE || !"budget".equals(b.kind())
          && !(b.ofLimit() && b.period() != null)) {
        return null;
      }
      first = first == null ? b : first;
    }
    return first;
  }

  /**
   * What {@code b}'s instance needs on top of its limit for this call to fit: nano-USD for a budget (at least one
   * nano-dollar), calls for a limit (one).
   */
  public static long need(Breach b) {
    if (b.ofLimit()) {
      return Math.max(1, b.spentTokens() + 1 - b.limitTokens());
    }
    return Math.max(1, b.spentNanos() + b.reservedNanos() + b.requestNanos() - b.limitNanos());
  }

  /** The period of {@code b}'s instance ({@code 2026-12-04}, a run or session id), or null. */
  public String periodOf(Breach b) {
    if (b.ofLimit()) {
      return b.period();
    }
    for (BudgetState s : budgets) {
      if (s.budget().equals(b.name()) && java.util.Objects.equals(s.partition(), b.partition())) {
        return s.period();
      }
    }
    return null;
  }

  /** The same refused call, decided by {@code rule} for {@code reason} (an operator's deny, a timeout). */
  public Admission refusedBy(String rule, String reason, boolean halt) {
    return new Admission(id, Outcome.DENY, true, halt, rule, reason, call, price, 0, 0, budgets, breaches,
        thresholdsCrossed, storeProblem);
  }

  /** What the client is told when the call is refused. */
  public String refusal() {
    return dev.tollgate.policy.engine.ToolVerdict.refusal(rule, reason);
  }
}
