package dev.tollgate.policy.budget;

import dev.tollgate.policy.OnExceed;

/**
 * A budget, LLM-call limit or pricing rule that a call passes (at admission) or that settled spend passed.
 *
 * @param kind      {@code "budget"}, {@code "limit"} or {@code "pricing"}
 * @param name      the budget's or limit's name; {@code "unknown_model"} for pricing
 * @param rule      the policy path: {@code budgets[1]}, {@code limits[2]}, {@code pricing.unknown_model}
 * @param scope     run, session, process, day, month; null for pricing
 * @param partition the partition, or null when not partitioned
 * @param onExceed  what the policy asks for
 * @param spentNanos    spent so far (budgets)
 * @param reservedNanos reserved by other calls in flight (budgets)
 * @param requestNanos  this call's worst case (budgets at admission), 0 otherwise
 * @param limitNanos    {@code max_usd} in nano-USD, or -1
 * @param spentTokens   tokens spent so far; for a limit, the calls counted so far
 * @param requestTokens this call's reserved tokens; for a limit, 1
 * @param limitTokens   {@code max_tokens}, or -1; for a limit, {@code max_calls}
 * @param first     true the first time this budget or limit instance is passed (log it once)
 * @param period    for a limit with {@code on_exceed: pause}, the scope instance counted in (the run, the session or
 *                  {@code process}) as an approval names it, null for a call alone in its run or session; null for
 *                  other limits, budgets (see
 *                  {@link Admission#periodOf}) and pricing
 */
public record Breach(String kind, String name, String rule, String scope, String partition, OnExceed onExceed,
    long spentNanos, long reservedNanos, long requestNanos, long limitNanos, long spentTokens, long requestTokens,
    long limitTokens, boolean first, String period) {
  /** A breach without a limit's instance (budgets, pricing). */
  public Breach(String kind, String name, String rule, String scope, String partition, OnExceed onExceed,
      long spentNanos, long reservedNanos, long requestNanos, long limitNanos, long spentTokens, long requestTokens,
      long limitTokens, boolean first) {
    this(kind, name, rule, scope, partition, onExceed, spentNanos, reservedNanos, requestNanos, limitNanos,
        spentTokens, requestTokens, limitTokens, first, null);
  }

  /** True for an LLM-call limit's breach. */
  public boolean ofLimit() {
    return "limit".equals(kind);
  }
}
