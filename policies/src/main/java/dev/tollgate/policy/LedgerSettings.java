package dev.tollgate.policy;

/**
 * {@code ledger:}: where day and month budgets persist their spend, the time zone their periods follow, and the
 * key that authenticates the records.
 *
 * @param dir      directory of the ledger files (default {@code .tollgate})
 * @param timeZone a valid {@link java.time.ZoneId} (default {@code UTC})
 * @param keyFile  file holding the ledger's key (generated 0600 when missing), or null for {@code ledger.key} in
 *                 {@code dir}; the environment variable {@code TOLLGATE_LEDGER_KEY} takes precedence over both
 */
public record LedgerSettings(String dir, String timeZone, String keyFile) {
  public static final LedgerSettings DEFAULT = new LedgerSettings(".tollgate", "UTC", null);

  public LedgerSettings(String dir, String timeZone) {
    this(dir, timeZone, null);
  }

  public java.time.ZoneId zone() {
    return java.time.ZoneId.of(timeZone);
  }
}
