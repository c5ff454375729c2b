package dev.tollgate.agent.cli.report;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * What a report counts, fed one event at a time. Money is kept in nano-USD ({@code long}), parsed exactly from the
 * log's decimal {@code cost_usd}, so totals equal the sum of the lines to the nano-dollar. Memory is bounded:
 * groups beyond {@link #MAX_GROUPS} per table fold into {@code (other)}, and only the {@link #TOP} costliest runs
 * are kept.
 */
final class Tally {
  static final int MAX_GROUPS = 10_000;
  static final int TOP = 10;
  static final String OTHER = "(other)";

  /** Calls, tokens and cost of one group (a model, a tool, a day, ...). */
  static final class Group {
    long calls;
    long inputTokens;
    long outputTokens;
    long costNanos;
    long refusals;
  }

  /** The latest state of one budget instance seen in the log. */
  record BudgetLine(String name, String scope, String partition, String period, long spentNanos, long limitNanos) {}

  /** One run, from its {@code run.summary} line. */
  record Run(String run, String session, long llmCalls, long toolCalls, long refusals, long costNanos,
      long durationMillis) {}

  /** A budget's spend over time (the highest level per bucket), for the HTML report's burn chart. */
  static final class Burn {
    final String name;
    final String partition;
    long limitNanos = -1;
    final Timeline spent = new Timeline(1, true);

    Burn(String name, String partition) {
      this.name = name;
      this.partition = partition;
    }
  }

  /** Most budgets (name and partition) whose burn is charted: a chart of more lines is unreadable anyway. */
  static final int BURN_SERIES = 8;

  final Instant since;
  final Instant until;
  final String by;
  Instant from;
  Instant to;
  long events;
  long llmCalls;
  long toolCalls;
  long refusals;
  long totalNanos;
  long inputTokens;
  long outputTokens;
  final Map<String, Group> byModel = new LinkedHashMap<>();
  final Map<String, Group> byTool = new LinkedHashMap<>();
  final Map<String, Long> refusalsByRule = new LinkedHashMap<>();
  final Map<String, Group> grouped = new LinkedHashMap<>();
  final Map<String, BudgetLine> budgets = new LinkedHashMap<>();
  /** Cost (nano-USD), LLM calls and refusals per time bucket; null unless charts are asked for. */
  final Timeline overTime;
  final Map<String, Burn> burn = new LinkedHashMap<>();
  private final PriorityQueue<Run> costliest = new PriorityQueue<>(Comparator.comparingLong(Run::costNanos));

  Tally(Instant since, Instant until, String by) {
    this(since, until, by, false);
  }

  /** @param charts also keep the time series the HTML report draws */
  Tally(Instant since, Instant until, String by, boolean charts) {
    this.since = since;
    this.until = until;
    this.by = by;
    this.overTime = charts ? new Timeline(3, false) : null;
  }

  /** Counts one event; false when its time is outside {@code --since}/{@code --until}. */
  boolean add(Map<String, Object> e) {
    Instant ts = Instant.parse(String.valueOf(e.get("ts")));
    if (since != null && ts.isBefore(since) || until != null && !ts.isBefore(until)) {
      return false;
    }
    events++;
    from = from == null || ts.isBefore(from) ? ts : from;
    to = to == null || ts.isAfter(to) ? ts : to;
    String event = String.valueOf(e.get("event"));
    switch (event) {
      case "llm.call" -> llmCall(e, ts);
      case "tool.call" -> toolCall(e, ts);
      case "run.summary" -> runSummary(e, ts);
      default -> { }
    }
    return true;
  }

  private void llmCall(Map<String, Object> e, Instant ts) {
    boolean refused = refusal(e);
    String model = text(e, "model", "(unknown)");
    if (refused) {
      refused(e, ts);
      group(byModel, model).refusals++;
      group(grouped, key(e, ts, model, null)).refusals++;
      return;
    }
    if (!e.containsKey("cost_usd")) {
      return; // not settled (an old log's admission line)
    }
    llmCalls++;
    long cost = nanos(e.get("cost_usd"));
    long in = number(e.get("input_tokens"));
    long out = number(e.get("output_tokens"));
    totalNanos += cost;
    inputTokens += in;
    outputTokens += out;
    count(group(byModel, model), cost, in, out);
    count(group(grouped, key(e, ts, model, null)), cost, in, out);
    if (overTime != null) {
      overTime.add(ts, cost, 1, 0);
    }
    Object list = e.get("budgets");
    for (Object item : list instanceof List<?> l ? l : List.of()) {
      if (!(item instanceof Map<?, ?> b)) {
        continue;
      }
      String partition = b.get("partition") == null ? null : String.valueOf(b.get("partition"));
      String period = b.get("period") == null ? null : String.valueOf(b.get("period"));
      String name = String.valueOf(b.get("budget"));
      String id = name + '\u0000' + partition + '\u0000' + period;
      if (budgets.size() < MAX_GROUPS || budgets.containsKey(id)) {
        budgets.put(id, new BudgetLine(name, String.valueOf(b.get("scope")), partition, period,
            nanos(b.get("spent_usd")), b.get("limit_usd") != null ? nanos(b.get("limit_usd")) : -1));
      }
      if (overTime != null) {
        burn(name, partition, ts, nanos(b.get("spent_usd")), b.get("limit_usd"));
      }
      if (by.equals("budget") || by.equals("partition")) {
        String k = by.equals("budget") ? name : name + (partition == null ? "" : " / " + partition);
        count(group(grouped, k), cost, in, out);
      }
    }
  }

  private void toolCall(Map<String, Object> e, Instant ts) {
    toolCalls++;
    String tool = text(e, "tool", "");
    Group g = group(byTool, tool);
    g.calls++;
    Group k = by.equals("tool") ? group(grouped, tool) : null;
    if (k != null) {
      k.calls++;
    }
    if (refusal(e)) {
      refused(e, ts);
      g.refusals++;
      if (k != null) {
        k.refusals++;
      }
    }
  }

  private void runSummary(Map<String, Object> e, Instant ts) {
    Run run = new Run(text(e, "run", ""), text(e, "session", null), number(e.get("llm_calls")),
        number(e.get("tool_calls")), number(e.get("refusals")), nanos(e.get("cost_usd")),
        number(e.get("duration_ms")));
    costliest.add(run);
    if (costliest.size() > TOP) {
      costliest.poll();
    }
  }

  private void burn(String name, String partition, Instant ts, long spent, Object limit) {
    String id = name + '\u0000' + partition;
    Burn series = burn.get(id);
    if (series == null) {
      if (burn.size() >= BURN_SERIES) {
        return;
      }
      series = new Burn(name, partition);
      burn.put(id, series);
    }
    if (limit != null) {
      series.limitNanos = nanos(limit);
    }
    series.spent.add(ts, spent);
  }

  private void refused(Map<String, Object> e, Instant ts) {
    if (overTime != null) {
      overTime.add(ts, 0, 0, 1);
    }
    refusals++;
    refusalsByRule.merge(text(e, "rule", "(none)"), 1L, Long::sum);
  }

  /** The group an LLM call counts in for {@code --by}. */
  private String key(Map<String, Object> e, Instant ts, String model, String fallback) {
    return switch (by) {
      case "model" -> model;
      case "run" -> text(e, "run", "(no run)");
      case "session" -> text(e, "session", "(no session)");
      case "day" -> ts.toString().substring(0, 10);
      case "hour" -> ts.toString().substring(0, 13) + ":00Z";
      default -> fallback == null ? "(all)" : fallback;
    };
  }

  private static void count(Group g, long cost, long in, long out) {
    g.calls++;
    g.costNanos += cost;
    g.inputTokens += in;
    g.outputTokens += out;
  }

  private static Group group(Map<String, Group> groups, String key) {
    Group g = groups.get(key);
    if (g != null) {
      return g;
    }
    if (groups.size() >= MAX_GROUPS) {
      return groups.computeIfAbsent(OTHER, k -> new Group());
    }
    g = new Group();
    groups.put(key, g);
    return g;
  }

  private static boolean refusal(Map<String, Object> e) {
    return Boolean.TRUE.equals(e.get("enforced")) && "deny".equals(e.get("decision"));
  }

  private static String text(Map<String, Object> e, String field, String missing) {
    Object v = e.get(field);
    return v == null ? missing : String.valueOf(v);
  }

  private static long number(Object v) {
    return v instanceof Number n ? n.longValue() : 0;
  }

  /** A decimal USD amount as exact nano-USD (the log writes at most nine decimals). */
  static long nanos(Object usd) {
    if (usd == null) {
      return 0;
    }
    BigDecimal value = usd instanceof BigDecimal d ? d : usd instanceof Long l ? BigDecimal.valueOf(l)
        : new BigDecimal(String.valueOf(usd));
    return value.movePointRight(9).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
  }

  /** The costliest runs, costliest first. */
  List<Run> costliestRuns() {
    List<Run> runs = new ArrayList<>(costliest);
    runs.sort(Comparator.comparingLong(Run::costNanos).reversed());
    return runs;
  }

  /** Groups sorted by cost, then calls, descending. */
  static List<Map.Entry<String, Group>> sorted(Map<String, Group> groups) {
    List<Map.Entry<String, Group>> list = new ArrayList<>(groups.entrySet());
    list.sort(Comparator.<Map.Entry<String, Group>>comparingLong(en -> en.getValue().costNanos)
        .thenComparingLong(en -> en.getValue().calls).reversed());
    return list;
  }

  /** Sums per key, for tests. */
  Map<String, Long> costByModel() {
    Map<String, Long> out = new HashMap<>();
    byModel.forEach((k, v) -> out.put(k, v.costNanos));
    return out;
  }
}
