package dev.tollgate.policy;

/**
 * Where a budget's spend accumulates. {@code run}, {@code session} and {@code process} as for limits
 * ({@link Scope}); {@code day} and {@code month} are calendar periods in {@code ledger.time_zone}, persisted in the
 * ledger so that a restart does not reset them; {@code total} never resets (only an operator reset clears it).
 */
public enum BudgetScope { RUN, SESSION, PROCESS, DAY, MONTH, TOTAL }
