package dev.tollgate.policy.budget;

/**
 * One budget instance's state at one moment.
 *
 * @param budget    the budget's name
 * @param scope     run, session, process, day or month
 * @param partition the partition ({@code per}: session id or MDC value, "" when the call had none), or null when
 *                  the budget is not partitioned
 * @param period    the scope instance: the run id ({@code "(no run)"} for a call outside any run), the session
 *                  id, {@code "process"}, a day {@code 2026-11-24} or a month {@code 2026-11}
 * @param limitNanos  {@code max_usd} in nano-USD, or -1
 * @param limitTokens {@code max_tokens}, or -1
 */
public record BudgetState(String budget, String scope, String partition, String period, long spentNanos,
    long reservedNanos, long limitNanos, long spentTokens, long reservedTokens, long limitTokens) {}
