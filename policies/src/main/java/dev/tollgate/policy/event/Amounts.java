package dev.tollgate.policy.event;

import dev.tollgate.policy.budget.Breach;

/**
 * A breached budget's or LLM limit's count against its cap: USD (nano-dollars here) when it caps USD, tokens (or calls,
 * for an LLM-call limit) when it caps those; null where it caps neither.
 */
public record Amounts(Long spentNanos, Long reservedNanos, Long requestNanos, Long limitNanos, Long spentTokens,
    Long requestTokens, Long limitTokens) {
  public static final Amounts NONE = new Amounts(null, null, null, null, null, null, null);

  public static Amounts of(Breach b) {
    boolean usd = b.limitNanos() >= 0;
    boolean tokens = b.limitTokens() >= 0;
    return new Amounts(usd ? b.spentNanos() : null, usd ? b.reservedNanos() : null, usd ? b.requestNanos() : null,
        usd ? b.limitNanos() : null, tokens ? b.spentTokens() : null, tokens ? b.requestTokens() : null,
        tokens ? b.limitTokens() : null);
  }

  void write(Fields out) {
    out.usd("spent_usd", spentNanos).usd("reserved_usd", reservedNanos).usd("request_usd", requestNanos)
        .usd("limit_usd", limitNanos).put("spent_tokens", spentTokens).put("request_tokens", requestTokens)
        .put("limit_tokens", limitTokens);
  }

  static Amounts read(Line l) {
    return new Amounts(l.nanos("spent_usd"), l.nanos("reserved_usd"), l.nanos("request_usd"), l.nanos("limit_usd"),
        l.whole("spent_tokens"), l.whole("request_tokens"), l.whole("limit_tokens"));
  }
}
