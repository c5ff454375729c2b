package dev.tollgate.policy;

/**
 * What happens to the call that would pass a limit: refuse it, end the whole run, let it run and log, or hold it
 * until an operator approves or denies it ({@code approval} says how long and what then).
 */
public enum OnExceed { BLOCK, HALT, WARN, PAUSE }
