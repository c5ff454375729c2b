package dev.tollgate.agent.cli.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.agent.cli.Cli;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.budget.Usage;
import dev.tollgate.policy.event.Line;
import dev.tollgate.policy.event.LlmCallEvent;
import dev.tollgate.policy.event.LogEvent;
import dev.tollgate.policy.event.RunSummary;
import dev.tollgate.policy.event.ToolCallEvent;
import dev.tollgate.policy.replay.Recorded;
import dev.tollgate.policy.replay.Replay;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code simulate --policy NEW.yaml --log OLD.jsonl... [--format text|json]}: replays the tool and LLM calls a log
 * recorded through {@link Replay} (the engine and governor the agent runs, against the candidate policy) and prints
 * what would have changed. Calls refused when recorded count as not made. Exit 0, 1 for an invalid policy or a log
 * line that is not an event (each located), 2 for a usage error. The replay decides; this class reads and prints.
 */
public final class SimulateCommand {
  static final Set<String> FORMATS = Set.of("text", "json");
  static final String USAGE = """
      usage: java -jar tollgate-agent.jar simulate --policy NEW.yaml --log FILE... [--format text|json]
        replays the tool.call and llm.call lines of enforcement logs through NEW.yaml's decisions (in memory:
        no ledger, no Redis) and prints the calls it would refuse and by which rule, the spend saved, the budgets
        and limits it would cross and when, and the calls it cannot decide (argument rules: the log keeps only a
        digest of the arguments). Calls refused when recorded count as not made.
        FILE: an enforcement log, a glob (logs/*.jsonl.gz), gzip-rotated or not, or - for standard input""";

  private SimulateCommand() {}

  public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    LogOptions options;
    String policyFile;
    String format;
    try {
      options = LogOptions.parse(args, Set.of("--policy", "--format"));
      if (options.help) {
        out.println(USAGE);
        return 0;
      }
      policyFile = options.values.get("--policy");
      if (policyFile == null) {
        throw new IllegalArgumentException("--policy needs the candidate policy file");
      }
      format = ReportCommand.oneOf(options.values.getOrDefault("--format", "text"), FORMATS, "--format");
    } catch (IllegalArgumentException e) {
      return LogOptions.usageError("simulate", USAGE, e, err);
    }

    Policy policy = Cli.loadPolicy(policyFile, err);
    if (policy == null) {
      return 1;
    }
    Replay replay = new Replay(policy);
    Read read = new Read();
    int problems = LogLines.events(options.logs, stdin, err, "simulate", (event, line) -> {
      Recorded r = read.recorded(event, line.where());
      if (r != null) {
        replay.replay(r);
      }
    });
    if (problems < 0) {
      return 1;
    }
    Replay.Result result = replay.result();
    try {
      if (format.equals("json")) {
        json(policyFile, read, result, out);
      } else {
        text(policyFile, read, result, out);
      }
    } catch (IOException e) {
      err.println("tollgate simulate: " + ReportCommand.shortMessage(e));
      return 1;
    }
    out.flush();
    return problems == 0 ? 0 : 1;
  }

  /** Turns log events into recorded calls, and counts what it leaves out. */
  static final class Read {
    Instant from;
    Instant to;
    long refusedWhenRecorded;

    Recorded recorded(Map<String, Object> e, String where) throws IOException {
      Line line = new Line(e);
      LogEvent event = LogEvent.read(line);
      if (!(event instanceof ToolCallEvent || event instanceof LlmCallEvent || event instanceof RunSummary)) {
        return null;
      }
      Instant ts = line.ts();
      from = from == null || ts.isBefore(from) ? ts : from;
      to = to == null || ts.isAfter(to) ? ts : to;
      if (event instanceof RunSummary r) {
        return r.run() == null ? null : new Recorded.RunEnded(ts, where, r.run());
      }
      if (event instanceof ToolCallEvent t) {
        if (t.refused()) {
          refusedWhenRecorded++;
          return null;
        }
        if (t.tool() == null) {
          throw new IOException("a tool.call without \"tool\"");
        }
        return new Recorded.ToolCallMade(ts, where, t.tool(), t.framework(), t.run(), t.session(),
            t.args() == null ? null : t.args().hex());
      }
      LlmCallEvent c = (LlmCallEvent) event;
      if (c.refused()) {
        refusedWhenRecorded++;
        return null;
      }
      if (c.result() == null || c.result().costNanos() == null) {
        return null; // an admission line of an old log; its settled line follows
      }
      long prompt = count(line, "input_tokens");
      long cacheRead = count(line, "cached_tokens");
      long cacheWrite = count(line, "cache_write_tokens");
      if (cacheRead + cacheWrite > prompt) {
        throw new IOException("cached_tokens + cache_write_tokens exceed input_tokens");
      }
      Usage usage = new Usage(prompt - cacheRead - cacheWrite, cacheRead, cacheWrite, count(line, "output_tokens"),
          count(line, "reasoning_tokens"));
      return new Recorded.LlmCallMade(ts, where, c.target().provider(), c.target().model(), c.target().run(),
          c.target().session(), usage, c.result().costNanos());
    }

    private static long count(Line line, String field) throws IOException {
      if (!line.has(field)) {
        return 0;
      }
      Object v = line.values().get(field);
      Long n = v instanceof Long l ? l : null;
      if (n == null || n < 0) {
        throw new IOException("\"" + field + "\" must be a whole number >= 0, got " + v);
      }
      return n;
    }
  }

  // ---- formats ---------------------------------------------------------------------------------------------

  private static void text(String policy, Read read, Replay.Result r, PrintStream o) {
    o.printf("Simulation of %s over the log from %s to %s%n", policy, read.from == null ? "-" : read.from,
        read.to == null ? "-" : read.to);
    o.printf("replayed %d tool calls and %d LLM calls (recorded spend %s USD); calls refused when recorded, counted "
        + "as not made: %d%n", r.toolCalls(), r.llmCalls(), ReportCommand.usd(r.recordedNanos()),
        read.refusedWhenRecorded);
    o.printf("the candidate policy would refuse %d of them, saving %s USD (spend under it: %s USD)%n",
        r.refusedCalls(), ReportCommand.usd(r.savedNanos()), ReportCommand.usd(r.replayedNanos()));
    if (r.notEvaluatedCalls() > 0) {
      o.printf("tool calls not evaluated: %d (an argument rule decides them and the log keeps only a digest of the "
          + "arguments)%n", r.notEvaluatedCalls());
    }
    o.println();
    ReportCommand.table(o, "Would be refused, by rule", new String[] {"rule", "tool_calls", "llm_calls", "saved_usd",
        "first", "at", "reason"}, rules(r.refused()));
    List<String[]> rows = new ArrayList<>();
    for (Replay.Crossing c : r.crossings()) {
      rows.add(new String[] {c.kind(), c.name(), c.rule(), c.scope() == null ? "" : c.scope(),
          c.partition() == null ? "" : c.partition(), c.how(), c.ts().toString(), c.where(),
          c.kind().equals("limit") ? "max_calls " + c.maxCalls() : c.limitNanos() < 0 ? ""
              : ReportCommand.usd(c.spentNanos()) + " of " + ReportCommand.usd(c.limitNanos()) + " USD"});
    }
    ReportCommand.table(o, "Budgets and limits crossed (first time per instance)" + (r.crossingsNotListed() > 0
        ? "; " + r.crossingsNotListed() + " more not listed" : ""), new String[] {"kind", "name", "rule", "scope",
        "partition", "how", "when", "at", "spend"}, rows);
    rows = new ArrayList<>();
    for (Map.Entry<String, Long> e : r.notEvaluated().entrySet()) {
      rows.add(new String[] {e.getKey(), Long.toString(e.getValue())});
    }
    ReportCommand.table(o, "Not evaluated (argument rules; neither allowed nor refused, not counted toward limits)",
        new String[] {"rule", "tool_calls"}, rows);
    ReportCommand.table(o, "Let through but flagged (on_exceed: warn, or monitor mode)", new String[] {"rule",
        "tool_calls", "llm_calls", "saved_usd", "first", "at", "reason"}, rules(r.flagged()));
  }

  private static List<String[]> rules(List<Replay.RuleCount> counts) {
    List<String[]> rows = new ArrayList<>();
    for (Replay.RuleCount c : counts) {
      rows.add(new String[] {c.rule(), Long.toString(c.toolCalls()), Long.toString(c.llmCalls()),
          ReportCommand.usd(c.savedNanos()), c.first().toString(), c.firstWhere(), c.reason() == null ? ""
          : c.reason()});
    }
    return rows;
  }

  private static void json(String policy, Read read, Replay.Result r, PrintStream o) throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator((OutputStream) o)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("policy", policy);
      g.writeStringField("from", read.from == null ? null : read.from.toString());
      g.writeStringField("to", read.to == null ? null : read.to.toString());
      g.writeNumberField("tool_calls", r.toolCalls());
      g.writeNumberField("llm_calls", r.llmCalls());
      g.writeNumberField("refused_when_recorded", read.refusedWhenRecorded);
      g.writeNumberField("recorded_usd", ReportCommand.money(r.recordedNanos()));
      g.writeNumberField("refused_calls", r.refusedCalls());
      g.writeNumberField("saved_usd", ReportCommand.money(r.savedNanos()));
      g.writeNumberField("simulated_usd", ReportCommand.money(r.replayedNanos()));
      rules(g, "refused", r.refused());
      rules(g, "flagged", r.flagged());
      g.writeObjectFieldStart("not_evaluated");
      g.writeNumberField("tool_calls", r.notEvaluatedCalls());
      g.writeObjectFieldStart("by_rule");
      for (Map.Entry<String, Long> e : r.notEvaluated().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeStringField("why", "an argument rule decides these calls and the log keeps only a digest of the "
          + "arguments");
      g.writeEndObject();
      g.writeArrayFieldStart("crossings");
      for (Replay.Crossing c : r.crossings()) {
        g.writeStartObject();
        g.writeStringField("kind", c.kind());
        g.writeStringField("name", c.name());
        g.writeStringField("rule", c.rule());
        g.writeStringField("scope", c.scope());
        g.writeStringField("partition", c.partition());
        g.writeStringField("on_exceed", c.onExceed());
        g.writeStringField("how", c.how());
        g.writeStringField("ts", c.ts().toString());
        g.writeStringField("at", c.where());
        if (c.spentNanos() >= 0) {
          g.writeNumberField("spent_usd", ReportCommand.money(c.spentNanos()));
        }
        if (c.limitNanos() >= 0) {
          g.writeNumberField("limit_usd", ReportCommand.money(c.limitNanos()));
        }
        if (c.maxCalls() >= 0) {
          g.writeNumberField("max_calls", c.maxCalls());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("crossings_not_listed", r.crossingsNotListed());
      g.writeEndObject();
    }
    o.println();
  }

  private static void rules(JsonGenerator g, String field, List<Replay.RuleCount> counts) throws IOException {
    g.writeArrayFieldStart(field);
    for (Replay.RuleCount c : counts) {
      g.writeStartObject();
      g.writeStringField("rule", c.rule());
      g.writeStringField("reason", c.reason());
      g.writeNumberField("tool_calls", c.toolCalls());
      g.writeNumberField("llm_calls", c.llmCalls());
      g.writeNumberField("saved_usd", ReportCommand.money(c.savedNanos()));
      g.writeStringField("first_ts", c.first().toString());
      g.writeStringField("first_at", c.firstWhere());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
