package dev.tollgate.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The log's USD figures: the fast conversion gives exactly the double the exact decimal quotient rounds to. */
class UsdTest {
  @Property(tries = 20_000)
  void nanoUsdBecomeTheNearestDouble(@ForAll long nanos) {
    double exact = BigDecimal.valueOf(nanos).divide(BigDecimal.valueOf(1_000_000_000L)).doubleValue();
    assertEquals(exact, LlmGuard.usd(nanos));
    long small = nanos % 10_000_000_000_000L; // the sizes real spend has: up to 10,000 USD
    assertEquals(BigDecimal.valueOf(small).divide(BigDecimal.valueOf(1_000_000_000L)).doubleValue(),
        LlmGuard.usd(small));
  }
}
