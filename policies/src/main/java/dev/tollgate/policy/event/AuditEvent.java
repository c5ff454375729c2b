package dev.tollgate.policy.event;

import java.time.Instant;

/**
 * One record of the store's audit journal, and the log line a JVM writes when it applies it: an operator's
 * {@code budget reset} or {@code budget override}, a call paused at a cap asking for approval, and the answer
 * ({@code approve}, {@code deny}, the timeout, or a release: an override raised the limit enough while it waited).
 *
 * @param id       the record's id; an approval's request, answer and timeout share the request's id
 * @param at       when the record was made (the log line's {@code ts} is when this JVM applied it)
 * @param limit    the budget or limit it is about
 * @param kind     {@code budget} or {@code limit}
 * @param by       who: {@code --by}, the OS user by default; for requests and timeouts, the JVM ({@code pid@host})
 * @param before   the spend (nano-USD) the reset cleared, or the limit before an override
 * @param after    the spend or limit after it
 * @param add      nano-USD an override or approval adds to the limit
 * @param set      nano-USD an override sets the limit to
 * @param until    when an override ends by itself (null: it stays) or when a waiting request times out
 * @param need     nano-USD the paused call needs on top of a budget's limit
 * @param tool     the tool a call paused at a tool-call limit was to run
 * @param addCalls calls an approval (or override) of a limit adds to its {@code max_calls}
 * @param needCalls calls the paused call needs on top of a limit's {@code max_calls} (1)
 */
public record AuditEvent(Action action, String id, Instant at, String limit, String kind, String scope,
    String partition, String period, String by, String reason, Long before, Long after, Long add, Long set,
    Long addTokens, Instant until, String run, String session, String model, Long need, String onTimeout,
    String tool, Long addCalls, Long needCalls) implements LogEvent {

  /** A record about a budget (no tool, no calls). */
  public AuditEvent(Action action, String id, Instant at, String limit, String kind, String scope,
      String partition, String period, String by, String reason, Long before, Long after, Long add, Long set,
      Long addTokens, Instant until, String run, String session, String model, Long need, String onTimeout) {
    this(action, id, at, limit, kind, scope, partition, period, by, reason, before, after, add, set, addTokens, until,
        run, session, model, need, onTimeout, null, null, null);
  }

  /** True for a record about a limit (its calls), false for one about a budget. */
  public boolean aboutLimit() {
    return "limit".equals(kind);
  }

  /** What the record does. */
  public enum Action {
    RESET("budget.reset"), OVERRIDE("budget.override"), REQUEST("approval.requested"), APPROVE("approval.granted"),
    DENY("approval.denied"), TIMEOUT("approval.timed_out"), RELEASE("approval.released");

    private final String eventName;

    Action(String eventName) {
      this.eventName = eventName;
    }

    public String eventName() {
      return eventName;
    }

    /** Lower-case, as {@code report}'s audit trail names it. */
    public String wire() {
      return LogEvent.wire(this);
    }

    static Action ofEvent(String name) {
      for (Action a : values()) {
        if (a.eventName.equals(name)) {
          return a;
        }
      }
      return null;
    }
  }

  @Override
  public String name() {
    return action.eventName();
  }

  /** An operator's decision (reset, override, approve, deny): what {@code report}'s audit trail lists. */
  public boolean operatorAction() {
    return action == Action.RESET || action == Action.OVERRIDE || action == Action.APPROVE || action == Action.DENY;
  }

  /** The journal line: every field, with {@code action} instead of the log's {@code event}. */
  public void writeRecord(Fields out) {
    out.put("action", action.wire());
    write(out);
  }

  @Override
  public void write(Fields out) {
    out.put("id", id).put("at", at == null ? null : at.toString()).put(kind == null ? "budget" : kind, limit)
        .put("scope", scope).put("partition", partition).put("period", period).put("by", by).put("reason", reason)
        .usd("before_usd", before).usd("after_usd", after).usd("add_usd", add).usd("set_usd", set)
        .put("add_tokens", addTokens).put("until", until == null ? null : until.toString()).put("run", run)
        .put("session", session).put("model", model).usd("need_usd", need).put("on_timeout", onTimeout)
        .put("tool", tool).put("add_calls", addCalls).put("need_calls", needCalls);
  }

  static AuditEvent read(Line l) {
    Action action = l.has("action") ? l.choice("action", Action.class) : Action.ofEvent(l.event());
    return readAs(action, l);
  }

  /** A journal line (which names its action) read back. */
  public static AuditEvent readRecord(Line l) {
    Action action = l.choice("action", Action.class);
    if (action == null) {
      throw new IllegalArgumentException("no known action: " + l.text("action"));
    }
    return readAs(action, l);
  }

  private static AuditEvent readAs(Action action, Line l) {
    String kind = l.has("limit") ? "limit" : "budget";
    return new AuditEvent(action, l.text("id"), instant(l.text("at")), l.text(kind), kind, l.text("scope"),
        l.text("partition"), l.text("period"), l.text("by"), l.text("reason"), l.nanos("before_usd"),
        l.nanos("after_usd"), l.nanos("add_usd"), l.nanos("set_usd"), l.whole("add_tokens"),
        instant(l.text("until")), l.text("run"), l.text("session"), l.text("model"), l.nanos("need_usd"),
        l.text("on_timeout"), l.text("tool"), l.whole("add_calls"), l.whole("need_calls"));
  }

  /** A new record id: 8 hex digits, unique enough among the records of one journal. */
  public static String newId() {
    return java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * The answer to this request ({@code approve}, {@code deny}, a timeout or a release): the request's id, instance and
   * call, with who answered, when, why and what it adds to the limit (nano-USD for a budget, calls for a limit); a
   * timeout keeps the request's {@code until} and {@code on_timeout}.
   */
  public AuditEvent answer(Action answer, Instant when, String who, String why, Long adds) {
    boolean timeout = answer == Action.TIMEOUT;
    boolean calls = aboutLimit();
    return new AuditEvent(answer, id, when, limit, kind, scope, partition, period, who, why, null, null,
        calls ? null : adds, null, null, timeout ? until : null, run, session, model, need, timeout ? onTimeout : null,
        tool, calls ? adds : null, needCalls);
  }

  /** The same record with the spend or limit this JVM saw before and after applying it. */
  public AuditEvent applied(Long before, Long after) {
    return new AuditEvent(action, id, at, limit, kind, scope, partition, period, by, reason, before, after, add, set,
        addTokens, until, run, session, model, need, onTimeout, tool, addCalls, needCalls);
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }
}
