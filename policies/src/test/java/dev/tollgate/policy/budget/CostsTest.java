package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Worked examples (reference/providers.md §7.2 prices), computed by hand in nano-USD. */
class CostsTest {
  private static final PriceTable TABLE = PriceTable.bundled();

  private static ModelPrice price(String model) {
    return TABLE.find(model).orElseThrow();
  }

  @Test
  void gpt4oMiniPlainAndCached() {
    // 1000 in x 0.15 + 500 out x 0.6 USD/MTok = 0.00015 + 0.0003 USD
    assertEquals(450_000, Costs.costNanos(price("gpt-4o-mini"), new Usage(1000, 0, 0, 500, 0)));
    // OpenAI's prompt_tokens 3000 with cached_tokens 2000: 1000 plain + 2000 cache read at 0.075
    assertEquals(150_000 + 150_000 + 300_000, Costs.costNanos(price("gpt-4o-mini"), new Usage(1000, 2000, 0, 500, 0)));
  }

  @Test
  void claudeSonnet45WithCacheReadAndWrite() {
    // 100 x 3 + 10000 x 0.3 + 2000 x 3.75 + 300 x 15 = 300 + 3000 + 7500 + 4500 micro-USD
    assertEquals(15_300_000, Costs.costNanos(price("claude-sonnet-4-5-20250929"), new Usage(100, 10_000, 2000, 300, 0)));
  }

  @Test
  void gemini25FlashWithReasoningAtItsOwnRate() {
    // 1000 x 0.3 + 800 x 2.5 (600 of them thinking, priced 2.5 too)
    assertEquals(2_300_000, Costs.costNanos(price("gemini-2.5-flash"), new Usage(1000, 0, 0, 800, 600)));
    ModelPrice dearThinking = new ModelPrice("x", 0.3, 2.5, null, null, 3.5, -1);
    // 300 + 200 x 2.5 + 600 x 3.5 = 300 + 500 + 2100 micro-USD
    assertEquals(2_900_000, Costs.costNanos(dearThinking, new Usage(1000, 0, 0, 800, 600)));
  }

  @Test
  void missingCacheRatesFallBackToTheInputRate() {
    ModelPrice noCache = new ModelPrice("x", 2, 8, null, null, null, -1);
    assertEquals(Costs.costNanos(noCache, new Usage(30, 0, 0, 0, 0)), Costs.costNanos(noCache, new Usage(10, 10, 10, 0, 0)));
  }

  @Test
  void roundedUpOncePerCallNotPerBucketOrToken() {
    ModelPrice lite = new ModelPrice("lite", 0.075, 0.3, 0.01875, null, null, -1); // 18.75 nano-USD per cached token
    assertEquals(19, Costs.costNanos(lite, new Usage(0, 1, 0, 0, 0)));
    assertEquals(75, Costs.costNanos(lite, new Usage(0, 4, 0, 0, 0)));
    assertEquals(0, Costs.costNanos(lite, Usage.ZERO));
  }

  @Test
  void worstCaseUsesInputRateForThePromptAndTheDearerOutputRateForEveryChoice() {
    // gpt-4o: 1000 x 2.5 + 2 x 4096 x 10 = 2500 + 81920 micro-USD
    assertEquals(84_420_000, Costs.worstCaseNanos(price("gpt-4o"), 1000, 4096, 2));
    ModelPrice dearThinking = new ModelPrice("x", 1, 2, null, null, 5.0, -1);
    assertEquals(100 * 1000 + 10 * 5000, Costs.worstCaseNanos(dearThinking, 100, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> Costs.worstCaseNanos(dearThinking, -1, 10, 1));
  }

  @Test
  void usdFormatting() {
    assertEquals("0.0153", Costs.usd(15_300_000));
    assertEquals("20", Costs.usd(20_000_000_000L));
    assertEquals(1, Costs.usdToNanos(new BigDecimal("0.0000000001")));
  }

  @Test
  void aPromptAboveTheLongContextThresholdPaysTheTierRatesForEveryToken() {
    ModelPrice pro = price("gemini-2.5-pro"); // 1.25/10 up to 200k prompt tokens, 2.5/15 above
    assertEquals(200_000 * 1250L + 1000 * 10_000L, Costs.costNanos(pro, new Usage(200_000, 0, 0, 1000, 0)));
    assertEquals(200_001 * 2500L + 1000 * 15_000L, Costs.costNanos(pro, new Usage(200_001, 0, 0, 1000, 0)));
    assertEquals(150_000 * 2500L + 50_001 * 250L + 1000 * 15_000L,
        Costs.costNanos(pro, new Usage(150_000, 50_001, 0, 1000, 0)), "cached prompt tokens count toward the tier");
    assertEquals(Costs.costNanos(pro, new Usage(300_000, 0, 0, 100, 0)), Costs.worstCaseNanos(pro, 300_000, 100, 1),
        "a worst case with a long prompt is reserved at the tier rates");
  }
}
