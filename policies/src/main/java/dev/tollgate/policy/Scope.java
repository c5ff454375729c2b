package dev.tollgate.policy;

/** Where a limit's counter lives. {@code run}: one top-level agent invocation; {@code process}: the JVM. */
public enum Scope { RUN, PROCESS }
