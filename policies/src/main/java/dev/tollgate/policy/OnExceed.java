package dev.tollgate.policy;

/** What happens to the call that would pass a limit: refuse it, end the whole run, or let it run and log. */
public enum OnExceed { BLOCK, HALT, WARN }
