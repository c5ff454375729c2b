package dev.tollgate.policy;

/**
 * {@code ledger:}: where day and month budgets persist their spend, and the time zone their periods follow.
 *
 * @param dir      directory of the ledger files (default {@code .tollgate})
 * @param timeZone a valid {@link java.time.ZoneId} (default {@code UTC})
 */
public record LedgerSettings(String dir, String timeZone) {
  public static final LedgerSettings DEFAULT = new LedgerSettings(".tollgate", "UTC");

  public java.time.ZoneId zone() {
    return java.time.ZoneId.of(timeZone);
  }
}
