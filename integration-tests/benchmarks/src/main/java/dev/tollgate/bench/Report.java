package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads what run.sh left in its output folder (JMH's JSON files, the probes' {@code key=value} files, the start-up
 * timings) and prints one table: benchmark, result, target, met. Also writes it as {@code results.md}.
 * <pre>Report OUTPUT_DIR</pre>
 */
public final class Report {
  private final Path dir;
  private final JsonNode jmh;
  private final List<String[]> rows = new ArrayList<>();

  private Report(Path dir) throws IOException {
    this.dir = dir;
    com.fasterxml.jackson.databind.node.ArrayNode runs = new ObjectMapper().createArrayNode();
    for (String name : List.of("jmh-tool.json", "jmh-llm.json")) {
      Path json = dir.resolve(name);
      if (Files.exists(json) && Files.size(json) > 0) {
        new ObjectMapper().readTree(json.toFile()).forEach(runs::add);
      }
    }
    this.jmh = runs;
  }

  public static void main(String[] args) throws IOException {
    Report report = new Report(Path.of(args[0]));
    if (args.length > 1 && args[1].equals("--startup-only")) {
      report.startupRows();
    } else {
      report.build();
    }
    report.print();
  }

  private void build() throws IOException {
    String realistic = "bench-policy.yaml";
    String globs = "bench-policy-globs.yaml";
    for (String policy : List.of(realistic, globs)) {
      Double guarded = jmh("ToolGuardBenchmark.guarded", "sample", policy, "50.0");
      Double bare = jmh("ToolGuardBenchmark.bare", "sample", policy, "50.0");
      String which = policy.equals(realistic) ? "realistic policy" : "deny globs only";
      row("tool call: guard added, median (" + which + ")", diff(guarded, bare, "ns"), "≤ 100 ns",
          guarded == null || bare == null ? null : guarded - bare <= 100);
      Double guardedAvg = jmh("ToolGuardBenchmark.guarded", "avgt", policy, null);
      Double bareAvg = jmh("ToolGuardBenchmark.bare", "avgt", policy, null);
      Double decide = jmh("ToolGuardBenchmark.decideOnly", "avgt", policy, null);
      row("  mean added (" + which + "); engine decision alone", diff(guardedAvg, bareAvg, "ns") + "; "
          + fmt(decide, "ns"), "", null);
      Double inRun = jmh("ToolGuardBenchmark.guardedInRun", "sample", policy, "50.0");
      row("  median added in a run of its own (run begun and ended per call; " + which + ")",
          diff(inRun, bare, "ns"), "", null);
    }
    Double t1 = jmh("DecisionThroughputBenchmark.guarded1", "thrpt", null, null);
    Double t8 = jmh("DecisionThroughputBenchmark.guarded8", "thrpt", null, null);
    Double d1 = jmh("DecisionThroughputBenchmark.decide1", "thrpt", null, null);
    Double d8 = jmh("DecisionThroughputBenchmark.decide8", "thrpt", null, null);
    row("decisions/s, whole guarded call, 1 thread", mops(t1), "", null);
    row("decisions/s, whole guarded call, 8 threads", mops(t8), "≥ 5 M/s", t8 == null ? null : t8 >= 5e6);
    row("  engine decision alone, 1 / 8 threads", mops(d1) + " / " + mops(d8), "", null);

    Double governed = jmh("LlmCallBenchmark.Governed.call", "sample", null, "50.0");
    Double bare = jmh("LlmCallBenchmark.Bare.call", "sample", null, "50.0");
    row("LLM call (JDK HttpClient, non-streaming): added, median", diff(governed, bare, "µs") + " (" + fmt(bare, "µs")
        + " → " + fmt(governed, "µs") + ")", "≤ 20 µs", governed == null || bare == null ? null : governed - bare <= 20);
    Double governedAvg = jmh("LlmCallBenchmark.Governed.call", "avgt", null, null);
    Double bareAvg = jmh("LlmCallBenchmark.Bare.call", "avgt", null, null);
    row("  mean added", diff(governedAvg, bareAvg, "µs"), "", null);
    Double redis = jmh("LlmCallBenchmark.GovernedRedis.call", "sample", null, "50.0");
    Double rtt = jmh("RedisRoundTripBenchmark.ping", "sample", null, "50.0");
    row("LLM call with ledger.store redis (loopback): added, median; one Redis round trip", diff(redis, bare, "µs")
        + "; " + fmt(rtt, "µs"), "≤ round trip + 50 µs",
        redis == null || bare == null || rtt == null ? null : redis - bare <= rtt + 50);

    List<Double> ttfbBare = probeValues("ttfb-bare-", "ttfb_median_us");
    List<Double> ttfbGoverned = probeValues("ttfb-governed-", "ttfb_median_us");
    Double ttfbRatio = ttfbBare.isEmpty() || ttfbGoverned.isEmpty() ? null
        : median(ttfbGoverned) / median(ttfbBare);
    row("streaming time to first byte, with / without agent", ttfbRatio == null ? "n/a" : String.format(Locale.ROOT,
        "%.3f (%s → %s, medians of %d runs)", ttfbRatio, fmt(median(ttfbBare), "µs"), fmt(median(ttfbGoverned), "µs"),
        ttfbBare.size()), "≤ 1.02", ttfbRatio == null ? null : ttfbRatio <= 1.02);

    Map<String, String> streamBare = probe("stream-bare.txt");
    Map<String, String> streamGoverned = probe("stream-governed.txt");
    boolean streamed = streamGoverned.containsKey("heap_max_used_kb") && "true".equals(streamGoverned.get("governed"));
    row("100 MB stream through the agent: max heap used (without agent)", streamed
        ? mb(streamGoverned.get("heap_max_used_kb")) + " (" + mb(streamBare.get("heap_max_used_kb")) + "), -Xmx"
        + mb(streamGoverned.get("heap_max_xmx_kb")) + ", " + streamGoverned.get("stream_ms") + " ms"
        : "did not complete", "flat: passes in -Xmx64m", streamed);

    Map<String, String> heapBare = probe("heap-bare.txt");
    Map<String, String> heapGoverned = probe("heap-governed.txt");
    row("heap retained after 10 000 tool + 10 000 LLM calls, after GC (without agent)",
        kb(heapGoverned.get("heap_added_kb")) + " (" + kb(heapBare.get("heap_added_kb")) + ")", "bounded (reported)",
        null);

    startupRows();
  }

  /** The start-up rows: wall time of each app's process, and what the agent's own agent.ready lines said. */
  private void startupRows() throws IOException {
    for (String app : List.of("langchain4j", "spring-ai", "spring-boot", "quarkus")) {
      Map<String, java.util.TreeMap<Integer, Double>> byRound = startupByRound(app);
      Map<String, List<Double>> startup = startup(byRound);
      if (startup.isEmpty()) {
        continue;
      }
      Double none = medianOrNull(startup.get("none"));
      Double tollgate = medianOrNull(startup.get("tollgate"));
      Double otel = medianOrNull(startup.get("otel"));
      Double both = medianOrNull(startup.get("both"));
      Double added = none == null || tollgate == null ? null : tollgate - none;
      Double otelAdded = none == null || otel == null ? null : otel - none;
      Double paired = pairedMedian(byRound, "tollgate");
      row("start-up added, " + app + " app (median of " + count(startup.get("none")) + ")",
          diff(tollgate, none, "ms") + " (" + fmt(none, "ms") + " → " + fmt(tollgate, "ms") + "); paired by round "
              + diff(paired, 0.0, "ms"), "≤ 150 ms", added == null ? null : added <= 150);
      row("  OpenTelemetry javaagent added (Tollgate/OTel); both agents added", fmt(otelAdded, "ms")
          + " (Tollgate/OTel = "
          + (added == null || otelAdded == null ? "n/a" : String.format(Locale.ROOT, "%.2f", added / otelAdded))
          + "); " + diff(both, none, "ms"), "Tollgate ≤ 1/10 of OTel",
          added == null || otelAdded == null ? null : added <= otelAdded / 10);
      java.util.TreeMap<Integer, Double> tollgateRounds = byRound.get("tollgate");
      Double first = tollgateRounds == null ? null : tollgateRounds.get(0); // round 0: the first start
      if (first != null && none != null) {
        // round 0 is the app's first start with this agent build: its weave cache is cold (run.sh gives each app its
        // own); the medians above are of the later, warm starts
        row("  first start (round 0, cold weave cache: ByteBuddy set up, outcomes stored) added", diff(first, none,
            "ms") + " (" + fmt(first, "ms") + "); later starts: weave_cache " + ready(app), "", null);
      }
      Double before = medianOrNull(startup.get("before"));
      if (before != null) {
        row("  before (BEFORE_AGENT) added; its agent.ready guard_ms, weave_setup_ms, app_blocked_ms",
            diff(before, none, "ms") + " (" + fmt(before, "ms") + "); " + ready(app, "guard_ms", "before") + ", "
                + ready(app, "weave_setup_ms", "before") + ", " + ready(app, "app_blocked_ms", "before"), "", null);
      }
      row("  agent.ready medians (Tollgate alone): guard_ms, weave_setup_ms, app_blocked_ms, blocked loads",
          ready(app, "guard_ms") + ", " + ready(app, "weave_setup_ms") + ", " + ready(app, "app_blocked_ms") + ", "
              + ready(app, "blocked_class_loads"), "", null);
      row("  runs (ms) none | tollgate | otel | both" + (before == null ? "" : " | before"),
          runs(startup.get("none")) + " | " + runs(startup.get("tollgate")) + " | " + runs(startup.get("otel")) + " | "
              + runs(startup.get("both")) + (before == null ? "" : " | " + runs(startup.get("before"))), "", null);
    }
  }

  /**
   * How the Tollgate-alone runs of an app after the first (round 0) found their weave cache, and when their guard's
   * set-up began: e.g. "{warm=6}; guard_start {never=6}".
   */
  private String ready(String app) throws IOException {
    Map<String, Integer> caches = new java.util.TreeMap<>();
    Map<String, Integer> starts = new java.util.TreeMap<>();
    for (JsonNode ready : readyLines(app, "tollgate")) {
      caches.merge(ready.path("weave_cache").asText("n/a"), 1, Integer::sum);
      starts.merge(ready.path("guard_start").asText("n/a"), 1, Integer::sum);
    }
    return (caches.isEmpty() ? "n/a" : caches.toString()) + "; guard_start "
        + (starts.isEmpty() ? "n/a" : starts.toString());
  }

  /** The median of one agent.ready field over the Tollgate-alone runs of an app after its first. */
  private String ready(String app, String field) throws IOException {
    return ready(app, field, "tollgate");
  }

  private String ready(String app, String field, String variant) throws IOException {
    List<Double> values = new ArrayList<>();
    for (JsonNode ready : readyLines(app, variant)) {
      JsonNode v = ready.path(field);
      if (v.isNumber()) {
        values.add(v.asDouble());
      }
    }
    return values.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.0f", median(values));
  }

  /** Parsed once per app and variant ({@link #readyLines}). */
  private final Map<String, List<JsonNode>> readyLines = new HashMap<>();

  /**
   * The agent.ready lines of an app's runs of one variant after its first (their logs: startup-APP-VARIANT-N.jsonl, N
   * from 1; round 0 is the first start), parsed.
   */
  private List<JsonNode> readyLines(String app, String variant) throws IOException {
    String prefix = "startup-" + app + "-" + variant + "-";
    List<JsonNode> lines = readyLines.get(prefix);
    if (lines == null) {
      lines = new ArrayList<>();
      try (var files = Files.list(dir)) {
        for (Path p : files.filter(f -> f.getFileName().toString().startsWith(prefix)
            && !f.getFileName().toString().equals(prefix + "0.jsonl")).toList()) {
          for (String line : Files.readAllLines(p)) {
            if (line.contains("\"agent.ready\"")) {
              lines.add(new ObjectMapper().readTree(line));
            }
          }
        }
      }
      readyLines.put(prefix, lines);
    }
    return lines;
  }

  private static String runs(List<Double> values) {
    if (values == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    for (Double v : values) {
      b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", v));
    }
    return b.toString();
  }

  private Double jmh(String benchmark, String mode, String policy, String percentile) {
    if (jmh == null) {
      return null;
    }
    for (JsonNode run : jmh) {
      if (!run.path("benchmark").asText().endsWith("." + benchmark) || !run.path("mode").asText().equals(mode)) {
        continue;
      }
      if (policy != null && !policy.equals(run.path("params").path("policy").asText())) {
        continue;
      }
      JsonNode metric = run.path("primaryMetric");
      return percentile == null ? metric.path("score").asDouble() : metric.path("scorePercentiles").path(percentile)
          .asDouble();
    }
    return null;
  }

  private Map<String, String> probe(String file) throws IOException {
    Map<String, String> values = new HashMap<>();
    Path path = dir.resolve(file);
    if (Files.exists(path)) {
      for (String line : Files.readAllLines(path)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          values.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    return values;
  }

  private List<Double> probeValues(String prefix, String key) throws IOException {
    List<Double> values = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList()) {
        String v = probe(p.getFileName().toString()).get(key);
        if (v != null) {
          values.add(Double.parseDouble(v));
        }
      }
    }
    return values;
  }

  /**
   * Each variant's runs from round 1 up, in round order (round 0, each variant's first start, is left out: for
   * Tollgate it is the start that filled the weave cache, reported on its own).
   */
  private static Map<String, List<Double>> startup(Map<String, java.util.TreeMap<Integer, Double>> byRound) {
    Map<String, List<Double>> byVariant = new HashMap<>();
    for (Map.Entry<String, java.util.TreeMap<Integer, Double>> v : byRound.entrySet()) {
      List<Double> later = new ArrayList<>(v.getValue().tailMap(1).values());
      if (!later.isEmpty()) {
        byVariant.put(v.getKey(), later);
      }
    }
    return byVariant;
  }

  /**
   * The median over rounds 1.. of {@code variant}'s time minus {@code none}'s in the same round: the rounds run the
   * variants back to back, so a machine that slows down or speeds up over the minutes a run takes moves both.
   */
  private static Double pairedMedian(Map<String, java.util.TreeMap<Integer, Double>> byRound, String variant) {
    java.util.TreeMap<Integer, Double> none = byRound.get("none");
    java.util.TreeMap<Integer, Double> other = byRound.get(variant);
    if (none == null || other == null) {
      return null;
    }
    List<Double> differences = new ArrayList<>();
    for (Map.Entry<Integer, Double> r : other.tailMap(1).entrySet()) {
      Double base = none.get(r.getKey());
      if (base != null) {
        differences.add(r.getValue() - base);
      }
    }
    return medianOrNull(differences);
  }

  /** startup.tsv (app, variant, round, milliseconds): one app's runs by variant, then round. */
  private Map<String, java.util.TreeMap<Integer, Double>> startupByRound(String app) throws IOException {
    Map<String, java.util.TreeMap<Integer, Double>> byVariant = new HashMap<>();
    Path path = dir.resolve("startup.tsv");
    if (Files.exists(path)) {
      for (String line : Files.readAllLines(path)) {
        String[] f = line.split("\t");
        if (f.length == 4 && f[0].equals(app)) {
          byVariant.computeIfAbsent(f[1], k -> new java.util.TreeMap<>())
              .put(Integer.parseInt(f[2]), Double.parseDouble(f[3]));
        }
      }
    }
    return byVariant;
  }

  private static int count(List<Double> values) {
    return values == null ? 0 : values.size();
  }

  private static Double medianOrNull(List<Double> values) {
    return values == null || values.isEmpty() ? null : median(values);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String diff(Double a, Double b, String unit) {
    return a == null || b == null ? "n/a" : (a - b >= 0 ? "+" : "") + fmt(a - b, unit);
  }

  private static String fmt(Double v, String unit) {
    if (v == null) {
      return "n/a";
    }
    String number = Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.1f", v);
    return number.replace(',', ' ') + " " + unit;
  }

  private static String mops(Double opsPerSecond) {
    return opsPerSecond == null ? "n/a" : String.format(Locale.ROOT, "%.2f M/s", opsPerSecond / 1e6);
  }

  private static String mb(String kb) {
    return kb == null ? "n/a" : String.format(Locale.ROOT, "%.1f MB", Long.parseLong(kb) / 1024.0);
  }

  private static String kb(String kb) {
    return kb == null ? "n/a" : kb + " KB";
  }

  private void row(String name, String result, String target, Boolean met) {
    rows.add(new String[] {name, result, target, met == null ? (target.isEmpty() ? "" : "—") : met ? "yes" : "NO"});
  }

  private void print() throws IOException {
    int[] width = new int[4];
    String[] header = {"benchmark", "result", "target", "met?"};
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (String[] r : all) {
      for (int i = 0; i < 4; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    StringBuilder md = new StringBuilder();
    for (String[] r : all) {
      text.append(String.format(Locale.ROOT, "%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %s%n",
          r[0], r[1], r[2], r[3]));
      md.append("| ").append(String.join(" | ", r)).append(" |\n");
      if (r == header) {
        md.append("|---|---|---|---|\n");
      }
    }
    System.out.print(text);
    Files.writeString(dir.resolve("results.md"), md);
  }
}
