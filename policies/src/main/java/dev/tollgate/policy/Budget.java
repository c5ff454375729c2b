package dev.tollgate.policy;

import java.math.BigDecimal;
import java.util.List;

/**
 * One entry of {@code budgets:}. A budget has {@code max_usd}, {@code max_tokens} or both; an absent one is
 * {@link #UNSET}.
 *
 * @param index     position in the {@code budgets} list (for rule paths such as {@code budgets[1]})
 * @param name      unique name among the budgets
 * @param scope     run, session, process, day or month
 * @param maxNanos  {@code max_usd} in nano-USD (1e-9 USD, rounded down), or {@link #UNSET}
 * @param maxTokens {@code max_tokens} (prompt plus output tokens), or {@link #UNSET}
 * @param warnAt    fractions of the cap, strictly increasing, each in (0, 1); logged once per budget instance
 * @param onExceed  block, halt or warn
 * @param per       partition: null, {@code "session"} or {@code "mdc:<key>"}
 * @param models    glob on the model name of the LLM calls this budget counts ({@code "*"} by default)
 * @param approval  with {@code on_exceed: pause}: how long a paused call waits and what then; null otherwise
 */
public record Budget(int index, String name, BudgetScope scope, long maxNanos, long maxTokens, List<Double> warnAt,
    OnExceed onExceed, String per, String models, Approval approval) {
  /** The value of {@link #maxNanos} or {@link #maxTokens} when the policy does not set it. */
  public static final long UNSET = -1;
  /** Nano-USD per USD. */
  public static final long NANOS_PER_USD = 1_000_000_000L;

  public Budget {
    warnAt = List.copyOf(warnAt);
    approval = onExceed == OnExceed.PAUSE && approval == null ? Approval.DEFAULT : approval;
  }

  /** Without {@code approval}. */
  public Budget(int index, String name, BudgetScope scope, long maxNanos, long maxTokens, List<Double> warnAt,
      OnExceed onExceed, String per, String models) {
    this(index, name, scope, maxNanos, maxTokens, warnAt, onExceed, per, models, null);
  }

  /** The MDC key this budget is partitioned by, or null when it is not partitioned by an MDC key. */
  public String mdcKey() {
    return per != null && per.startsWith("mdc:") ? per.substring(4) : null;
  }

  /** {@code max_usd} as a decimal, or null. */
  public BigDecimal maxUsd() {
    return maxNanos == UNSET ? null : BigDecimal.valueOf(maxNanos, 9).stripTrailingZeros();
  }
}
