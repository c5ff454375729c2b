package dev.tollgate.policy.budget;

/** Spend recorded for one budget, partition and period: nano-USD and tokens. */
public record Totals(long nanos, long tokens) {
  public static final Totals ZERO = new Totals(0, 0);

  public Totals plus(long moreNanos, long moreTokens) {
    return new Totals(saturatedAdd(nanos, moreNanos), saturatedAdd(tokens, moreTokens));
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }
}
