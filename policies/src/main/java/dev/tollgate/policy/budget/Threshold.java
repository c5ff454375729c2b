package dev.tollgate.policy.budget;

/**
 * A {@code warn_at} fraction a budget instance's spend crossed (in USD or in tokens), reported once per instance.
 * {@code spentNanos} and {@code limitNanos} are the instance's after the settlement ({@code limitNanos} -1 for a
 * tokens-only budget).
 */
public record Threshold(String budget, String scope, String partition, String period, double fraction,
    long spentNanos, long limitNanos) {}
