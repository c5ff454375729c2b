package dev.tollgate.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code pricing:}: what to do with models the price table does not know, the output cap assumed when a request
 * sets none, and per-model prices that win over the bundled table.
 *
 * @param unknownModel           block, warn, or price (use {@code unknownRate})
 * @param unknownRate            the prices for unknown models when {@code unknownModel} is {@link UnknownModel#PRICE},
 *                               else null
 * @param defaultMaxOutputTokens output tokens reserved for a request that does not cap its output (capped by the
 *                               model's own maximum when the table knows it)
 * @param models                 model name or glob to prices, in file order (exact names are tried before globs)
 */
public record Pricing(UnknownModel unknownModel, ModelRate unknownRate, long defaultMaxOutputTokens,
    Map<String, ModelRate> models) {
  public static final long DEFAULT_MAX_OUTPUT_TOKENS = 4096;
  public static final Pricing DEFAULT = new Pricing(UnknownModel.BLOCK, null, DEFAULT_MAX_OUTPUT_TOKENS, Map.of());

  public Pricing {
    models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
  }

  /** What an LLM call to a model without a price does. */
  public enum UnknownModel { BLOCK, WARN, PRICE }
}
