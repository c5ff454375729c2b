package dev.tollgate.policy;

/** {@code log:} — {@code path} may be null (the agent then uses its default). */
public record LogSettings(String path) {}
