package dev.tollgate.agent.cli.operate;

import dev.tollgate.agent.cli.TerminalText;
import dev.tollgate.agent.cli.operate.Options.UsageException;
import dev.tollgate.policy.BudgetScope;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyError;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.budget.Operator;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.event.JsonLine;
import dev.tollgate.policy.event.Usd;
import dev.tollgate.policy.store.StoreUnavailableException;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The operator's commands over a policy's store: {@code status}, {@code budget reset}, {@code budget override},
 * {@code approvals}, {@code approve}, {@code deny}. Exit status: 0 done, 1 bad input (an unknown budget, a policy
 * that does not load, a store that cannot be read or is down), 2 usage.
 */
public final class OperatorCommand {
  private static final Set<String> COMMANDS = Set.of("status", "budget", "approvals", "approve", "deny");
  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  private OperatorCommand(PrintStream out, PrintStream err, Clock clock) {
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  public static boolean handles(String command) {
    return COMMANDS.contains(command);
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return new OperatorCommand(out, err, Clock.systemUTC()).run(args);
  }

  private int run(String[] args) {
    String command = args[0];
    if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))
        || command.equals("budget") && args.length > 2 && (args[2].equals("--help") || args[2].equals("-h"))) {
      out.print(help(command));
      return 0;
    }
    try {
      return switch (command) {
        case "status" -> status(new Options(args, 1, Set.of("--policy", "--format")));
        case "budget" -> budget(args);
        case "approvals" -> approvals(new Options(args, 1, Set.of("--policy", "--format")));
        case "approve" -> answer(true, new Options(args, 1,
            Set.of("--policy", "--add-usd", "--add-calls", "--reason", "--by")));
        default -> answer(false, new Options(args, 1, Set.of("--policy", "--reason", "--by")));
      };
    } catch (UsageException e) {
      err.println("tollgate " + command + ": " + e.getMessage());
      err.print(help(command));
      return 2;
    } catch (PolicyException e) {
      for (PolicyError error : e.errors()) {
        err.println(error);
      }
      return 1;
    } catch (Operator.WrongAmountException e) {
      err.println("tollgate " + command + ": " + e.getMessage());
      err.print(help(command));
      return 2;
    } catch (StoreUnavailableException e) {
      err.println("tollgate " + command + ": the store is unavailable: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("tollgate " + command + ": " + e.getMessage());
      return 1;
    } catch (java.nio.file.FileSystemException e) {
      err.println("tollgate " + command + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    } catch (IOException | RuntimeException e) {
      err.println("tollgate " + command + ": " + e.getMessage());
      return 1;
    }
  }

  // ---- status ----------------------------------------------------------------------------------------------

  private int status(Options o) throws IOException, PolicyException {
    noWords(o, "status");
    Policy policy = policy(o);
    String format = format(o);
    try (Operator operator = open(policy)) {
      List<Operator.Instance> budgets = operator.status();
      List<Operator.LimitInstance> limits = operator.limitStatus();
      List<AuditEvent> overrides = activeOverrides(operator);
      List<AuditEvent> waiting = operator.waiting();
      ZoneId zone = policy.ledger().zone();
      if (format.equals("json")) {
        List<Object> b = new ArrayList<>();
        for (Operator.Instance i : budgets) {
          b.add((dev.tollgate.policy.event.Written) f -> f.put("budget", i.budget().name())
              .put("scope", scope(i.budget().scope())).put("partition", i.partition()).put("period", i.period())
              .usd("spent_usd", i.spentNanos()).usd("reserved_usd", i.reservedNanos())
              .usd("limit_usd", i.capNanos() < 0 ? null : i.capNanos()).put("spent_tokens", i.spentTokens())
              .put("limit_tokens", i.capTokens() < 0 ? null : i.capTokens()).put("percent", percent(i))
              .put("resets", resets(i.budget().scope(), i.period(), zone)));
        }
        List<Object> l = new ArrayList<>();
        for (Operator.LimitInstance i : limits) {
          l.add((dev.tollgate.policy.event.Written) f -> f.put("limit", i.limit().name())
              .put("scope", i.limit().scope().name().toLowerCase(Locale.ROOT)).put("partition", i.partition())
              .put("period", i.period()).put("calls", i.calls())
              .put("max_calls", i.maxCalls() < 0 ? null : i.maxCalls()));
        }
        out.println(JsonLine.write(f -> f.put("store", operator.where()).put("fleet", operator.fleet())
            .put("budgets", b).put("limits", l).put("overrides", audit(overrides)).put("waiting", audit(waiting))));
        return 0;
      }
      out.println("store: " + operator.where() + (operator.fleet() ? " (the whole fleet)" : " (file ledger)"));
      if (!operator.fleet()) {
        out.println("run, session and process budgets live in each JVM: their spend is in that JVM's enforcement log");
      }
      out.println();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"BUDGET", "SCOPE", "INSTANCE", "SPENT", "RESERVED", "LIMIT", "%", "", "RESETS"});
      for (Operator.Instance i : budgets) {
        Double p = percent(i);
        rows.add(new String[] {i.budget().name(), scope(i.budget().scope()), instance(i.period(), i.partition()),
            money(i.spentNanos()) + (i.capTokens() >= 0 ? " / " + i.spentTokens() + " tok" : ""),
            money(i.reservedNanos()), i.capNanos() >= 0 ? money(i.capNanos())
                : i.capTokens() >= 0 ? i.capTokens() + " tok" : "-",
            p == null ? "-" : String.format(Locale.ROOT, "%.1f", p), bar(p),
            resets(i.budget().scope(), i.period(), zone)});
      }
      if (budgets.isEmpty()) {
        out.println("no budget instance in the store yet (nothing was spent against a " + (operator.fleet()
            ? "session, day, month or total" : "day, month or total") + " budget)");
      } else {
        table(rows);
      }
      if (!limits.isEmpty()) {
        out.println();
        List<String[]> lrows = new ArrayList<>();
        lrows.add(new String[] {"LIMIT", "SCOPE", "INSTANCE", "CALLS", "MAX"});
        for (Operator.LimitInstance i : limits) {
          lrows.add(new String[] {i.limit().name(), i.limit().scope().name().toLowerCase(Locale.ROOT),
              instance(i.period(), i.partition()), Long.toString(i.calls()),
              i.maxCalls() < 0 ? "-" : Long.toString(i.maxCalls())});
        }
        table(lrows);
      }
      out.println();
      if (overrides.isEmpty()) {
        out.println("overrides in force: none");
      } else {
        out.println("overrides in force:");
        for (AuditEvent e : overrides) {
          out.println(TerminalText.shown("  " + e.id() + "  " + e.limit() + (e.partition() == null ? ""
              : " [" + e.partition() + "]") + "  " + change(e) + "  until " + (e.until() == null ? "changed again"
              : e.until()) + "  by " + e.by() + ": " + e.reason()));
        }
      }
      out.println("calls waiting for approval: " + waiting.size() + (waiting.isEmpty() ? "" : " (see `approvals`)"));
      return 0;
    }
  }

  private List<AuditEvent> activeOverrides(Operator operator) throws IOException {
    List<AuditEvent> active = new ArrayList<>();
    Instant now = clock.instant();
    for (AuditEvent e : operator.journal().readAll().records()) {
      if (e.action() == AuditEvent.Action.OVERRIDE && (e.until() == null || now.isBefore(e.until()))) {
        active.add(e);
      }
    }
    return active;
  }

  private static Double percent(Operator.Instance i) {
    if (i.capNanos() > 0) {
      return 100.0 * (i.spentNanos() + i.reservedNanos()) / i.capNanos();
    }
    if (i.capTokens() > 0) {
      return 100.0 * i.spentTokens() / i.capTokens();
    }
    return null;
  }

  private static String bar(Double percent) {
    if (percent == null) {
      return "";
    }
    int filled = (int) Math.min(10, Math.round(percent / 10));
    return "[" + "#".repeat(filled) + ".".repeat(10 - filled) + "]";
  }

  /** When the instance starts again from zero: the next day or month in the ledger's zone; never for total. */
  static String resets(BudgetScope scope, String period, ZoneId zone) {
    try {
      return switch (scope) {
        case DAY -> LocalDate.parse(period).plusDays(1).atStartOfDay(zone).toInstant().toString();
        case MONTH -> YearMonth.parse(period).plusMonths(1).atDay(1).atStartOfDay(zone).toInstant().toString();
        case TOTAL -> "never (budget reset)";
        case SESSION -> "with its session (idle 7 days)";
        default -> "with its " + scope(scope);
      };
    } catch (DateTimeParseException e) {
      return "-";
    }
  }

  // ---- budget reset / override -----------------------------------------------------------------------------

  private int budget(String[] args) throws IOException, PolicyException {
    if (args.length < 2 || !(args[1].equals("reset") || args[1].equals("override"))) {
      throw new UsageException("expected `budget reset NAME ...` or `budget override NAME ...`");
    }
    boolean reset = args[1].equals("reset");
    Options o = new Options(args, 2, reset
        ? Set.of("--policy", "--partition", "--period", "--reason", "--by")
        : Set.of("--policy", "--partition", "--add-usd", "--set-usd", "--add-tokens", "--for", "--until", "--reason",
            "--by"));
    if (o.words.size() != 1) {
      throw new UsageException("budget " + args[1] + " takes one budget name, got " + o.words);
    }
    String name = o.words.get(0);
    String reason = o.required("--reason", "say why (it is kept in the audit journal)");
    String by = by(o);
    Policy policy = policy(o);
    try (Operator operator = open(policy)) {
      AuditEvent record;
      if (reset) {
        record = operator.reset(name, o.get("--partition"), o.get("--period"), reason, by);
        out.println(TerminalText.shown("reset " + name + instanceText(record) + ": "
            + (record.before() == null ? "the running JVM clears it within 2 seconds"
                : money(record.before()) + " cleared" + (operator.fleet() ? " in the fleet's store; JVMs clear their run "
                    + "and process instances within 2 seconds" : "")) + " (audit " + record.id() + ")"));
      } else {
        if (o.has("--for") && o.has("--until")) {
          throw new UsageException("give --for or --until, not both");
        }
        Instant until = o.has("--for") ? clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .plus(Options.duration("--for", o.get("--for")))
            : o.has("--until") ? instant(o.get("--until")) : null;
        Long add = o.has("--add-usd") ? usd("--add-usd", o.get("--add-usd")) : null;
        Long set = o.has("--set-usd") ? usd("--set-usd", o.get("--set-usd")) : null;
        Long tokens = o.has("--add-tokens") ? tokens(o.get("--add-tokens")) : null;
        if ((add != null ? 1 : 0) + (set != null ? 1 : 0) + (tokens != null ? 1 : 0) != 1) {
          throw new UsageException("give exactly one of --add-usd X, --set-usd X, --add-tokens N");
        }
        record = operator.override(name, o.get("--partition"), add, set, tokens, until, reason, by);
        out.println(TerminalText.shown("override " + name + instanceText(record) + ": " + change(record)
            + (record.before() != null && record.after() != null ? " (limit " + money(record.before()) + " -> "
                + money(record.after()) + ")" : "")
            + (until == null ? "" : " until " + until) + "; running JVMs apply it within 2 seconds (audit "
            + record.id() + ")"));
      }
      return 0;
    }
  }

  // ---- approvals -------------------------------------------------------------------------------------------

  private int approvals(Options o) throws IOException, PolicyException {
    noWords(o, "approvals");
    Policy policy = policy(o);
    String format = format(o);
    try (Operator operator = open(policy)) {
      List<AuditEvent> waiting = operator.waiting();
      if (format.equals("json")) {
        out.println(JsonLine.write(f -> f.put("store", operator.where()).put("waiting", audit(waiting))));
        return 0;
      }
      if (waiting.isEmpty()) {
        out.println("no call is waiting for approval (store: " + operator.where() + ")");
        return 0;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "CAP", "INSTANCE", "NEEDS", "RUN", "SESSION", "MODEL/TOOL", "TIMES OUT", "THEN",
          "JVM"});
      for (AuditEvent e : waiting) {
        rows.add(new String[] {e.id(), e.limit(), instance(e.period(), e.partition()),
            e.needCalls() != null ? e.needCalls() + (e.needCalls() == 1 ? " call" : " calls")
                : e.need() == null ? "-" : money(e.need()), dash(e.run()), dash(e.session()),
            e.tool() != null ? "tool " + e.tool() : dash(e.model()),
            e.until() == null ? "-" : e.until().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
            dash(e.onTimeout()), dash(e.by())});
      }
      table(rows);
      return 0;
    }
  }

  private int answer(boolean approve, Options o) throws IOException, PolicyException {
    String command = approve ? "approve" : "deny";
    if (o.words.size() != 1) {
      throw new UsageException(command + " takes one approval id (see `approvals`), got " + o.words);
    }
    String reason = o.required("--reason", "say why (it is kept in the audit journal)");
    Policy policy = policy(o);
    try (Operator operator = open(policy)) {
      if (o.has("--add-usd") && o.has("--add-calls")) {
        throw new UsageException("give --add-usd (a budget) or --add-calls (a limit), not both");
      }
      AuditEvent record = approve
          ? operator.approve(o.words.get(0), o.has("--add-usd") ? usd("--add-usd", o.get("--add-usd")) : null,
              o.has("--add-calls") ? calls("--add-calls", o.get("--add-calls")) : null, reason, by(o))
          : operator.deny(o.words.get(0), reason, by(o));
      String raised = record.aboutLimit()
          ? "max_calls raised by " + (record.addCalls() == null ? 0 : record.addCalls())
          : "limit raised by " + money(record.add() == null ? 0 : record.add());
      out.println(TerminalText.shown((approve ? "approved " : "denied ") + record.id() + " (" + record.limit()
          + instanceText(record) + (approve ? ", " + raised : "") + "); the waiting JVM goes on within 2 seconds"));
      return 0;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  /** The policy's store, with the Redis password from {@code TOLLGATE_REDIS_PASSWORD} as the agent takes it. */
  private Operator open(Policy policy) throws IOException {
    return Operator.open(policy, clock, System.getenv("TOLLGATE_REDIS_PASSWORD"));
  }

  private static Policy policy(Options o) throws PolicyException {
    String file = o.get("--policy");
    if (file == null) {
      file = System.getenv("TOLLGATE_POLICY");
    }
    if (file == null) {
      throw new UsageException("--policy FILE is required (the app's policy names the budgets and the store)");
    }
    return PolicyLoader.load(Path.of(file));
  }

  private static String format(Options o) {
    String f = o.get("--format");
    if (f == null) {
      return "text";
    }
    if (!f.equals("text") && !f.equals("json")) {
      throw new UsageException("--format must be text or json, got \"" + f + "\"");
    }
    return f;
  }

  private static void noWords(Options o, String command) {
    if (!o.words.isEmpty()) {
      throw new UsageException(command + " takes no arguments, got " + o.words);
    }
  }

  private static String by(Options o) {
    String by = o.get("--by");
    return by != null ? by : System.getProperty("user.name", "unknown");
  }

  /** A whole number of calls, at least 1 ({@code --add-calls}). */
  private static long calls(String option, String text) {
    try {
      long n = Long.parseLong(text);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new UsageException(option + " must be a whole number of calls, at least 1, got \"" + text + "\"");
  }

  private static long usd(String option, String text) {
    try {
      long nanos = Usd.parse(text);
      if (nanos < 0) {
        throw new UsageException(option + " must not be negative, got " + text);
      }
      return nanos;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UsageException(option + " must be a USD amount such as 2.50 (at most 9 decimals), got \"" + text
          + "\"");
    }
  }

  private static long tokens(String text) {
    try {
      long n = Long.parseLong(text);
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException("--add-tokens must be a positive whole number, got \"" + text + "\"");
    }
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new UsageException("--until must be an ISO-8601 instant such as 2026-12-04T18:00:00Z, got \"" + text
          + "\"");
    }
  }

  private static List<Object> audit(List<AuditEvent> records) {
    List<Object> out = new ArrayList<>();
    for (AuditEvent e : records) {
      out.add((dev.tollgate.policy.event.Written) e::writeRecord);
    }
    return out;
  }

  private static String change(AuditEvent e) {
    return e.set() != null ? "limit set to " + money(e.set()) : e.add() != null ? "+" + money(e.add())
        : e.addTokens() != null ? "+" + e.addTokens() + " tokens" : "";
  }

  private static String instanceText(AuditEvent e) {
    String i = instance(e.period(), e.partition());
    return i.equals("-") ? "" : " [" + i + "]";
  }

  private static String instance(String period, String partition) {
    String p = period == null ? "" : period;
    if (partition != null) {
      p = p.isEmpty() ? partition : p + " / " + partition;
    }
    return p.isEmpty() ? "-" : p;
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }

  static String money(long nanos) {
    return "$" + BigDecimal.valueOf(nanos).movePointLeft(9).stripTrailingZeros().toPlainString();
  }

  private static String scope(BudgetScope s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  /** Rows of names from the store, which paused calls (their run, session, model, tool) and partitions wrote. */
  private void table(List<String[]> cells) {
    List<String[]> rows = TerminalText.shown(cells);
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int c = 0; c < cols; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cols; c++) {
        line.append(r[c]).append(" ".repeat(width[c] - r[c].length() + (c == cols - 1 ? 0 : 2)));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static String help(String command) {
    return switch (command) {
      case "status" -> """
          usage: tollgate status --policy FILE [--format text|json]
            The live state of the policy's store: each budget instance's spent, reserved in flight, limit (with
            overrides), % and when it resets; with Redis the whole fleet's session, day, month and total instances
            and session limits; the overrides in force and how many calls wait for approval.
          """;
      case "budget" -> """
          usage: tollgate budget reset NAME [--partition P] [--period P] --reason TEXT [--by WHO] --policy FILE
                 tollgate budget override NAME (--add-usd X | --set-usd X | --add-tokens N) [--partition P]
                                          [--for 2h | --until 2026-12-04T18:00:00Z] --reason TEXT [--by WHO]
                                          --policy FILE
            reset clears the spend of the budget's instances (all, or one partition / period); override raises or
            sets its limit, until it ends by itself (--for, --until) or for good. Each writes an audit record (who,
            when, what, before and after, why) to the store's tamper-evident audit journal; running JVMs apply it
            within 2 seconds and log budget.reset / budget.override. --by defaults to the OS user.
          """;
      case "approvals" -> """
          usage: tollgate approvals --policy FILE [--format text|json]
            Calls paused at a cap (on_exceed: pause) that wait for `approve ID` or `deny ID` (fleet-wide with Redis).
          """;
      case "approve" -> """
          usage: tollgate approve ID [--add-usd X | --add-calls N] --reason TEXT [--by WHO] --policy FILE
            Lets the paused call through: its budget instance's limit is raised by what the call needs, or by X
            (--add-usd); a limit's max_calls (of that run, session or process, and partition) by one call, or by N
            (--add-calls).
          """;
      default -> """
          usage: tollgate deny ID --reason TEXT [--by WHO] --policy FILE
            Refuses the paused call (as on_exceed: block would have).
          """;
    };
  }
}
