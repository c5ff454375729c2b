package dev.tollgate.policy.budget;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A dated table of model prices. {@link #bundled()} is {@code dev/tollgate/policy/prices.tsv}, generated from a
 * snapshot of {@code @pydantic/genai-prices} (see {@link #source()}); every cost should be reported with
 * {@link #date()}.
 *
 * <h2>Model names</h2>
 * Models are found the way genai-prices finds them: by each model's match rules (equals, starts with, ends with,
 * contains, regex), on the lower-cased name, within a provider. {@link #find} picks the provider in this order and
 * takes the first model of it that matches (trying also a dated name's {@code -20250929} as {@code -2025-09-29},
 * then the provider's fallback providers, as Azure falls back to OpenAI):
 * <ol>
 *   <li>a provider named by a path prefix: {@code openai/gpt-4o}, {@code bedrock/anthropic.claude-...},
 *       {@code vertex_ai/gemini-2.5-pro}, {@code openrouter/openai/gpt-4o} (the provider's id or its name rules);</li>
 *   <li>Bedrock, for a Bedrock model id ({@code [region.]vendor.model}, as {@code us.anthropic.claude-...});</li>
 *   <li>a provider whose model rules claim the name ({@code gpt-*} is OpenAI's, {@code *claude*} Anthropic's,
 *       {@code *gemini*} Google's, ...);</li>
 *   <li>every provider: first those with model rules (model makers), then the rest, each in table order;</li>
 * </ol>
 * each first for the whole name, then for its last path segment ({@code models/gemini-2.5-flash},
 * {@code publishers/google/models/gemini-2.0-flash-001}). Dated and versioned names are in the rules themselves
 * ({@code gpt-5-2025-08-07}, {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}), never guessed by cutting a name.
 *
 * <h2>Format</h2>
 * Tab-separated lines, parsed at agent start (see {@code PriceTableGenerator}, which writes it):
 * {@code date}, {@code source}, then per provider {@code P id fallbacks api_pattern name}, {@code PM id rule...}
 * (which model names are the provider's), {@code PA id rule...} (which path prefixes name it), and its models:
 * {@code M id input output cache_read cache_write cache_write_1h reasoning long_context rule...}. A rate is a
 * decimal or {@code -}; {@code long_context} is {@code -} or {@code above:input,output,cache_read,cache_write,
 * cache_write_1h,reasoning}. A rule is {@code =x} (equals), {@code ^x} (starts with), {@code $x} (ends with),
 * {@code ~x} (contains), {@code /regex} (found anywhere), or {@code &n} (the next n rules all hold); a line's rules
 * are alternatives.
 */
public final class PriceTable {
  /** The bundled table's resource. */
  public static final String RESOURCE = "/dev/tollgate/policy/prices.tsv";
  private static final Pattern COMPACT_DATE = Pattern.compile("-(20\\d\\d)(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])(?=-|:|$)");
  /** Bedrock's model ids: an optional region, then the vendor: {@code us.anthropic.claude-...-v1:0}. */
  private static final Pattern BEDROCK_ID = Pattern.compile("^(?:[a-z]{2,7}(?:-gov)?\\.)?(?:anthropic|amazon|meta"
      + "|mistral|cohere|ai21|deepseek|openai|qwen|writer|moonshot|minimax|google|nvidia|twelvelabs)\\.[^/]+$");
  private static final String BEDROCK = "aws";
  private static final int CACHE_LIMIT = 4096;
  private static volatile PriceTable bundled;

  private final String date;
  private final String source;
  private final List<Provider> providers;
  private final List<Provider> preferred;
  private final Map<String, Provider> byId = new LinkedHashMap<>();
  private final Map<String, Optional<ModelPrice>> found = new ConcurrentHashMap<>();

  /** One model: its id, its price (keyed {@code provider/id}) and the names it matches. */
  public record Model(String id, ModelPrice price, Rule rule) {}

  /**
   * One provider of the table. Its models are parsed from the table's text the first time a name is looked up in
   * it, so start-up pays only for finding the provider lines (most lookups touch one or two providers).
   */
  public static final class Provider {
    private final String id;
    private final String name;
    private final String apiPattern;
    private final List<String> fallbacks;
    private final Rule modelRule;
    private final Rule prefixRule;
    private final String text;
    private final int from;
    private final int to;
    private final int firstLine;
    private volatile List<Model> models;

    Provider(String id, String name, String apiPattern, List<String> fallbacks, Rule modelRule, Rule prefixRule,
        String text, int from, int to, int firstLine) {
      this.id = id;
      this.name = name;
      this.apiPattern = apiPattern;
      this.fallbacks = fallbacks;
      this.modelRule = modelRule;
      this.prefixRule = prefixRule;
      this.text = text;
      this.from = from;
      this.to = to;
      this.firstLine = firstLine;
    }

    public String id() {
      return id;
    }

    public String name() {
      return name;
    }

    /** The provider's API base URLs (a regex), or {@code -}. */
    public String apiPattern() {
      return apiPattern;
    }

    public List<String> fallbacks() {
      return fallbacks;
    }

    Rule modelRule() {
      return modelRule;
    }

    Rule prefixRule() {
      return prefixRule;
    }

    /** The provider's priced models, in match order. */
    public List<Model> models() {
      List<Model> m = models;
      if (m == null) {
        synchronized (this) {
          if ((m = models) == null) {
            models = m = parseModels();
          }
        }
      }
      return m;
    }

    private List<Model> parseModels() {
      List<Model> out = new ArrayList<>();
      int line = firstLine;
      for (int start = from, end; start < to; start = end + 1, line++) {
        end = text.indexOf('\n', start);
        if (end < 0 || end > to) {
          end = to;
        }
        String[] f = text.substring(start, end).split("\t", -1);
        try {
          String key = id + "/" + f[1];
          ModelPrice base = new ModelPrice(key, rate(f[2], 0), rate(f[3], 0), rate(f[4], null), rate(f[5], null),
              rate(f[7], null), -1, rate(f[6], null), longContext(key, f[8]));
          out.add(new Model(f[1], base, Rule.parse(f, 9)));
        } catch (RuntimeException e) {
          throw new IllegalStateException("price table line " + line + ": " + e, e);
        }
      }
      return List.copyOf(out);
    }
  }

  private PriceTable(String date, String source, List<Provider> providers) {
    this.date = date;
    this.source = source;
    this.providers = List.copyOf(providers);
    List<Provider> preferred = new ArrayList<>();
    for (Provider p : providers) {
      byId.put(p.id(), p);
      if (p.modelRule() != null) {
        preferred.add(p);
      }
    }
    for (Provider p : providers) {
      if (p.modelRule() == null) {
        preferred.add(p);
      }
    }
    this.preferred = List.copyOf(preferred);
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

  /**
   * Reads a table in the bundled format (see the class comment). Provider lines are parsed here, model lines on
   * first use ({@link Provider#models()}, {@link #prices()} parses them all).
   */
  public static PriceTable read(InputStream in) throws IOException {
    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    String date = null;
    String source = null;
    List<Provider> providers = new ArrayList<>();
    String[] head = null;
    Rule modelRule = null;
    Rule prefixRule = null;
    int from = -1;
    int firstLine = 0;
    int line = 0;
    int start = 0;
    for (int end; start < text.length(); start = end + 1) {
      line++;
      end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      char c = end == start ? '#' : text.charAt(start);
      if (c == 'M' && text.charAt(start + 1) == '\t') {
        if (head == null) {
          throw new IOException("price table line " + line + ": a model before any provider");
        }
        if (from < 0) {
          from = start;
          firstLine = line;
        }
        continue;
      }
      if (c == '#') {
        continue;
      }
      if (head != null && from >= 0) {
        providers.add(provider(head, modelRule, prefixRule, text, from, start - 1, firstLine));
        head = null;
      }
      String[] f = text.substring(start, end).split("\t", -1);
      try {
        switch (f[0]) {
          case "date" -> date = f[1];
          case "source" -> source = f[1];
          case "P" -> {
            if (head != null) {
              throw new IOException("provider " + head[1] + " has no models");
            }
            head = f;
            modelRule = null;
            prefixRule = null;
            from = -1;
          }
          case "PM" -> modelRule = Rule.parse(f, 2);
          case "PA" -> prefixRule = Rule.parse(f, 2);
          default -> throw new IOException("unknown record " + f[0]);
        }
      } catch (RuntimeException | IOException e) {
        throw new IOException("price table line " + line + ": " + e.getMessage(), e);
      }
    }
    if (head != null && from >= 0) {
      providers.add(provider(head, modelRule, prefixRule, text, from, text.length(), firstLine));
    }
    if (date == null || source == null) {
      throw new IOException("price table: no date or source line");
    }
    return new PriceTable(date, source, providers);
  }

  private static Provider provider(String[] f, Rule modelRule, Rule prefixRule, String text, int from, int to,
      int firstLine) {
    List<String> fallbacks = f[2].equals("-") ? List.of() : List.of(f[2].split(","));
    return new Provider(f[1], f[4], f[3], fallbacks, modelRule, prefixRule, text, from, to, firstLine);
  }

  private static Double rate(String field, Double absent) {
    return field.equals("-") ? absent : Double.valueOf(field);
  }

  private static double rate(String field, double absent) {
    return field.equals("-") ? absent : Double.parseDouble(field);
  }

  private static ModelPrice.LongContext longContext(String key, String field) {
    if (field.equals("-")) {
      return null;
    }
    int colon = field.indexOf(':');
    String[] r = field.substring(colon + 1).split(",", -1);
    ModelPrice rates = new ModelPrice(key + " (long context)", rate(r[0], 0), rate(r[1], 0), rate(r[2], null),
        rate(r[3], null), rate(r[5], null), -1, rate(r[4], null), null);
    return new ModelPrice.LongContext(Long.parseLong(field.substring(0, colon)), rates);
  }

  /** The date of the price snapshot, {@code yyyy-MM-dd}. */
  public String date() {
    return date;
  }

  /** Where the prices come from. */
  public String source() {
    return source;
  }

  /** The providers, in the order {@link #find} tries them last. */
  public List<Provider> providers() {
    return providers;
  }

  /** Every price by its {@code provider/model} key, in table order (parses every model). */
  public Map<String, ModelPrice> prices() {
    Map<String, ModelPrice> all = new LinkedHashMap<>();
    for (Provider p : providers) {
      for (Model m : p.models()) {
        all.putIfAbsent(m.price().key(), m.price());
      }
    }
    return Collections.unmodifiableMap(all);
  }

  /** The price of {@code model}, found as the class comment describes; empty when unknown. */
  public Optional<ModelPrice> find(String model) {
    if (model == null || model.isBlank()) {
      return Optional.empty();
    }
    Optional<ModelPrice> known = found.get(model);
    if (known == null) {
      known = Optional.ofNullable(resolve(model.trim().toLowerCase(Locale.ROOT)));
      if (found.size() < CACHE_LIMIT) { // names come from requests: remember a bounded number of them
        found.put(model, known);
      }
    }
    return known;
  }

  private ModelPrice resolve(String name) {
    int slash = name.lastIndexOf('/');
    String tail = slash >= 0 && slash < name.length() - 1 ? name.substring(slash + 1) : null;
    if (slash > 0) {
      String[] segments = name.split("/");
      for (int i = 0, offset = 0; i < segments.length - 1; offset += segments[i].length() + 1, i++) {
        Provider hinted = named(segments[i]);
        if (hinted != null) {
          ModelPrice p = inProvider(hinted, name.substring(offset + segments[i].length() + 1), true);
          if (p == null && tail != null) {
            p = inProvider(hinted, tail, true);
          }
          if (p != null) {
            return p;
          }
        }
      }
    }
    String last = tail == null ? name : tail;
    if (byId.containsKey(BEDROCK) && BEDROCK_ID.matcher(last).matches()) {
      ModelPrice p = inProvider(byId.get(BEDROCK), last, false);
      if (p != null) {
        return p;
      }
    }
    for (String n : tail == null ? List.of(name) : List.of(name, tail)) {
      for (Provider p : providers) {
        if (p.modelRule() != null && p.modelRule().matches(n)) {
          ModelPrice price = inProvider(p, n, true);
          if (price != null) {
            return price;
          }
        }
      }
    }
    for (String n : tail == null ? List.of(name) : List.of(name, tail)) {
      for (Provider p : preferred) {
        ModelPrice price = inProvider(p, n, false);
        if (price != null) {
          return price;
        }
      }
    }
    return null;
  }

  /** The provider a path segment names ({@code openai}, {@code bedrock}, {@code vertex_ai}), or null. */
  private Provider named(String segment) {
    Provider p = byId.get(segment);
    if (p != null) {
      return p;
    }
    for (Provider candidate : providers) {
      if (candidate.prefixRule() != null && candidate.prefixRule().matches(segment)) {
        return candidate;
      }
    }
    return null;
  }

  private ModelPrice inProvider(Provider provider, String name, boolean withFallbacks) {
    ModelPrice p = firstMatch(provider, name);
    if (p == null) {
      String dashed = COMPACT_DATE.matcher(name).replaceAll("-$1-$2-$3");
      if (!dashed.equals(name)) {
        p = firstMatch(provider, dashed);
      }
    }
    if (p == null && withFallbacks) {
      for (String id : provider.fallbacks()) {
        Provider fallback = byId.get(id);
        if (fallback != null && (p = inProvider(fallback, name, false)) != null) {
          break;
        }
      }
    }
    return p;
  }

  private static ModelPrice firstMatch(Provider provider, String name) {
    for (Model m : provider.models()) {
      if (m.rule().matches(name)) {
        return m.price();
      }
    }
    return null;
  }

  /** A model or provider rule (see the class comment), on lower-cased names. */
  public sealed interface Rule {
    boolean matches(String name);

    /** The alternatives in {@code f[from..]}. */
    static Rule parse(String[] f, int from) {
      List<Rule> any = new ArrayList<>();
      int[] at = {from};
      while (at[0] < f.length) {
        any.add(one(f, at));
      }
      return any.size() == 1 ? any.get(0) : new Any(List.copyOf(any));
    }

    private static Rule one(String[] f, int[] at) {
      String r = f[at[0]++];
      String v = r.substring(1);
      return switch (r.charAt(0)) {
        case '=' -> new Equals(v);
        case '^' -> new StartsWith(v);
        case '$' -> new EndsWith(v);
        case '~' -> new Contains(v);
        case '/' -> new Regex(v);
        case '&' -> {
          List<Rule> all = new ArrayList<>();
          for (int n = Integer.parseInt(v); n > 0; n--) {
            all.add(one(f, at));
          }
          yield new All(List.copyOf(all));
        }
        default -> throw new IllegalArgumentException("unknown rule " + r);
      };
    }
  }

  record Equals(String value) implements Rule {
    public boolean matches(String name) {
      return name.equals(value);
    }
  }

  record StartsWith(String value) implements Rule {
    public boolean matches(String name) {
      return name.startsWith(value);
    }
  }

  record EndsWith(String value) implements Rule {
    public boolean matches(String name) {
      return name.endsWith(value);
    }
  }

  record Contains(String value) implements Rule {
    public boolean matches(String name) {
      return name.contains(value);
    }
  }

  /** Compiled on first use: most regex rules belong to models no lookup reaches. */
  static final class Regex implements Rule {
    private final String source;
    private volatile Pattern pattern;

    Regex(String source) {
      this.source = source;
    }

    public boolean matches(String name) {
      Pattern p = pattern;
      if (p == null) {
        pattern = p = Pattern.compile(source);
      }
      return p.matcher(name).find();
    }
  }

  record Any(List<Rule> rules) implements Rule {
    public boolean matches(String name) {
      for (Rule r : rules) {
        if (r.matches(name)) {
          return true;
        }
      }
      return false;
    }
  }

  record All(List<Rule> rules) implements Rule {
    public boolean matches(String name) {
      for (Rule r : rules) {
        if (!r.matches(name)) {
          return false;
        }
      }
      return true;
    }
  }
}
