package dev.tollgate.policy.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Cost arithmetic in nano-USD (10^-9 USD) on {@code long}. Each call's cost is computed exactly (BigDecimal from
 * the decimal rates as written) and rounded up once, so summing calls never loses or invents a fraction, and a
 * reservation ({@link #worstCaseNanos}) is never below the cost it bounds. Results saturate at
 * {@link Long#MAX_VALUE} instead of overflowing. With the rates a policy accepts (at most 10^6 USD per million
 * tokens) and up to 10^9 tokens in each of the five buckets a cost is at most 5 × 10^18 nano-USD, inside a long;
 * only absurd inputs (or a worst case with billions of choices) reach the saturation.
 */
public final class Costs {
  /** One USD per million tokens is 1000 nano-USD per token. */
  private static final BigDecimal NANOS_PER_TOKEN_PER_USD_PER_MTOK = BigDecimal.valueOf(1000);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private Costs() {}

  /**
   * What {@code usage} costs at {@code price}: {@code input*in + cacheRead*(cacheRead ?? in) + cacheWrite*(cacheWrite
   * ?? in) + (output-reasoning)*out + reasoning*(reasoning ?? out)}, rounded up to a whole nano-USD, at the
   * long-context rates when the prompt passes the model's threshold ({@link ModelPrice#at}).
   */
  public static long costNanos(ModelPrice price, Usage usage) {
    price = price.at(usage.promptTokens());
    BigDecimal in = rate(price.inputPerMtok());
    BigDecimal out = rate(price.outputPerMtok());
    BigDecimal sum = in.multiply(BigDecimal.valueOf(usage.input()))
        .add(rate(price.cacheReadPerMtok(), in).multiply(BigDecimal.valueOf(usage.cacheRead())))
        .add(rate(price.cacheWritePerMtok(), in).multiply(BigDecimal.valueOf(usage.cacheWrite())))
        .add(out.multiply(BigDecimal.valueOf(usage.output() - usage.reasoning())))
        .add(rate(price.reasoningPerMtok(), out).multiply(BigDecimal.valueOf(usage.reasoning())));
    return nanos(sum);
  }

  /**
   * The most a call can cost before its usage is known: {@code promptTokens} at the input rate (no cache hit
   * assumed) plus {@code choices × maxOutputTokens} at the higher of the output and reasoning rates. Rounded up.
   */
  public static long worstCaseNanos(ModelPrice price, long promptTokens, long maxOutputTokens, int choices) {
    if (promptTokens < 0 || maxOutputTokens < 0 || choices < 0) {
      throw new IllegalArgumentException("negative token count: " + promptTokens + "/" + maxOutputTokens + "/" + choices);
    }
    price = price.at(promptTokens); // the estimate bounds the prompt from above, so its tier is never too cheap
    BigDecimal in = rate(price.inputPerMtok());
    BigDecimal out = rate(price.outputPerMtok());
    BigDecimal outMax = out.max(rate(price.reasoningPerMtok(), out));
    BigDecimal sum = in.multiply(BigDecimal.valueOf(promptTokens))
        .add(outMax.multiply(BigDecimal.valueOf(maxOutputTokens)).multiply(BigDecimal.valueOf(choices)));
    return nanos(sum);
  }

  /** {@code usd} as nano-USD, rounded up. */
  public static long usdToNanos(BigDecimal usd) {
    return usd.movePointRight(9).setScale(0, RoundingMode.CEILING).min(LONG_MAX).longValueExact();
  }

  /** Nano-USD as a plain decimal USD string without trailing zeros ({@code 1500000 -> "0.0015"}). */
  public static String usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }

  private static long nanos(BigDecimal usdPerMtokTimesTokens) {
    BigDecimal nanos = usdPerMtokTimesTokens.multiply(NANOS_PER_TOKEN_PER_USD_PER_MTOK)
        .setScale(0, RoundingMode.CEILING);
    return nanos.min(LONG_MAX).longValueExact();
  }

  private static BigDecimal rate(double perMtok) {
    if (!(perMtok >= 0) || Double.isInfinite(perMtok)) {
      throw new IllegalArgumentException("a price must be a finite number >= 0, got " + perMtok);
    }
    return BigDecimal.valueOf(perMtok);
  }

  private static BigDecimal rate(Double perMtok, BigDecimal fallback) {
    return perMtok == null ? fallback : rate(perMtok);
  }
}
