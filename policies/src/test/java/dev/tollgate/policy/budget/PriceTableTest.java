package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PriceTableTest {
  private static final PriceTable TABLE = PriceTable.bundled();

  @Test
  void bundledTableIsExactlyTheGeneratorOutputOfTheCommittedSnapshot() throws Exception {
    String generated = PriceTableGenerator.generate();
    if (Boolean.getBoolean("tollgate.prices.regenerate")) {
      Files.writeString(PriceTableGenerator.OUTPUT, generated, StandardCharsets.UTF_8);
    }
    String bundled;
    try (InputStream in = PriceTable.class.getResourceAsStream(PriceTable.RESOURCE)) {
      bundled = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(generated, bundled, "prices.tsv drifted from prices-source/genai-prices.json; run PriceTableGenerator");
    assertEquals(generated, Files.readString(PriceTableGenerator.OUTPUT), "the source tree copy drifted");
  }

  @Test
  void bundledTableIsDatedAndNamesItsSource() {
    assertEquals("2026-09-23", TABLE.date());
    assertTrue(TABLE.source().startsWith("@pydantic/genai-prices 0.1.8 (MIT"), TABLE.source());
  }

  @Test
  void everyProviderAndModelLineParses() {
    Map<String, Integer> byProvider = new TreeMap<>();
    TABLE.providers().forEach(p -> byProvider.put(p.id(), p.models().size()));
    assertEquals(1517, TABLE.prices().size(), "models with a token price in genai-prices 0.1.8");
    assertEquals(43, byProvider.size(), byProvider.toString());
    for (String provider : new String[] {"openai", "anthropic", "google", "aws", "azure", "mistral", "deepseek", "groq",
        "x-ai", "together", "fireworks", "cohere", "openrouter"}) {
      assertTrue(byProvider.getOrDefault(provider, 0) > 0, provider + " has no priced model");
    }
  }

  @Test
  void pricesAreTheSourceRates() {
    assertEquals(new ModelPrice("openai/gpt-4o-mini", 0.15, 0.6, 0.075, null, null, -1), TABLE.find("gpt-4o-mini").get());
    assertEquals(new ModelPrice("openai/gpt-4", 30, 60, null, null, null, -1), TABLE.find("gpt-4").get());
    assertEquals(new ModelPrice("openai/text-embedding-3-small", 0.02, 0, null, null, null, -1),
        TABLE.find("text-embedding-3-small").get());
    ModelPrice haiku = TABLE.find("claude-haiku-4-5").get();
    assertEquals(new ModelPrice("anthropic/claude-haiku-4-5", 1, 5, 0.1, 1.25, null, -1, 2.0, null), haiku,
        "cache read, 5-minute and 1-hour cache writes");
  }

  @Test
  void longContextTiersCarryEveryRateAboveTheThreshold() {
    ModelPrice pro = TABLE.find("gemini-2.5-pro").get();
    assertEquals(200_000, pro.longContext().abovePromptTokens());
    assertEquals(2.5, pro.longContext().rates().inputPerMtok());
    assertEquals(15, pro.longContext().rates().outputPerMtok());
    assertEquals(0.25, pro.longContext().rates().cacheReadPerMtok());
    assertEquals(pro, pro.at(200_000), "the tier starts above the threshold");
    assertEquals(pro.longContext().rates(), pro.at(200_001));
  }

  @Test
  void timeOfDayPricesTakeTheDaysHighestRate() {
    ModelPrice chat = TABLE.find("deepseek-chat").get();
    assertEquals(0.27, chat.inputPerMtok(), "peak, not the 0.135 off-peak rate");
    assertEquals(1.1, chat.outputPerMtok());
  }

  @Test
  void pricesThatChangedTakeTheEntryInForceOnThePublicationDate() {
    assertEquals(2, TABLE.find("o3").get().inputPerMtok(), "o3's price cut of 2025-06-10");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "gpt-4, openai/gpt-4",
      "gpt-4-0613, openai/gpt-4",
      "gpt-4o, openai/gpt-4o",
      "GPT-4o, openai/gpt-4o",
      "gpt-4o-2024-08-06, openai/gpt-4o",
      "gpt-4o-mini-2024-07-18, openai/gpt-4o-mini",
      "gpt-4.1-mini-2025-04-14, openai/gpt-4.1-mini",
      "gpt-5-2025-08-07, openai/gpt-5",
      "o3-mini-2025-01-31, openai/o3-mini",
      "o1-2024-12-17, openai/o1",
      "openai/gpt-4o, openai/gpt-4o",
      "azure/gpt-4o, openai/gpt-4o",
      "text-embedding-3-small, openai/text-embedding-3-small",
      "claude-sonnet-4-5-20250929, anthropic/claude-sonnet-4-5",
      "claude-sonnet-4-5@20250929, anthropic/claude-sonnet-4-5",
      "anthropic/claude-haiku-4-5, anthropic/claude-haiku-4-5",
      "claude-3-7-sonnet-latest, anthropic/claude-3-7-sonnet-latest",
      "claude-3-7-sonnet-20250219, anthropic/claude-3-7-sonnet-latest",
      "anthropic.claude-3-5-haiku-20241022-v1:0, aws/regional.anthropic.claude-3-5-haiku-20241022-v1:0",
      "us.anthropic.claude-3-5-sonnet-20241022-v2:0, aws/regional.anthropic.claude-3-5-sonnet-20241022-v2:0",
      "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0, aws/regional.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0, aws/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "amazon.nova-lite-v1:0, aws/amazon.nova-lite-v1:0",
      "models/gemini-2.5-flash, google/gemini-2.5-flash",
      "gemini/gemini-2.5-pro, google/gemini-2.5-pro",
      "vertex_ai/gemini-2.5-flash-lite, google/gemini-2.5-flash-lite",
      "publishers/google/models/gemini-2.0-flash-001, google/gemini-2.0-flash",
      "mistral/mistral-large-latest, mistral/mistral-large",
      "mistral-embed, mistral/mistral-embed",
      "deepseek-chat, deepseek/deepseek-chat",
      "xai/grok-3, x-ai/grok-3",
      "command-r-plus, cohere/command-r-plus",
      "llama-3.3-70b-versatile, groq/llama-3.3-70b-versatile",
      "accounts/fireworks/models/llama-v3p1-8b-instruct, fireworks/llama-v3p1-8b-instruct",
      "openrouter/openai/gpt-4o, openrouter/openai/gpt-4o"})
  void modelNamesFindTheirBaseModel(String model, String key) {
    assertEquals(Optional.of(key), TABLE.find(model).map(ModelPrice::key));
  }

  /**
   * Model ids as the AWS SDK sends them in Bedrock Runtime's URL path (the agent decodes {@code %3A} and {@code %2F}):
   * base ids, cross-region inference profiles ({@code us.}, {@code eu.}, {@code apac.}, {@code global.}) and
   * inference-profile ARNs find Bedrock's own prices (USD per million input / output tokens).
   */
  @ParameterizedTest
  @CsvSource({
      "anthropic.claude-3-5-sonnet-20240620-v1:0, 3, 15",
      "us.anthropic.claude-3-5-sonnet-20241022-v2:0, 3, 15",
      "eu.anthropic.claude-3-5-sonnet-20240620-v1:0, 3, 15",
      "anthropic.claude-3-haiku-20240307-v1:0, 0.25, 1.25",
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0, 3, 15",
      "amazon.nova-pro-v1:0, 0.8, 3.2",
      "us.amazon.nova-pro-v1:0, 0.8, 3.2",
      "apac.amazon.nova-micro-v1:0, 0.035, 0.14",
      "amazon.nova-lite-v1:0, 0.06, 0.24",
      "meta.llama3-1-70b-instruct-v1:0, 0.72, 0.72",
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0, 3, 15"})
  void bedrockModelIdsFindBedrockPrices(String model, double input, double output) {
    ModelPrice price = TABLE.find(model).orElseThrow(() -> new AssertionError("no price for " + model));
    assertEquals(input, price.inputPerMtok(), 1e-12, price.key());
    assertEquals(output, price.outputPerMtok(), 1e-12, price.key());
    assertTrue(price.key().startsWith("aws/"), price.key());
  }

  @ParameterizedTest
  @ValueSource(strings = {"my-finetune", "", " ", "gpt", "claude", "-20250929", "llama3.1:8b"})
  void unknownModelsAreNotMappedToAnotherModel(String model) {
    assertEquals(Optional.empty(), TABLE.find(model).map(ModelPrice::key));
  }

  @Test
  void nullModelIsUnknown() {
    assertEquals(Optional.empty(), TABLE.find(null));
  }

  @Test
  void theBundledTableReadsAgainAndAgainToTheSameTable() throws Exception {
    // its cost is measured in docs/benchmarks.md (a timed assert here failed on a loaded CI machine)
    for (int i = 0; i < 3; i++) {
      try (InputStream in = PriceTable.class.getResourceAsStream(PriceTable.RESOURCE)) {
        assertNotNull(PriceTable.read(in));
      }
    }
  }
}
