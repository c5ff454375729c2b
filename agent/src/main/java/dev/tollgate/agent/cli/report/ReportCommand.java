package dev.tollgate.agent.cli.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.agent.cli.TerminalText;
import dev.tollgate.policy.event.AuditEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code report --log FILE... [--since T] [--until T] [--by KEY] [--format text|json|csv|html] [--out FILE]}: spend,
 * tokens, refusals, budgets and the costliest runs from enforcement logs. Exit 0, 1 when a log could not be read or
 * has a line that is not an event (each named {@code FILE:LINE}; a torn last line, which a crash can leave, is only
 * warned about), 2 for a usage error.
 */
public final class ReportCommand {
  static final Set<String> BY = Set.of("model", "budget", "tool", "run", "session", "day", "hour", "partition");
  static final Set<String> FORMATS = Set.of("text", "json", "csv", "html");

  private ReportCommand() {}

  public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    LogOptions options;
    Instant since;
    Instant until;
    String by;
    String format;
    Path outFile;
    try {
      options = LogOptions.parse(args, Set.of("--since", "--until", "--by", "--format", "--out"));
      if (options.help) {
        out.println(USAGE);
        return 0;
      }
      Map<String, String> v = options.values;
      since = v.containsKey("--since") ? time(v.get("--since")) : null;
      until = v.containsKey("--until") ? time(v.get("--until")) : null;
      by = oneOf(v.getOrDefault("--by", "model"), BY, "--by");
      format = oneOf(v.getOrDefault("--format", "text"), FORMATS, "--format");
      outFile = v.containsKey("--out") ? Path.of(v.get("--out")) : null;
    } catch (IllegalArgumentException e) {
      return LogOptions.usageError("report", USAGE, e, err);
    }

    Tally tally = new Tally(since, until, by, format.equals("html"));
    int problems = LogLines.events(options.logs, stdin, err, "report", (event, line) -> tally.add(event));
    if (problems < 0) {
      return 1;
    }

    try (OutputStream target = outFile == null ? null : Files.newOutputStream(outFile)) {
      PrintStream o = target == null ? out : new PrintStream(target, false, StandardCharsets.UTF_8);
      switch (format) {
        case "json" -> json(tally, o);
        case "csv" -> csv(tally, o);
        case "html" -> HtmlReport.write(tally, o);
        default -> text(tally, o);
      }
      o.flush();
    } catch (IOException e) {
      err.println("tollgate report: cannot write " + outFile + ": " + shortMessage(e));
      return 1;
    }
    return problems == 0 ? 0 : 1;
  }

  static final String USAGE = """
      usage: java -jar tollgate-agent.jar report --log FILE... [--since T] [--until T]
                 [--by model|budget|tool|run|session|day|hour|partition] [--format text|json|csv|html] [--out FILE]
        FILE: an enforcement log, a glob (logs/*.jsonl.gz), gzip-rotated or not, or - for standard input
        T: an instant (2026-12-04T10:00:00Z) or a date (2026-12-04, midnight UTC); --until is exclusive
        html: one self-contained page (charts of spend over time, spend by model, budget burn and refusals over
          time, and the text format's tables); it fetches nothing and runs only its own scripts""";

  // ---- formats ---------------------------------------------------------------------------------------------

  private static void text(Tally t, PrintStream o) {
    o.printf("Tollgate report: %s to %s, %d events%n", t.from == null ? "-" : t.from, t.to == null ? "-" : t.to,
        t.events);
    o.printf("total %s USD over %d LLM calls (%d input, %d output tokens); %d tool calls; %d refusals%n",
        usd(t.totalNanos), t.llmCalls, t.inputTokens, t.outputTokens, t.toolCalls, t.refusals);
    if (t.unmetered > 0) {
      o.printf(t.unmetered == 1
          ? "%d LLM call's response could not be read: charged the worst case its hold reserved (%s USD; see "
              + "llm.unmetered)%n"
          : "%d LLM calls' responses could not be read: charged the worst case their holds reserved (%s USD; see "
              + "llm.unmetered)%n", t.unmetered, usd(t.unmeteredNanos));
    }
    o.println();
    for (Table table : tables(t)) {
      table(o, table.title(), table.head(), table.rows());
    }
  }

  /** One table of the report: the text and the HTML formats show the same ones. */
  record Table(String title, String[] head, List<String[]> rows) {}

  static List<Table> tables(Tally t) {
    List<Table> tables = new ArrayList<>();
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, Tally.Group> e : Tally.sorted(t.grouped)) {
      Tally.Group g = e.getValue();
      rows.add(new String[] {e.getKey(), Long.toString(g.calls), Long.toString(g.inputTokens),
          Long.toString(g.outputTokens), usd(g.costNanos), Long.toString(g.refusals)});
    }
    tables.add(new Table("Spend by " + t.by, new String[] {t.by, "calls", "input", "output", "cost_usd", "refused"},
        rows));
    rows = new ArrayList<>();
    for (Tally.BudgetLine b : t.budgets.values()) {
      String pct = b.limitNanos() > 0 ? String.format(Locale.ROOT, "%.1f%%", 100.0 * b.spentNanos() / b.limitNanos())
          : "-";
      rows.add(new String[] {b.name(), b.scope(), b.partition() == null ? "" : b.partition(),
          b.period() == null ? "" : b.period(), usd(b.spentNanos()), b.limitNanos() < 0 ? "-" : usd(b.limitNanos()),
          pct, bar(b.spentNanos(), b.limitNanos())});
    }
    tables.add(new Table("Budgets (latest state in the log)", new String[] {"budget", "scope", "partition", "period",
        "spent_usd", "limit_usd", "%", ""}, rows));
    rows = new ArrayList<>();
    for (Map.Entry<String, Long> e : t.refusalsByRule.entrySet()) {
      rows.add(new String[] {e.getKey(), Long.toString(e.getValue())});
    }
    tables.add(new Table("Refusals by rule", new String[] {"rule", "refusals"}, rows));
    rows = new ArrayList<>();
    List<Map.Entry<String, Tally.Group>> tools = new ArrayList<>(t.byTool.entrySet());
    tools.sort((a, b) -> Long.compare(b.getValue().calls, a.getValue().calls));
    for (Map.Entry<String, Tally.Group> e : tools.subList(0, Math.min(Tally.TOP, tools.size()))) {
      rows.add(new String[] {e.getKey(), Long.toString(e.getValue().calls), Long.toString(e.getValue().refusals)});
    }
    tables.add(new Table("Top tools by calls", new String[] {"tool", "calls", "refused"}, rows));
    rows = new ArrayList<>();
    for (Tally.Run r : t.costliestRuns()) {
      rows.add(new String[] {r.run(), r.session() == null ? "" : r.session(), Long.toString(r.llmCalls()),
          Long.toString(r.toolCalls()), Long.toString(r.refusals()), usd(r.costNanos()),
          Long.toString(r.durationMillis())});
    }
    tables.add(new Table("Costliest runs (run.summary)", new String[] {"run", "session", "llm", "tools", "refused",
        "cost_usd", "ms"}, rows));
    rows = new ArrayList<>();
    for (Tally.Audit a : t.auditTrail()) {
      AuditEvent r = a.record();
      String change = r.set() != null ? "set " + usd(r.set()) : r.add() != null ? "+" + usd(r.add())
          : r.addTokens() != null ? "+" + r.addTokens() + " tokens"
          : r.addCalls() != null ? "+" + r.addCalls() + (r.addCalls() == 1 ? " call" : " calls") : "";
      String beforeAfter = r.before() == null && r.after() == null ? "" : (r.before() == null ? "?" : usd(r.before()))
          + " -> " + (r.after() == null ? "?" : usd(r.after()));
      rows.add(new String[] {a.ts().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), r.action().wire(), r.limit() == null ? "" : r.limit(),
          r.partition() == null ? "" : r.partition(), change, beforeAfter, r.by() == null ? "" : r.by(),
          r.reason() == null ? "" : r.reason()});
    }
    tables.add(new Table("Audit trail (budget reset / override, approve / deny)", new String[] {"ts", "action",
        "budget", "partition", "change", "before -> after", "by", "reason"}, rows));
    return tables;
  }

  /** A text table; every cell as {@link TerminalText#shown}, since names in it come from logs a model wrote to. */
  static void table(PrintStream o, String title, String[] head, List<String[]> cells) {
    o.println(title);
    List<String[]> rows = TerminalText.shown(cells);
    if (rows.isEmpty()) {
      o.println("  (none)");
      o.println();
      return;
    }
    int[] width = new int[head.length];
    for (int c = 0; c < head.length; c++) {
      width[c] = head[c].length();
      for (String[] r : rows) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder line = new StringBuilder("  ");
    for (int c = 0; c < head.length; c++) {
      line.append(pad(head[c], width[c], c > 0 && numeric(rows, c))).append(c + 1 < head.length ? "  " : "");
    }
    o.println(line.toString().stripTrailing());
    for (String[] r : rows) {
      line = new StringBuilder("  ");
      for (int c = 0; c < head.length; c++) {
        line.append(pad(r[c], width[c], c > 0 && numeric(rows, c))).append(c + 1 < head.length ? "  " : "");
      }
      o.println(line.toString().stripTrailing());
    }
    o.println();
  }

  private static boolean numeric(List<String[]> rows, int c) {
    return rows.stream().allMatch(r -> r[c].isEmpty() || r[c].equals("-") || r[c].matches("[0-9.%]+"));
  }

  private static String pad(String s, int w, boolean right) {
    String fill = " ".repeat(Math.max(0, w - s.length()));
    return right ? fill + s : s + fill;
  }

  private static String bar(long spent, long limit) {
    if (limit <= 0) {
      return "";
    }
    int filled = (int) Math.min(20, Math.round(20.0 * spent / limit));
    return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
  }

  private static void json(Tally t, PrintStream o) throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator((OutputStream) o)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("from", t.from == null ? null : t.from.toString());
      g.writeStringField("to", t.to == null ? null : t.to.toString());
      g.writeNumberField("total_usd", money(t.totalNanos));
      g.writeNumberField("llm_calls", t.llmCalls);
      g.writeNumberField("tool_calls", t.toolCalls);
      g.writeNumberField("refusals", t.refusals);
      g.writeNumberField("input_tokens", t.inputTokens);
      g.writeNumberField("output_tokens", t.outputTokens);
      g.writeNumberField("unmetered_llm_calls", t.unmetered);
      groups(g, "by_model", "model", t.byModel);
      if (!t.by.equals("model")) {
        groups(g, "by_" + t.by, "key", t.grouped);
      }
      g.writeArrayFieldStart("budgets");
      for (Tally.BudgetLine b : t.budgets.values()) {
        g.writeStartObject();
        g.writeStringField("name", b.name());
        g.writeStringField("scope", b.scope());
        g.writeStringField("partition", b.partition());
        g.writeStringField("period", b.period());
        g.writeNumberField("spent_usd", money(b.spentNanos()));
        if (b.limitNanos() < 0) {
          g.writeNullField("limit_usd");
        } else {
          g.writeNumberField("limit_usd", money(b.limitNanos()));
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("refusals_by_rule");
      for (Map.Entry<String, Long> e : t.refusalsByRule.entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeArrayFieldStart("costliest_runs");
      for (Tally.Run r : t.costliestRuns()) {
        g.writeStartObject();
        g.writeStringField("run", r.run());
        g.writeStringField("session", r.session());
        g.writeNumberField("llm_calls", r.llmCalls());
        g.writeNumberField("tool_calls", r.toolCalls());
        g.writeNumberField("refusals", r.refusals());
        g.writeNumberField("cost_usd", money(r.costNanos()));
        g.writeNumberField("duration_ms", r.durationMillis());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("audit");
      for (Tally.Audit a : t.auditTrail()) {
        AuditEvent r = a.record();
        g.writeStartObject();
        g.writeStringField("ts", a.ts().toString());
        g.writeStringField("action", r.action().wire());
        g.writeStringField("id", r.id());
        g.writeStringField("budget", r.limit());
        writeOptional(g, "partition", r.partition());
        writeOptional(g, "period", r.period());
        writeOptional(g, "by", r.by());
        writeOptional(g, "reason", r.reason());
        if (r.before() != null) {
          g.writeNumberField("before_usd", money(r.before()));
        }
        if (r.after() != null) {
          g.writeNumberField("after_usd", money(r.after()));
        }
        if (r.add() != null) {
          g.writeNumberField("add_usd", money(r.add()));
        }
        if (r.set() != null) {
          g.writeNumberField("set_usd", money(r.set()));
        }
        if (r.addCalls() != null) {
          g.writeNumberField("add_calls", r.addCalls());
        }
        writeOptional(g, "until", r.until() == null ? null : r.until().toString());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    o.println();
  }

  private static void writeOptional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  /** One table of groups as a JSON array: each group's key under {@code keyField}, its calls, tokens, cost. */
  private static void groups(JsonGenerator g, String field, String keyField, Map<String, Tally.Group> groups)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (Map.Entry<String, Tally.Group> e : Tally.sorted(groups)) {
      Tally.Group v = e.getValue();
      g.writeStartObject();
      g.writeStringField(keyField, e.getKey());
      g.writeNumberField("calls", v.calls);
      g.writeNumberField("input_tokens", v.inputTokens);
      g.writeNumberField("output_tokens", v.outputTokens);
      g.writeNumberField("cost_usd", money(v.costNanos));
      g.writeNumberField("refusals", v.refusals);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void csv(Tally t, PrintStream o) {
    o.println(t.by + ",calls,input_tokens,output_tokens,cost_usd,refusals");
    for (Map.Entry<String, Tally.Group> e : Tally.sorted(t.grouped)) {
      Tally.Group g = e.getValue();
      o.println(csvField(e.getKey()) + "," + g.calls + "," + g.inputTokens + "," + g.outputTokens + ","
          + usd(g.costNanos) + "," + g.refusals);
    }
  }

  /**
   * One CSV cell. The key is a name a model or an app chose, and the file is opened in spreadsheets: a cell that starts
   * like a formula ({@code = + - @}, a tab or a carriage return) is kept as text with a leading {@code '} (OWASP's
   * advice), and a cell with a comma, a quote or a line break of either kind is quoted, so it cannot start a row.
   */
  static String csvField(String s) {
    String text = !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    return text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")
        ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
  }

  // ---- values ----------------------------------------------------------------------------------------------

  /** Exact decimal USD of nano-USD. */
  static String usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }

  static BigDecimal money(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
  }

  static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  static String oneOf(String value, Set<String> allowed, String option) {
    if (!allowed.contains(value)) {
      throw new IllegalArgumentException(option + " must be one of " + String.join(", ", allowed.stream().sorted()
          .toList()) + "; got \"" + value + "\"");
    }
    return value;
  }

  private static Instant time(String text) {
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not an instant (2026-12-04T10:00:00Z) or a date "
          + "(2026-12-04)");
    }
  }

  static String shortMessage(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    for (String cut : new String[] {"\n", " (start marker", " at [Source"}) {
      int at = m.indexOf(cut);
      m = at < 0 ? m : m.substring(0, at);
    }
    return m;
  }
}
