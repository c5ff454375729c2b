package dev.tollgate.policy;

/**
 * Where a limit's counter lives. {@code run}: one top-level agent invocation; {@code session}: one
 * conversation (the framework's memory, conversation or session id); {@code process}: the JVM.
 */
public enum Scope { RUN, SESSION, PROCESS }
