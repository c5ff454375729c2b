package dev.tollgate.policy.budget;

/**
 * Where day and month budgets keep their spend across restarts. Keys are the budget's name, its partition (null
 * when the budget is not partitioned, "" for calls without the partition's value) and its period
 * ({@code 2026-11-24}, {@code 2026-11}). Implementations are thread-safe.
 */
public interface Ledger extends AutoCloseable {
  /** A ledger that persists nothing: every period starts at zero in each JVM. */
  static Ledger none() {
    return None.INSTANCE;
  }

  /** Everything recorded so far for the key (zero when nothing was). */
  Totals load(String budget, String partition, String period);

  /** Adds one settlement's cost and tokens to the key. */
  void record(String budget, String partition, String period, long nanos, long tokens);

  /**
   * Sets the key's totals back to zero (an operator's {@code budget reset}); what is recorded after it counts from
   * zero, across restarts too.
   */
  default void reset(String budget, String partition, String period) {
    throw new UnsupportedOperationException("this ledger cannot be reset");
  }

  @Override
  default void close() {}

  /** {@link Ledger#none()}. */
  enum None implements Ledger {
    INSTANCE;

    @Override
    public Totals load(String budget, String partition, String period) {
      return Totals.ZERO;
    }

    @Override
    public void record(String budget, String partition, String period, long nanos, long tokens) {}

    @Override
    public void reset(String budget, String partition, String period) {}
  }
}
