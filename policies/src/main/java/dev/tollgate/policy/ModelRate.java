package dev.tollgate.policy;

/**
 * Prices of one model in USD per million tokens, as written in {@code pricing}. The optional rates are null when
 * not given: cache reads and writes then cost the input rate, reasoning tokens the output rate.
 */
public record ModelRate(double inputPerMtok, double outputPerMtok, Double cacheReadPerMtok, Double cacheWritePerMtok,
    Double reasoningPerMtok) {}
