package dev.tollgate.policy.budget;

/**
 * Tokens one LLM call used, in disjoint billing buckets, whatever the provider's own accounting.
 *
 * <p>Providers disagree on what their fields include (OpenAI's {@code prompt_tokens} includes cached tokens,
 * Anthropic's {@code input_tokens} excludes them; Gemini's {@code candidatesTokenCount} excludes thinking
 * tokens, OpenAI's {@code completion_tokens} includes reasoning). Response parsers normalise to these buckets so
 * pricing never has to know the provider:
 *
 * @param input      prompt tokens billed at the plain input rate (neither read from nor written to a cache)
 * @param cacheRead  prompt tokens read from the provider's prompt cache
 * @param cacheWrite prompt tokens written to the provider's prompt cache
 * @param output     every generated token, visible and reasoning/thinking alike
 * @param reasoning  the reasoning/thinking part of {@code output} (already counted there; informational, or
 *                   priced at a reasoning rate where the model has one)
 */
public record Usage(long input, long cacheRead, long cacheWrite, long output, long reasoning) {
  public static final Usage ZERO = new Usage(0, 0, 0, 0, 0);

  public Usage {
    if (input < 0 || cacheRead < 0 || cacheWrite < 0 || output < 0 || reasoning < 0) {
      throw new IllegalArgumentException("token counts must not be negative: " + input + "/" + cacheRead + "/"
          + cacheWrite + "/" + output + "/" + reasoning);
    }
    if (reasoning > output) {
      reasoning = output;
    }
  }

  /** Every prompt token: plain, cache read and cache write. */
  public long promptTokens() {
    return input + cacheRead + cacheWrite;
  }

  /** Prompt plus output tokens: what {@code max_tokens} budgets count. */
  public long totalTokens() {
    return promptTokens() + output;
  }
}
