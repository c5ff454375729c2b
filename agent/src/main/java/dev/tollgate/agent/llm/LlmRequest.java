package dev.tollgate.agent.llm;

/**
 * What a request body says about the call's worst case.
 *
 * @param model                 body {@code model}, else the endpoint's path model; null if unknown
 * @param maxOutputTokens       the per-choice output cap the request sets; 0 for embeddings; -1 unknown
 * @param choices               {@code n} / {@code candidateCount}, at least 1
 * @param stream                the response will be streamed
 * @param includeUsage          the response will carry the provider's usage: always for non-streamed calls and for
 *                              formats that always report it; for OpenAI chat streams only with
 *                              {@code stream_options.include_usage: true}
 * @param promptTokensEstimate  ceiling on prompt tokens (UTF-8 bytes / 3, rounded up); -1 unknown
 */
public record LlmRequest(String model, long maxOutputTokens, int choices, boolean stream, boolean includeUsage,
    long promptTokensEstimate) {}
