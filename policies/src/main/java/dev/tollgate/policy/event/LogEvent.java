package dev.tollgate.policy.event;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The enforcement log's schema: every line is one of these records. The agent's guards build them, the log writer
 * writes them ({@code ts} and {@code event} first, then {@link #write}), and every reader ({@code report},
 * {@code simulate}, the tests) reads lines back into them with {@link #read}. docs/events.md's event table is checked against
 * this set by a test.
 */
public sealed interface LogEvent extends Written
    permits AgentStarted, PolicyLoaded, CoverageEvent, CoverageGapEvent, AgentReady,
    AgentStopped, BudgetLoaded, LedgerNews, ToolCallEvent, LlmCallEvent, LlmUnmetered, LimitExceeded, BudgetExceeded,
    BudgetWarning, RunSummary, AuditEvent, PolicyReloaded, PolicyErrorEvent {

  /** The line's {@code event} field. */
  String name();

  /**
   * Every event name the catalog knows, with its reader. A holder, not a constant of this interface: the agent
   * writes events (calling this interface's static helpers, which initializes it) and reads none, and its start
   * should not make the readers' 18 method-reference classes.
   */
  final class Readers {
    public static final Map<String, Function<Line, LogEvent>> ALL = readers();

    private Readers() {}
  }

  /** The line as its typed event; null when its {@code event} is not one this version knows. */
  static LogEvent read(Line line) {
    String name = line.event();
    Function<Line, LogEvent> reader = name == null ? null : Readers.ALL.get(name);
    return reader == null ? null : reader.apply(line);
  }

  private static Map<String, Function<Line, LogEvent>> readers() {
    Map<String, Function<Line, LogEvent>> m = new LinkedHashMap<>();
    m.put(AgentStarted.NAME, AgentStarted::read);
    m.put(PolicyLoaded.NAME, PolicyLoaded::read);
    m.put(PolicyReloaded.NAME, PolicyReloaded::read);
    m.put(PolicyErrorEvent.NAME, PolicyErrorEvent::read);
    m.put(CoverageEvent.NAME, CoverageEvent::read);
    m.put(CoverageGapEvent.NAME, CoverageGapEvent::read);
    m.put(AgentReady.NAME, AgentReady::read);
    m.put(AgentStopped.NAME, AgentStopped::read);
    m.put(BudgetLoaded.NAME, BudgetLoaded::read);
    for (LedgerNews.Kind k : LedgerNews.Kind.values()) {
      m.put(k.eventName(), LedgerNews::read);
    }
    m.put(ToolCallEvent.NAME, ToolCallEvent::read);
    m.put(LlmCallEvent.NAME, LlmCallEvent::read);
    m.put(LlmUnmetered.NAME, LlmUnmetered::read);
    m.put(LimitExceeded.NAME, LimitExceeded::read);
    m.put(BudgetExceeded.NAME, BudgetExceeded::read);
    m.put(BudgetWarning.NAME, BudgetWarning::read);
    m.put(RunSummary.NAME, RunSummary::read);
    for (AuditEvent.Action a : AuditEvent.Action.values()) {
      m.put(a.eventName(), AuditEvent::read);
    }
    return Map.copyOf(m);
  }

  /** Lower-case wire name of an enum constant ({@code ON_TIMEOUT} is {@code on_timeout}). */
  static String wire(Enum<?> e) {
    return e == null ? null : e.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** An immutable copy, null kept null. */
  static <T> List<T> copy(List<T> list) {
    return list == null ? null : List.copyOf(list);
  }
}
