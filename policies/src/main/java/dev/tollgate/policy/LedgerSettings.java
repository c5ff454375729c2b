package dev.tollgate.policy;

/**
 * {@code ledger:}: where budgets and limits keep what they have counted, the time zone day and month periods
 * follow, and the key that authenticates the file ledger's records.
 *
 * @param dir      directory of the file ledger (default {@code .tollgate}); day, month and total budgets persist
 *                 there with the file store, and the Redis store's {@code on_unavailable: local} keeps nothing there
 * @param timeZone a valid {@link java.time.ZoneId} (default {@code UTC})
 * @param keyFile  file holding the file ledger's key (generated 0600 when missing), or null for {@code ledger.key} in
 *                 {@code dir}; the environment variable {@code TOLLGATE_LEDGER_KEY} takes precedence over both
 * @param store    {@code file} (default): this JVM's own counters and the file ledger; {@code redis}: shared by every
 *                 JVM with the same {@link RedisSettings#keyPrefix()}
 * @param redis    the Redis store's settings, or null unless {@code store} is {@code redis}
 */
public record LedgerSettings(String dir, String timeZone, String keyFile, Store store, RedisSettings redis) {
  public static final LedgerSettings DEFAULT = new LedgerSettings(".tollgate", "UTC", null, Store.FILE, null);

  /** Which store keeps budgets and limits. */
  public enum Store { FILE, REDIS }

  /** File store settings. */
  public LedgerSettings(String dir, String timeZone) {
    this(dir, timeZone, null);
  }

  /** File store settings with a key file. */
  public LedgerSettings(String dir, String timeZone, String keyFile) {
    this(dir, timeZone, keyFile, Store.FILE, null);
  }

  public LedgerSettings {
    store = store == null ? Store.FILE : store;
  }

  public java.time.ZoneId zone() {
    return java.time.ZoneId.of(timeZone);
  }
}
