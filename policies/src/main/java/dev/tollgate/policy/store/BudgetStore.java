package dev.tollgate.policy.store;

import java.util.List;

/**
 * Where budgets keep spend and reservations and limits keep their counts: the seam between the decisions
 * ({@code LlmGovernor}, {@code PolicyEngine}) and the state they decide on. {@link LocalStore} keeps it in this JVM
 * (with the file ledger for day, month and total budgets); {@code RedisStore} shares it with every JVM that uses the
 * same Redis key prefix.
 *
 * <p>Contract (checked for both by the same test suite):
 * <ul>
 *   <li>{@link #reserve} is all or nothing: when an enforcing claim has no room, nothing is taken on any claim;
 *       otherwise every budget claim is reserved and every count counted, non-enforcing ones whatever their room.</li>
 *   <li>Counts are final when reserved. Budget reservations are held under the hold id until {@link #settle}d (moved
 *       to spent at the actual amount), {@link #release}d (returned), {@link #cancel}led (returned, counts too) or
 *       until they expire after the store's hold TTL, whichever comes first.</li>
 *   <li>Settling or releasing a hold again changes nothing and returns null; so does settling a cancelled hold, and
 *       cancelling a hold again (or after it was settled) changes nothing. A settle after the hold expired still
 *       charges the actual amount (the money was spent), without a reservation to return.</li>
 *   <li>Committed spend only grows by settled amounts; {@code warn_at} fractions and the first breach of an
 *       instance are reported once per instance across everything sharing the store.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface BudgetStore extends AutoCloseable {
  /**
   * Takes every claim or none.
   *
   * @param holdId names the reservation for {@link #settle}, unique across every JVM sharing the store; null when
   *               nothing will be settled (counts only)
   */
  Grant reserve(String holdId, List<Claim> claims, long nowMillis);

  /**
   * Moves the hold's budget reservations to spent at {@code nanos} and {@code tokens}.
   *
   * @param claims the claims reserved under {@code holdId}, as passed to {@link #reserve}
   * @return per claim (counts get null entries), or null when the hold was already settled or released
   */
  List<Settled> settle(String holdId, List<Claim> claims, long nanos, long tokens, long nowMillis);

  /** Returns the hold's reservations without charging anything; null when already settled or released. */
  default List<Settled> release(String holdId, List<Claim> claims, long nowMillis) {
    return settle(holdId, claims, 0, 0, nowMillis);
  }

  /** Undoes a grant entirely, counts included: another store refused the same call after this one granted it. */
  void cancel(String holdId, List<Claim> claims, long nowMillis);

  /** Returns the reservations of holds older than the hold TTL; how many. */
  int expire(long nowMillis);

  /** Forgets the instances of a run that has ended. */
  void endRun(String runId);

  /** Every instance the store holds (for a shared store: that this JVM can list). */
  List<KeyState> states();

  /**
   * Clears the spend (or calls) of every instance of budget or limit {@code name} whose partition and period match
   * ({@code null} matches any), keeping reservations in flight; its warnings and first breach are reported again.
   * Persisted instances stay cleared across restarts.
   *
   * @return the instances as they were before
   */
  List<KeyState> reset(Claim.Kind kind, String name, String partition, String period);

  /** True when other JVMs see the same budgets and limits through this store. */
  boolean shared();

  /** Problems the store met that did not refuse a call (ledger writes that failed, ...), for diagnostics. */
  default long errors() {
    return 0;
  }

  @Override
  default void close() {}
}
