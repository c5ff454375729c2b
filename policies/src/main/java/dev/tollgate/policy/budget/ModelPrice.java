package dev.tollgate.policy.budget;

/**
 * The prices of one model in USD per million tokens. A null optional rate falls back: cache reads and cache
 * writes to the input rate, reasoning to the output rate (see {@link Costs#costNanos}).
 *
 * @param key               where the price came from: the price table's key, {@code pricing.models.<key>}, or
 *                          {@code pricing.unknown_model}
 * @param maxOutputTokens   the model's largest output, or -1 when unknown
 */
public record ModelPrice(String key, double inputPerMtok, double outputPerMtok, Double cacheReadPerMtok,
    Double cacheWritePerMtok, Double reasoningPerMtok, long maxOutputTokens) {
  /** Free: what an unknown model costs under {@code pricing.unknown_model: warn}. */
  public static ModelPrice free(String key) {
    return new ModelPrice(key, 0, 0, null, null, null, -1);
  }
}
