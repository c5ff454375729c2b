package dev.tollgate.policy.store;

/**
 * One claim's instance as the store saw it when deciding, before this call took anything.
 *
 * @param spentNanos    spent (budgets)
 * @param reservedNanos reserved by calls in flight (budgets)
 * @param spentTokens   tokens spent (budgets)
 * @param reservedTokens tokens reserved (budgets)
 * @param calls         calls counted (counts; within the window)
 * @param over          true when this call did not fit: it would pass a cap
 * @param overUsd       for a budget over its caps: true when {@code max_usd} is passed (else {@code max_tokens})
 * @param first         true the first time this instance was found over (across every JVM sharing the store):
 *                      log the breach once
 */
public record Seen(long spentNanos, long reservedNanos, long spentTokens, long reservedTokens, long calls,
    boolean over, boolean overUsd, boolean first) {
  public static final Seen NOTHING = new Seen(0, 0, 0, 0, 0, false, false, false);
}
