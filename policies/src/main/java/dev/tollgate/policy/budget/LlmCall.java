package dev.tollgate.policy.budget;

import java.util.function.Function;

/**
 * An LLM call about to leave the JVM, as the agent sees it.
 *
 * @param provider             provider or endpoint name (for logs)
 * @param model                the requested model as the request names it (may be null when unknown)
 * @param runId                the run the call belongs to, or null outside any run
 * @param session              the session (conversation) id, or null
 * @param mdc                  MDC lookup for {@code per: mdc:<key>} (null: no MDC)
 * @param promptTokensEstimate upper estimate of the prompt tokens, at least 0
 * @param maxOutputTokens      the request's output cap, or -1 when it sets none: then
 *                             {@code pricing.default_max_output_tokens} is used, capped by the model's own maximum
 *                             when the price table knows it
 * @param choices              completions requested ({@code n}, {@code candidateCount}), at least 1
 */
public record LlmCall(String provider, String model, String runId, String session, Function<String, String> mdc,
    long promptTokensEstimate, long maxOutputTokens, int choices) {
  public LlmCall {
    if (promptTokensEstimate < 0) {
      throw new IllegalArgumentException("promptTokensEstimate must be >= 0, got " + promptTokensEstimate);
    }
    if (maxOutputTokens < -1) {
      throw new IllegalArgumentException("maxOutputTokens must be >= 0 or -1 (unknown), got " + maxOutputTokens);
    }
    if (choices < 1) {
      throw new IllegalArgumentException("choices must be >= 1, got " + choices);
    }
  }

  /** The MDC value of {@code key}, or null. */
  public String mdcValue(String key) {
    return mdc == null ? null : mdc.apply(key);
  }
}
