package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PriceTableTest {
  private static final PriceTable TABLE = PriceTable.bundled();

  @Test
  void bundledTableIsExactlyTheGeneratorOutput() throws Exception {
    String generated = PriceTableGenerator.generate();
    if (Boolean.getBoolean("tollgate.prices.regenerate")) {
      Files.writeString(PriceTableGenerator.OUTPUT, generated, StandardCharsets.UTF_8);
    }
    String bundled;
    try (InputStream in = PriceTable.class.getResourceAsStream(PriceTable.RESOURCE)) {
      bundled = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(generated, bundled, "prices.json drifted from its snapshot; run PriceTableGenerator");
    assertEquals(generated, Files.readString(PriceTableGenerator.OUTPUT), "the source tree copy drifted");
  }

  @Test
  void bundledTableIsDatedAndHasEveryModelOfTheSnapshot() {
    assertEquals("2026-07-24", TABLE.date());
    assertTrue(TABLE.source().contains("8442b939a6ead479f7995b5d74d8dce488bd0966"));
    assertEquals(58, TABLE.prices().size());
  }

  @Test
  void pricesMatchTheReferenceTable() {
    assertEquals(new ModelPrice("gpt-4o-mini", 0.15, 0.6, 0.075, null, null, 16384), TABLE.find("gpt-4o-mini").get());
    assertEquals(new ModelPrice("claude-sonnet-4-5", 3, 15, 0.3, 3.75, null, 64000),
        TABLE.find("claude-sonnet-4-5").get());
    assertEquals(new ModelPrice("gemini-2.5-flash", 0.3, 2.5, 0.03, null, 2.5, 65535),
        TABLE.find("gemini-2.5-flash").get());
    assertEquals(new ModelPrice("text-embedding-3-small", 0.02, 0, null, null, null, -1),
        TABLE.find("text-embedding-3-small").get());
    assertEquals(0.0, TABLE.find("mistral-embed").get().outputPerMtok(), "null output price is 0");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "gpt-4o, gpt-4o",
      "gpt-4o-2024-08-06, gpt-4o",
      "gpt-4o-mini-2024-07-18, gpt-4o-mini",
      "gpt-4.1-mini-2025-04-14, gpt-4.1-mini",
      "o3-mini-2025-01-31, o3-mini",
      "o1-2024-12-17, o1",
      "openai/gpt-4o-mini, gpt-4o-mini",
      "claude-sonnet-4-5-20250929, claude-sonnet-4-5",
      "claude-sonnet-4-5@20250929, claude-sonnet-4-5",
      "anthropic/claude-haiku-4-5, claude-haiku-4-5",
      "claude-3-7-sonnet-20250219, claude-3-7-sonnet-20250219",
      "claude-3-7-sonnet-latest, claude-3-7-sonnet-20250219",
      "claude-3-haiku, claude-3-haiku-20240307",
      "claude-sonnet-4-20250514, claude-sonnet-4-20250514",
      "anthropic.claude-3-5-haiku-20241022-v1:0, anthropic.claude-3-5-haiku-20241022-v1:0",
      "us.anthropic.claude-3-5-sonnet-20241022-v2:0, anthropic.claude-3-5-sonnet-20241022-v2:0",
      "anthropic.claude-sonnet-4-5-20250929-v1:0, claude-sonnet-4-5",
      "models/gemini-2.5-flash, gemini-2.5-flash",
      "gemini/gemini-2.5-pro, gemini-2.5-pro",
      "vertex_ai/gemini-2.5-flash-lite, gemini-2.5-flash-lite",
      "publishers/google/models/gemini-2.0-flash-001, gemini-2.0-flash",
      "gemini-3-pro-preview, gemini-3-pro-preview",
      "mistral/mistral-large-latest, mistral-large-latest",
      "GPT-4o, gpt-4o",
      "deepseek-chat, deepseek-chat"})
  void modelNamesNormaliseToTheirOwnEntry(String model, String key) {
    assertEquals(Optional.of(key), TABLE.find(model).map(ModelPrice::key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-3-opus-latest", "gpt-4o-mini-realtime", "gpt-4o-audio-preview-2024-12-17",
      "gemini-2.5-flash-preview-05-20", "my-finetune", "", " ", "gpt", "claude", "-20250929", "gpt-4o-mini-tts",
      "gpt-4", "llama3.1:8b"})
  void unknownModelsAreNotMappedToAnotherModel(String model) {
    assertEquals(Optional.empty(), TABLE.find(model).map(ModelPrice::key));
  }

  @Test
  void nullModelIsUnknown() {
    assertEquals(Optional.empty(), TABLE.find(null));
  }
}
