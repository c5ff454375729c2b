package dev.tollgate.policy.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns the price snapshot ({@code prices-snapshot-2026-07-24.json}: the 58-model subset of LiteLLM's
 * {@code model_prices_and_context_window.json} taken from {@code RoCry/llm-api-price} commit
 * {@code 8442b939a6ead479f7995b5d74d8dce488bd0966}, {@code last_updated 2026-07-24T18:23:43Z}, prices in USD per
 * million tokens) into the bundled {@code prices.json} that {@link PriceTable#bundled()} reads.
 *
 * <p>{@code PriceTableTest} asserts the bundled file is exactly this generator's output, so neither can drift.
 * To refresh: replace the snapshot, update {@link #DATE}, {@link #SNAPSHOT} and {@link #SOURCE}, then run
 * {@code main} with the test class path from the {@code policies} directory (or run the test with
 * {@code -Dtollgate.prices.regenerate=true}), and commit both files.
 *
 * <p>Mapping: {@code input_per_mtok_usd -> input}, {@code output_per_mtok_usd -> output} (null: 0, as for
 * embedding models), {@code cache_read_per_mtok_usd -> cache_read}, {@code cache_write_per_mtok_usd ->
 * cache_write} (the 5-minute write), {@code output_reasoning_per_mtok_usd -> reasoning}, {@code max_output_tokens}.
 * Long-context tiers and 1-hour cache writes are not carried (the base tier is used; see the report).
 */
public final class PriceTableGenerator {
  static final String DATE = "2026-07-24";
  static final String SNAPSHOT = "/dev/tollgate/policy/prices-snapshot-2026-07-24.json";
  static final String SOURCE = "LiteLLM model_prices_and_context_window.json via RoCry/llm-api-price commit "
      + "8442b939a6ead479f7995b5d74d8dce488bd0966, last_updated 2026-07-24T18:23:43Z; USD per million tokens";
  static final Path OUTPUT = Path.of("src/main/resources/dev/tollgate/policy/prices.json");

  private PriceTableGenerator() {}

  public static void main(String[] args) throws IOException {
    Files.writeString(OUTPUT, generate(), StandardCharsets.UTF_8);
    System.out.println("wrote " + OUTPUT.toAbsolutePath());
  }

  /** The bundled table's text, from the snapshot resource. */
  static String generate() throws IOException {
    JsonNode snapshot;
    try (InputStream in = PriceTableGenerator.class.getResourceAsStream(SNAPSHOT)) {
      snapshot = new ObjectMapper().readTree(in);
    }
    StringBuilder out = new StringBuilder();
    out.append("{\n  \"date\": \"").append(DATE).append("\",\n  \"source\": \"").append(SOURCE)
        .append("\",\n  \"models\": {\n");
    Iterator<Map.Entry<String, JsonNode>> models = snapshot.fields();
    boolean first = true;
    while (models.hasNext()) {
      Map.Entry<String, JsonNode> e = models.next();
      JsonNode m = e.getValue();
      if (m.path("input_per_mtok_usd").isNull() || m.path("input_per_mtok_usd").isMissingNode()) {
        continue;
      }
      out.append(first ? "" : ",\n");
      first = false;
      out.append("    \"").append(e.getKey()).append("\": {")
          .append("\"input\": ").append(num(m.get("input_per_mtok_usd"), "0"))
          .append(", \"output\": ").append(num(m.get("output_per_mtok_usd"), "0"))
          .append(", \"cache_read\": ").append(num(m.get("cache_read_per_mtok_usd"), "null"))
          .append(", \"cache_write\": ").append(num(m.get("cache_write_per_mtok_usd"), "null"))
          .append(", \"reasoning\": ").append(num(m.get("output_reasoning_per_mtok_usd"), "null"))
          .append(", \"max_output_tokens\": ").append(
              m.path("max_output_tokens").isIntegralNumber() ? m.get("max_output_tokens").asText() : "null")
          .append("}");
    }
    return out.append("\n  }\n}\n").toString();
  }

  private static String num(JsonNode node, String absent) {
    if (node == null || node.isNull()) {
      return absent;
    }
    return new BigDecimal(node.asText()).stripTrailingZeros().toPlainString();
  }
}
