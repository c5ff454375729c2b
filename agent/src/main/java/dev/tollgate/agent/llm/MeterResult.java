package dev.tollgate.agent.llm;

import dev.tollgate.policy.budget.Usage;

/**
 * What one response said about its cost.
 *
 * @param usage                 the provider's own usage normalised to disjoint buckets; null when it reported none.
 *                              On an incomplete stream it may be partial (Anthropic reports input at
 *                              {@code message_start} and output only at the end)
 * @param responseModel         the model the response names (often a dated snapshot of the requested alias), or null
 * @param estimatedOutputTokens ceiling estimate from the generated text seen (UTF-8 bytes / 3, at least 1 when any
 *                              text was seen); 0 for error statuses
 * @param complete              the caller's verdict: the body was read to its end
 * @param problem               a parse warning (never body text) or null
 */
public record MeterResult(Usage usage, String responseModel, long estimatedOutputTokens, boolean complete,
    String problem) {}
