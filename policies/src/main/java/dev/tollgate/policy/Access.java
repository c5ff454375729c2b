package dev.tollgate.policy;

/** The value of {@code tools.default}. */
public enum Access { ALLOW, DENY }
