package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class CostsPropertiesTest {
  private static final long MAX_TOKENS = 1_000_000_000L;

  @Provide
  Arbitrary<ModelPrice> prices() {
    Arbitrary<Double> rate = Arbitraries.bigDecimals().between(java.math.BigDecimal.ZERO,
        java.math.BigDecimal.valueOf(1_000_000)).ofScale(6).map(java.math.BigDecimal::doubleValue);
    Arbitrary<Double> optional = rate.injectNull(0.3);
    Arbitrary<ModelPrice> fromTable = Arbitraries.of(PriceTable.bundled().prices().values());
    Arbitrary<ModelPrice> random = Combinators.combine(rate, rate, optional, optional, optional)
        .as((in, out, cr, cw, r) -> new ModelPrice("p", in, out, cr, cw, r, -1));
    return Arbitraries.oneOf(fromTable, random);
  }

  @Provide
  Arbitrary<Usage> usages() {
    Arbitrary<Long> n = Arbitraries.longs().between(0, MAX_TOKENS);
    return Combinators.combine(n, n, n, n, n).as(Usage::new);
  }

  @Property(tries = 500)
  void costIsNeverNegativeAndNeverOverflows(@ForAll("prices") ModelPrice price, @ForAll("usages") Usage usage) {
    long cost = Costs.costNanos(price, usage);
    assertTrue(cost >= 0);
    assertTrue(cost < Long.MAX_VALUE, "saturated: " + cost);
  }

  @Property(tries = 500)
  void costIsMonotoneInEveryBucket(@ForAll("prices") ModelPrice price, @ForAll("usages") Usage usage,
      @ForAll @IntRange(min = 0, max = 4) int bucket, @ForAll @LongRange(min = 1, max = 1_000_000) long more) {
    long[] t = {usage.input(), usage.cacheRead(), usage.cacheWrite(), usage.output(), usage.reasoning()};
    t[bucket] += more;
    if (bucket == 4) {
      t[3] += more; // reasoning is part of output: more reasoning means more output too
    }
    Usage bigger = new Usage(t[0], t[1], t[2], t[3], t[4]);
    assertTrue(Costs.costNanos(price, bigger) >= Costs.costNanos(price, usage), bigger + " vs " + usage);
  }

  @Property(tries = 500)
  void worstCaseBoundsEveryUsageThatFitsTheReservation(@ForAll("prices") ModelPrice price,
      @ForAll @LongRange(min = 0, max = MAX_TOKENS) long prompt, @ForAll @LongRange(min = 0, max = MAX_TOKENS) long out,
      @ForAll @IntRange(min = 1, max = 8) int choices, @ForAll @LongRange(min = 0, max = 100) long percentCached,
      @ForAll @LongRange(min = 0, max = 100) long percentReasoning) {
    long cached = prompt * percentCached / 100;
    long output = out * choices;
    Usage usage = new Usage(prompt - cached, cached, 0, output, output * percentReasoning / 100);
    long worst = Costs.worstCaseNanos(price, prompt, out, choices);
    boolean cacheNotDearer = price.cacheReadPerMtok() == null || price.cacheReadPerMtok() <= price.inputPerMtok();
    if (cacheNotDearer) {
      assertTrue(Costs.costNanos(price, usage) <= worst, usage + " costs more than the worst case " + worst);
    }
    assertTrue(worst >= 0 && worst < Long.MAX_VALUE);
  }
}
