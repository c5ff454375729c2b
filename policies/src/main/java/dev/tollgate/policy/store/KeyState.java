package dev.tollgate.policy.store;

/**
 * One budget or limit instance as a store holds it, for status and start-up reports.
 *
 * @param kind      budget or count
 * @param name      the budget's or limit's name
 * @param scope     its scope
 * @param period    its scope instance
 * @param partition its partition, or null
 * @param detail    the loop guard's identity, or null
 * @param calls     calls counted (counts)
 */
public record KeyState(Claim.Kind kind, String name, String scope, String period, String partition, String detail,
    long spentNanos, long reservedNanos, long spentTokens, long reservedTokens, long calls) {}
