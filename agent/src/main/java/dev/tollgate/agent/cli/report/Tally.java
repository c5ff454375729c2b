package dev.tollgate.agent.cli.report;

import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.event.Line;
import dev.tollgate.policy.event.LlmCallEvent;
import dev.tollgate.policy.event.LlmUnmetered;
import dev.tollgate.policy.event.LogEvent;
import dev.tollgate.policy.event.RunSummary;
import dev.tollgate.policy.event.ToolCallEvent;
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
  /** LLM calls whose response could not be read ({@code llm.unmetered}), and what they were charged. */
  long unmetered;
  long unmeteredNanos;
  final Map<String, Group> byModel = new LinkedHashMap<>();
  final Map<String, Group> byTool = new LinkedHashMap<>();
  final Map<String, Long> refusalsByRule = new LinkedHashMap<>();
  final Map<String, Group> grouped = new LinkedHashMap<>();
  final Map<String, BudgetLine> budgets = new LinkedHashMap<>();
  /** Cost (nano-USD), LLM calls and refusals per time bucket; null unless charts are asked for. */
  final Timeline overTime;
  final Map<String, Burn> burn = new LinkedHashMap<>();
  private final PriorityQueue<Run> costliest = new PriorityQueue<>(Comparator.comparingLong(Run::costNanos));
  private final List<Audit> audit = new ArrayList<>();
  private final java.util.Set<String> auditIds = new java.util.HashSet<>();

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
    Line line = new Line(e);
    Instant ts = line.ts();
    if (since != null && ts.isBefore(since) || until != null && !ts.isBefore(until)) {
      return false;
    }
    events++;
    from = from == null || ts.isBefore(from) ? ts : from;
    to = to == null || ts.isAfter(to) ? ts : to;
    LogEvent event = LogEvent.read(line);
    if (event instanceof LlmCallEvent c) {
      llmCall(c, ts);
    } else if (event instanceof ToolCallEvent c) {
      toolCall(c, ts);
    } else if (event instanceof RunSummary r) {
      runSummary(r);
    } else if (event instanceof AuditEvent a && a.operatorAction()) {
      audit(a, ts);
    } else if (event instanceof LlmUnmetered u) {
      unmetered++;
      unmeteredNanos += u.costNanos(); // counted in the totals already, by its llm.call line
    }
    return true;
  }

  private void llmCall(LlmCallEvent e, Instant ts) {
    LlmCallEvent.Target target = e.target();
    String model = target.model() == null ? "(unknown)" : target.model();
    if (e.refused()) {
      refused(e.rule(), ts);
      group(byModel, model).refusals++;
      group(grouped, key(target.run(), target.session(), ts, model, null)).refusals++;
      return;
    }
    if (e.result() == null || e.result().costNanos() == null) {
      return; // not settled (an old log's admission line)
    }
    llmCalls++;
    long cost = e.result().costNanos();
    long in = orZero(e.result().inputTokens());
    long out = orZero(e.result().outputTokens());
    totalNanos += cost;
    inputTokens += in;
    outputTokens += out;
    count(group(byModel, model), cost, in, out);
    count(group(grouped, key(target.run(), target.session(), ts, model, null)), cost, in, out);
    if (overTime != null) {
      overTime.add(ts, cost, 1, 0);
    }
    for (LlmCallEvent.BudgetLine b : e.budgets() == null ? List.<LlmCallEvent.BudgetLine>of() : e.budgets()) {
      String id = b.budget() + '\u0000' + b.partition() + '\u0000' + b.period();
      if (budgets.size() < MAX_GROUPS || budgets.containsKey(id)) {
        budgets.put(id, new BudgetLine(b.budget(), b.scope(), b.partition(), b.period(), b.spentNanos(),
            b.limitNanos() == null ? -1 : b.limitNanos()));
      }
      if (overTime != null) {
        burn(b.budget(), b.partition(), ts, b.spentNanos(), b.limitNanos());
      }
      if (by.equals("budget") || by.equals("partition")) {
        String k = by.equals("budget") ? b.budget() : b.budget() + (b.partition() == null ? "" : " / " + b.partition());
        count(group(grouped, k), cost, in, out);
      }
    }
  }

  private void toolCall(ToolCallEvent e, Instant ts) {
    toolCalls++;
    String tool = e.tool() == null ? "" : e.tool();
    Group g = group(byTool, tool);
    g.calls++;
    Group k = by.equals("tool") ? group(grouped, tool) : null;
    if (k != null) {
      k.calls++;
    }
    if (e.refused()) {
      refused(e.rule(), ts);
      g.refusals++;
      if (k != null) {
        k.refusals++;
      }
    }
  }

  private void runSummary(RunSummary r) {
    costliest.add(new Run(r.run() == null ? "" : r.run(), r.session(), r.llmCalls(), r.toolCalls(), r.refusals(),
        r.costNanos(), r.durationMs()));
    if (costliest.size() > TOP) {
      costliest.poll();
    }
  }

  /** An operator's action, once per record id (every JVM of a fleet logs the records it applies). */
  private void audit(AuditEvent a, Instant ts) {
    if (a.id() != null && !auditIds.add(a.id() + '\u0000' + a.action())) {
      return;
    }
    if (audit.size() < MAX_GROUPS) {
      audit.add(new Audit(a.at() != null ? a.at() : ts, a));
    }
  }

  /** One line of the audit trail: when the operator acted, and the record. */
  record Audit(Instant ts, AuditEvent record) {}

  /** The audit trail in the order the actions were made. */
  List<Audit> auditTrail() {
    List<Audit> sorted = new ArrayList<>(audit);
    sorted.sort(Comparator.comparing(Audit::ts));
    return sorted;
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  private void burn(String name, String partition, Instant ts, long spent, Long limit) {
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
      series.limitNanos = limit;
    }
    series.spent.add(ts, spent);
  }

  private void refused(String rule, Instant ts) {
    if (overTime != null) {
      overTime.add(ts, 0, 0, 1);
    }
    refusals++;
    refusalsByRule.merge(rule == null ? "(none)" : rule, 1L, Long::sum);
  }

  /** The group an LLM call counts in for {@code --by}. */
  private String key(String run, String session, Instant ts, String model, String fallback) {
    return switch (by) {
      case "model" -> model;
      case "run" -> run == null ? "(no run)" : run;
      case "session" -> session == null ? "(no session)" : session;
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
