package dev.tollgate.policy.budget;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A dated table of model prices. {@link #bundled()} is {@code dev/tollgate/policy/prices.json}, generated from a
 * LiteLLM {@code model_prices_and_context_window.json} snapshot (see {@link #source()}); LiteLLM's numbers are
 * community-maintained, so every cost should be reported with {@link #date()}.
 *
 * <h2>Model names</h2>
 * {@link #find} tries the name as given, then normalises it step by step, trying the table after each step:
 * <ol>
 *   <li>everything up to the last {@code /} is a provider or path prefix ({@code models/}, {@code gemini/},
 *       {@code openai/}, {@code vertex_ai/}, {@code publishers/google/models/}...) and is dropped; Bedrock ids lose a
 *       region prefix ({@code us.}, {@code eu.}, {@code apac.}, {@code global.}) and then {@code anthropic.}, and a
 *       {@code -v1:0} style version;</li>
 *   <li>one version suffix is dropped: {@code @20240620} (Vertex), {@code -latest}, {@code -2024-08-06},
 *       {@code -20250929}, or a Vertex {@code -001};</li>
 *   <li>the result is also looked up among table keys that carry a date ({@code claude-3-7-sonnet} finds
 *       {@code claude-3-7-sonnet-20250219}).</li>
 * </ol>
 * Only whole suffixes are dropped, never a part of the model's own name, and the result must be a key of the
 * table: {@code gpt-4o-mini-2024-07-18} becomes {@code gpt-4o-mini}, never {@code gpt-4o}. {@code -preview-...}
 * suffixes are kept (previews are often priced differently), and names are lower-cased only as a last try.
 */
public final class PriceTable {
  /** The bundled table's resource. */
  public static final String RESOURCE = "/dev/tollgate/policy/prices.json";
  private static final Pattern DATE_SUFFIX = Pattern.compile("(.+?)(?:-\\d{4}-\\d{2}-\\d{2}|-\\d{8}|@\\d{8}|@latest"
      + "|-latest|-0\\d\\d)$");
  private static final Pattern BEDROCK_VERSION = Pattern.compile("(.+?)-v\\d+(?::\\d+)?$");
  private static final Pattern REGION = Pattern.compile("^(?:us|eu|apac|global|us-gov|jp|au)\\.(anthropic\\..+)$");
  private static volatile PriceTable bundled;

  private final String date;
  private final String source;
  private final Map<String, ModelPrice> prices;
  /** Table keys with a date suffix, by the key without it (only when unambiguous). */
  private final Map<String, String> undated = new HashMap<>();

  public PriceTable(String date, String source, Map<String, ModelPrice> prices) {
    this.date = date;
    this.source = source;
    this.prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
    Map<String, Integer> seen = new HashMap<>();
    for (String key : prices.keySet()) {
      var m = DATE_SUFFIX.matcher(key);
      if (m.matches() && !m.group(1).equals(key) && !prices.containsKey(m.group(1))) {
        if (seen.merge(m.group(1), 1, Integer::sum) == 1) {
          undated.put(m.group(1), key);
        } else {
          undated.remove(m.group(1)); // two dated keys for one name: ambiguous, so neither
        }
      }
    }
  }

  /** The table bundled with Tollgate (loaded once). */
  public static PriceTable bundled() {
    PriceTable table = bundled;
    if (table == null) {
      try (InputStream in = PriceTable.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + RESOURCE);
        }
        table = read(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + RESOURCE, e);
      }
      bundled = table;
    }
    return table;
  }

  /** Reads a table in the bundled format: {@code {"date", "source", "models": {key: {input, output, ...}}}}. */
  public static PriceTable read(InputStream in) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(in)) {
      String date = null;
      String source = null;
      Map<String, ModelPrice> prices = new LinkedHashMap<>();
      expect(p.nextToken(), JsonToken.START_OBJECT, p);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "date" -> date = p.getText();
          case "source" -> source = p.getText();
          case "models" -> {
            expect(value, JsonToken.START_OBJECT, p);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String key = p.currentName();
              expect(p.nextToken(), JsonToken.START_OBJECT, p);
              Map<String, Object> fields = new HashMap<>();
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                fields.put(name, t == JsonToken.VALUE_NULL ? null
                    : t == JsonToken.VALUE_NUMBER_INT ? (Object) p.getLongValue() : (Object) p.getDoubleValue());
              }
              prices.put(key, new ModelPrice(key, number(fields, "input"), number(fields, "output"),
                  optional(fields, "cache_read"), optional(fields, "cache_write"), optional(fields, "reasoning"),
                  fields.get("max_output_tokens") == null ? -1 : ((Number) fields.get("max_output_tokens")).longValue()));
            }
          }
          default -> p.skipChildren();
        }
      }
      return new PriceTable(date, source, prices);
    }
  }

  private static void expect(JsonToken actual, JsonToken expected, JsonParser p) throws IOException {
    if (actual != expected) {
      throw new IOException("price table: expected " + expected + " at " + p.currentLocation() + ", got " + actual);
    }
  }

  private static double number(Map<String, Object> fields, String name) {
    Object v = fields.get(name);
    return v == null ? 0 : ((Number) v).doubleValue();
  }

  private static Double optional(Map<String, Object> fields, String name) {
    Object v = fields.get(name);
    return v == null ? null : ((Number) v).doubleValue();
  }

  /** The date of the price snapshot, {@code yyyy-MM-dd}. */
  public String date() {
    return date;
  }

  /** Where the prices come from. */
  public String source() {
    return source;
  }

  /** Every price by table key, in table order. */
  public Map<String, ModelPrice> prices() {
    return prices;
  }

  /** The price of {@code model}, normalising its name as the class comment describes; empty when unknown. */
  public Optional<ModelPrice> find(String model) {
    if (model == null || model.isBlank()) {
      return Optional.empty();
    }
    String key = resolve(model.trim());
    if (key == null) {
      key = resolve(model.trim().toLowerCase(Locale.ROOT));
    }
    return key == null ? Optional.empty() : Optional.of(prices.get(key));
  }

  /** The table key {@code model} resolves to, or null. */
  private String resolve(String model) {
    String name = model;
    if (prices.containsKey(name)) {
      return name;
    }
    int slash = name.lastIndexOf('/');
    if (slash >= 0 && slash < name.length() - 1) {
      name = name.substring(slash + 1);
      if (prices.containsKey(name)) {
        return name;
      }
    }
    var region = REGION.matcher(name);
    if (region.matches()) {
      name = region.group(1);
      if (prices.containsKey(name)) {
        return name;
      }
    }
    if (name.startsWith("anthropic.")) {
      var version = BEDROCK_VERSION.matcher(name.substring("anthropic.".length()));
      if (version.matches()) {
        name = version.group(1);
        String key = lookup(name);
        if (key != null) {
          return key;
        }
      }
    }
    var dated = DATE_SUFFIX.matcher(name);
    if (dated.matches()) {
      String key = lookup(dated.group(1));
      if (key != null) {
        return key;
      }
    }
    return lookup(name);
  }

  private String lookup(String name) {
    return prices.containsKey(name) ? name : undated.get(name);
  }
}
