package dev.tollgate.policy.replay;

import dev.tollgate.policy.Policy;
import dev.tollgate.policy.budget.Admission;
import dev.tollgate.policy.budget.Breach;
import dev.tollgate.policy.budget.LlmCall;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.PriceTable;
import dev.tollgate.policy.budget.Settlement;
import dev.tollgate.policy.engine.LimitBreach;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import dev.tollgate.policy.engine.ToolVerdict;
import dev.tollgate.policy.store.LocalStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides recorded calls again under a candidate policy, with the same {@link PolicyEngine} and {@link LlmGovernor}
 * the agent uses, and keeps what would have changed. Nothing outside this object is read or written: the governor
 * counts in a fresh in-memory store (never the policy's ledger directory or Redis), so the candidate's day, month
 * and total budgets start from zero at the first recorded call.
 *
 * <p>What a log cannot say, and how the replay deals with it:
 * <ul>
 *   <li>Time is the log's: the clock reads each call's {@code ts}, never going back (the agent's writer thread can
 *       write an allowed call's line a moment after a later refusal's).</li>
 *   <li>Arguments are only a digest. A call whose tool an argument rule would read before anything else decides it
 *       is <b>not evaluated</b> (counted under that rule, neither allowed nor refused, and not counted toward
 *       limits); {@code max_identical} compares the digests of the argument text, so {@code 1} and {@code 1.0}
 *       count apart here though the agent counts them as one.</li>
 *   <li>An LLM call's worst case is not logged; it is admitted as if the estimate were exact (its recorded prompt
 *       tokens and output tokens), so a budget here refuses the first call whose actual cost would pass the cap,
 *       where the agent, reserving the request's output cap, may refuse a call or two earlier.</li>
 *   <li>MDC values are not logged: {@code per: mdc:KEY} limits and budgets count every call in one partition.</li>
 *   <li>A halt ends the run: the run's later calls are refused under the halting rule.</li>
 * </ul>
 * Memory is bounded: the engine's and governor's own bounds, at most {@link #MAX_LISTED} crossings kept (the rest
 * counted), and halted runs forgotten at their end or beyond {@link LlmGovernor#MAX_PARTITIONS}.
 */
public final class Replay {
  /** Most budget and limit crossings listed one by one. */
  public static final int MAX_LISTED = 1000;

  /** Calls one rule refused (or only flagged), and what the refused LLM calls had cost when they were made. */
  public record RuleCount(String rule, String reason, long toolCalls, long llmCalls, long savedNanos, Instant first,
      String firstWhere) {}

  /**
   * A budget or limit instance passed for the first time.
   *
   * @param kind       {@code budget}, {@code limit} or {@code pricing}
   * @param how        {@code refused} (a call was refused at it), {@code warned} ({@code on_exceed: warn}, or
   *                   monitor mode) or {@code spent past} (settled spend passed the cap)
   * @param spentNanos spend so far (budgets), else -1
   * @param limitNanos the cap in nano-USD (budgets with {@code max_usd}), else -1
   * @param maxCalls   the call cap (limits), else -1
   */
  public record Crossing(String kind, String name, String rule, String scope, String partition, String onExceed,
      String how, Instant ts, String where, long spentNanos, long limitNanos, long maxCalls) {}

  /** Everything the replay found. */
  public record Result(long toolCalls, long llmCalls, long recordedNanos, long replayedNanos, long savedNanos,
      List<RuleCount> refused, List<RuleCount> flagged, Map<String, Long> notEvaluated, List<Crossing> crossings,
      long crossingsNotListed) {
    public long refusedCalls() {
      return refused.stream().mapToLong(r -> r.toolCalls() + r.llmCalls()).sum();
    }

    public long notEvaluatedCalls() {
      return notEvaluated.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final LogClock clock = new LogClock();
  private final PolicyEngine engine;
  private final LlmGovernor governor;
  private final Map<String, String[]> halted = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String[]> eldest) {
      return size() > LlmGovernor.MAX_PARTITIONS;
    }
  };
  private final Map<String, Counting> refused = new LinkedHashMap<>();
  private final Map<String, Counting> flagged = new LinkedHashMap<>();
  private final Map<String, Long> notEvaluated = new LinkedHashMap<>();
  private final List<Crossing> crossings = new ArrayList<>();
  private long crossingsNotListed;
  private long toolCalls;
  private long llmCalls;
  private long recordedNanos;
  private long replayedNanos;
  private long savedNanos;

  public Replay(Policy policy) {
    this(policy, PriceTable.bundled());
  }

  public Replay(Policy policy, PriceTable prices) {
    this.engine = new PolicyEngine(policy, clock);
    this.governor = new LlmGovernor(policy, clock, LocalStore.inMemory(LlmGovernor.DEFAULT_RESERVATION_TTL, clock),
        null, LlmGovernor.DEFAULT_RESERVATION_TTL, prices);
  }

  /** Decides one recorded call again (or ends a run). */
  public void replay(Recorded recorded) {
    clock.reach(recorded.ts());
    if (recorded instanceof Recorded.ToolCallMade c) {
      tool(c);
    } else if (recorded instanceof Recorded.LlmCallMade c) {
      llm(c);
    } else if (recorded instanceof Recorded.RunEnded r) {
      engine.endRun(r.run());
      governor.endRun(r.run());
      halted.remove(r.run());
    }
  }

  private void tool(Recorded.ToolCallMade c) {
    toolCalls++;
    String[] halt = c.run() == null ? null : halted.get(c.run());
    if (halt != null) {
      count(refused, halt[0], halt[1], c, true, 0);
      return;
    }
    String argumentRule = engine.argumentRuleFor(c.tool());
    if (argumentRule != null) {
      notEvaluated.merge(argumentRule, 1L, Long::sum);
      return;
    }
    // the digest stands in for the arguments: only the loop guard looks at them once no argument rule applies
    String identity = c.argsSha256() == null ? null : "\"" + c.argsSha256() + "\"";
    ToolVerdict v = engine.decide(new ToolCall(c.tool(), c.framework(), c.run(), identity, c.session(), Map.of()));
    LimitBreach b = v.breach();
    if (b != null && b.first()) {
      cross(new Crossing("limit", b.limit(), v.rule().startsWith("limits[") ? v.rule() : ruleOfLimit(b.limit()),
          lower(b.scope()), b.partition(), lower(b.onExceed()), v.enforced() ? "refused" : "warned", c.ts(),
          c.where(), -1, -1, b.maxCalls()));
    }
    if (v.enforced()) {
      count(refused, v.rule(), v.reason(), c, true, 0);
      if (v.halt() && c.run() != null) {
        halted.put(c.run(), new String[] {v.rule(), "the run was halted by " + v.rule()});
      }
    } else if (v.outcome() != Outcome.ALLOW) {
      count(flagged, v.rule(), v.reason(), c, true, 0);
    }
  }

  private void llm(Recorded.LlmCallMade c) {
    llmCalls++;
    recordedNanos += c.costNanos();
    String[] halt = c.run() == null ? null : halted.get(c.run());
    if (halt != null) {
      count(refused, halt[0], halt[1], c, false, c.costNanos());
      return;
    }
    Admission a = governor.admit(new LlmCall(c.provider(), c.model(), c.run(), c.session(), null,
        c.usage().promptTokens(), c.usage().output(), 1));
    java.util.Set<String> crossedNow = new java.util.HashSet<>();
    for (Breach b : a.breaches()) {
      if (b.first()) {
        cross(crossing(b, a.enforced() ? "refused" : "warned", c));
        crossedNow.add(b.rule());
      }
    }
    if (a.enforced()) {
      count(refused, a.rule(), a.reason(), c, false, c.costNanos());
      if (a.halt() && c.run() != null) {
        halted.put(c.run(), new String[] {a.rule(), "the run was halted by " + a.rule()});
      }
      return;
    }
    if (a.outcome() != Outcome.ALLOW) {
      count(flagged, a.rule(), a.reason(), c, false, 0);
    }
    Settlement s = governor.settle(a, c.model(), c.usage(), false);
    replayedNanos += s.costNanos();
    for (Breach b : s.exceeded()) {
      if (b.first() && !crossedNow.contains(b.rule())) { // a warn budget this call was admitted past is listed once
        cross(crossing(b, "spent past", c));
      }
    }
  }

  private String ruleOfLimit(String name) {
    List<dev.tollgate.policy.Limit> limits = engine.policy().limits();
    for (int i = 0; i < limits.size(); i++) {
      if (limits.get(i).name().equals(name)) {
        return engine.policy().rulePrefix(name) + "limits[" + limits.get(i).index() + "]";
      }
    }
    return null;
  }

  private static Crossing crossing(Breach b, String how, Recorded c) {
    boolean limit = b.kind().equals("limit");
    return new Crossing(b.kind(), b.name(), b.rule(), b.scope(), b.partition(), lower(b.onExceed()), how, c.ts(),
        c.where(), limit ? -1 : b.spentNanos() + (how.equals("spent past") ? 0 : b.requestNanos()),
        limit ? -1 : b.limitNanos(), limit ? b.limitTokens() : -1);
  }

  private void cross(Crossing crossing) {
    if (crossings.size() < MAX_LISTED) {
      crossings.add(crossing);
    } else {
      crossingsNotListed++;
    }
  }

  private void count(Map<String, Counting> into, String rule, String reason, Recorded c, boolean tool, long saved) {
    Counting n = into.computeIfAbsent(rule == null ? "(none)" : rule, k -> new Counting(reason, c));
    if (tool) {
      n.toolCalls++;
    } else {
      n.llmCalls++;
    }
    n.savedNanos += saved;
    savedNanos += saved;
  }

  public Result result() {
    return new Result(toolCalls, llmCalls, recordedNanos, replayedNanos, savedNanos, counts(refused),
        counts(flagged), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(notEvaluated)), List.copyOf(crossings), crossingsNotListed);
  }

  private static List<RuleCount> counts(Map<String, Counting> map) {
    List<RuleCount> out = new ArrayList<>();
    map.forEach((rule, n) -> out.add(new RuleCount(rule, n.reason, n.toolCalls, n.llmCalls, n.savedNanos, n.first,
        n.firstWhere)));
    return List.copyOf(out);
  }

  private static String lower(Enum<?> e) {
    return e == null ? null : e.name().toLowerCase(Locale.ROOT);
  }

  private static final class Counting {
    final String reason;
    final Instant first;
    final String firstWhere;
    long toolCalls;
    long llmCalls;
    long savedNanos;

    Counting(String reason, Recorded c) {
      this.reason = reason;
      this.first = c.ts();
      this.firstWhere = c.where();
    }
  }

  /** The log's time: set by each recorded call, never going back. */
  private static final class LogClock extends Clock {
    private Instant now = Instant.EPOCH;

    void reach(Instant ts) {
      if (ts.isAfter(now)) {
        now = ts;
      }
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the replay's clock is UTC");
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
