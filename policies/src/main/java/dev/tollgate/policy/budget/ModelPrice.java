package dev.tollgate.policy.budget;

/**
 * The prices of one model in USD per million tokens. A null optional rate falls back: cache reads and cache
 * writes to the input rate, reasoning to the output rate (see {@link Costs#costNanos}).
 *
 * @param key                where the price came from: the price table's {@code provider/model} id,
 *                           {@code pricing.models.<key>}, or {@code pricing.unknown_model}
 * @param cacheWritePerMtok  a (5-minute) prompt-cache write
 * @param maxOutputTokens    the model's largest output, or -1 when unknown
 * @param cacheWrite1hPerMtok a 1-hour prompt-cache write where the provider prices it apart, else null (carried for
 *                           reports; usage does not tell the two write durations apart yet, so writes are charged at
 *                           {@code cacheWritePerMtok})
 * @param longContext        the rates of a call whose prompt is longer than a threshold, or null when the model has
 *                           one rate whatever the prompt length
 */
public record ModelPrice(String key, double inputPerMtok, double outputPerMtok, Double cacheReadPerMtok,
    Double cacheWritePerMtok, Double reasoningPerMtok, long maxOutputTokens, Double cacheWrite1hPerMtok,
    LongContext longContext) {

  public ModelPrice(String key, double inputPerMtok, double outputPerMtok, Double cacheReadPerMtok,
      Double cacheWritePerMtok, Double reasoningPerMtok, long maxOutputTokens) {
    this(key, inputPerMtok, outputPerMtok, cacheReadPerMtok, cacheWritePerMtok, reasoningPerMtok, maxOutputTokens,
        null, null);
  }

  /**
   * Long-context pricing: a call whose prompt (every prompt token, cached or not) is longer than
   * {@code abovePromptTokens} pays {@code rates} for all its tokens, as the providers bill it.
   */
  public record LongContext(long abovePromptTokens, ModelPrice rates) {
    public LongContext {
      if (abovePromptTokens < 0 || rates == null || rates.longContext() != null) {
        throw new IllegalArgumentException("a long-context tier needs a threshold >= 0 and flat rates");
      }
    }
  }

  /** Free: what an unknown model costs under {@code pricing.unknown_model: warn}. */
  public static ModelPrice free(String key) {
    return new ModelPrice(key, 0, 0, null, null, null, -1);
  }

  /** The rates a call with {@code promptTokens} prompt tokens pays: this price, or its long-context tier. */
  public ModelPrice at(long promptTokens) {
    return longContext != null && promptTokens > longContext.abovePromptTokens() ? longContext.rates() : this;
  }
}
