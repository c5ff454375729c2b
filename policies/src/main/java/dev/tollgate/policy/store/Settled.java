package dev.tollgate.policy.store;

import java.util.List;

/**
 * One budget claim after a settlement.
 *
 * @param spentNanos     spent now
 * @param reservedNanos  reserved now by other calls in flight
 * @param spentTokens    tokens spent now
 * @param reservedTokens tokens reserved now
 * @param crossed        indices of the {@code warn_at} fractions this settlement was the first to reach (across the
 *                       fleet): log each once
 * @param over           true when spend is now over a cap
 * @param firstOver      true when this settlement is the first to find it over: log {@code budget.exceeded} once
 */
public record Settled(long spentNanos, long reservedNanos, long spentTokens, long reservedTokens, List<Integer> crossed,
    boolean over, boolean firstOver) {
  public Settled {
    crossed = List.copyOf(crossed);
  }
}
