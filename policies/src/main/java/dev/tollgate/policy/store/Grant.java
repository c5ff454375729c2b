package dev.tollgate.policy.store;

import java.util.List;

/**
 * A store's answer to {@link BudgetStore#reserve}.
 *
 * @param granted     true when every claim was taken (or, with {@code unavailable}, the store lets the call go)
 * @param seen        per claim, in order: the instance before this call
 * @param unavailable non-null when the store could not be asked (Redis down): what happened, safe to log; with
 *                    {@code granted} false the call must be refused for it
 */
public record Grant(boolean granted, List<Seen> seen, String unavailable) {
  public Grant {
    seen = List.copyOf(seen);
  }

  static Grant refusedUnavailable(String why, int claims) {
    return new Grant(false, java.util.Collections.nCopies(claims, Seen.NOTHING), why);
  }

  static Grant allowedUnavailable(String why, int claims) {
    return new Grant(true, java.util.Collections.nCopies(claims, Seen.NOTHING), why);
  }
}
