package dev.tollgate.policy.engine;

import dev.tollgate.policy.Access;
import dev.tollgate.policy.Glob;
import dev.tollgate.policy.Limit;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.Scope;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides tool calls against one policy. Thread-safe: counters are atomic, so with M threads racing on a
 * limit of N exactly N calls are let through.
 *
 * <p>Order: deny globs, allow globs / default, then limits. A call refused by a tool rule does not count
 * toward limits; a call refused by a limit does not count either. In monitor mode every call runs and counts.
 * Outside any run ({@code runId == null}) each call is a run of its own.
 *
 * <p>Details this class settles:
 * <ul>
 *   <li>Tool rules: the first deny glob that matches decides ({@code tools.deny[i]}); otherwise the first
 *       matching allow glob ({@code tools.allow[i]}); otherwise {@code tools.default}. Globs are
 *       case-sensitive and match the whole name (see {@link Glob}). A null tool name is treated as "".</li>
 *   <li>Limits apply to a call when their {@code tools} glob matches. In enforce mode the block and halt
 *       limits are checked in file order, each taking a slot with a CAS; if one has no room, the slots this
 *       call already took are given back and that limit refuses the call ({@code limits[i]}). Only then are
 *       warn limits counted, unconditionally; a warn limit already at its cap yields {@link Outcome#WARN}.
 *       While a call holds a slot it may later give back, a racing call can see that limit full and be
 *       refused: limits are never overrun, at worst briefly under-used when several limits apply.</li>
 *   <li>Monitor mode refuses nothing: tool-rule denials are reported as DENY with {@code enforced=false},
 *       and since the call runs it counts toward every applicable limit. A limit passed in monitor mode is
 *       reported as DENY (block/halt, never {@code halt=true}) or WARN, with {@code enforced=false}. A
 *       tool-rule denial outranks a limit breach for {@code outcome}/{@code rule}, but the breach is still
 *       attached.</li>
 *   <li>When several limits are passed by one call, the first in file order is reported; {@code first} is
 *       consumed only for the reported one.</li>
 *   <li>Run counters live until {@link #endRun}; the agent must end every run it starts.</li>
 * </ul>
 */
public final class PolicyEngine {
  private final Policy policy;
  @SuppressWarnings({"unused", "FieldCanBeLocal"}) // kept for rolling windows and day/month scopes
  private final Clock clock;
  private final boolean monitor;
  private final Access defaultAccess;
  private final List<Glob> deny;
  private final List<Glob> allow;
  private final Limit[] limits;
  private final Glob[] limitTools;
  /** One counter per process-scope limit (null for run-scope slots). */
  private final CallCounter[] processCounters;
  private final ConcurrentHashMap<String, CallCounter[]> runs = new ConcurrentHashMap<>();

  public PolicyEngine(Policy policy, Clock clock) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.monitor = policy.mode() == Mode.MONITOR;
    this.defaultAccess = policy.tools().defaultAccess();
    this.deny = compile(policy.tools().deny());
    this.allow = compile(policy.tools().allow());
    this.limits = policy.limits().toArray(new Limit[0]);
    this.limitTools = new Glob[limits.length];
    this.processCounters = new CallCounter[limits.length];
    for (int i = 0; i < limits.length; i++) {
      limitTools[i] = Glob.of(limits[i].tools());
      if (limits[i].scope() == Scope.PROCESS) {
        processCounters[i] = new CallCounter();
      }
    }
  }

  public Policy policy() {
    return policy;
  }

  public ToolVerdict decide(ToolCall call) {
    String tool = call.tool() == null ? "" : call.tool();
    CallCounter[] counters = counters(call.runId());
    ToolVerdict ruling = toolRule(tool);
    if (ruling.outcome() == Outcome.DENY) {
      if (!monitor) {
        return ruling;
      }
      LimitBreach breach = countAll(tool, counters);
      return new ToolVerdict(Outcome.DENY, false, false, ruling.rule(), ruling.reason(), breach);
    }
    if (monitor) {
      LimitBreach breach = countAll(tool, counters);
      if (breach == null) {
        return ruling;
      }
      Outcome outcome = breach.onExceed() == OnExceed.WARN ? Outcome.WARN : Outcome.DENY;
      return new ToolVerdict(outcome, false, false, rule(breach), reason(breach), breach);
    }
    return admit(tool, counters, ruling);
  }

  /** Forgets a run's counters once the run has ended. */
  public void endRun(String runId) {
    if (runId != null) {
      runs.remove(runId);
    }
  }

  /** Calls counted so far against the named limit in a run (or the process), for tests and diagnostics. */
  public long callsCounted(String limitName, String runId) {
    for (int i = 0; i < limits.length; i++) {
      if (limits[i].name().equals(limitName)) {
        CallCounter counter = limits[i].scope() == Scope.PROCESS
            ? processCounters[i]
            : runId == null ? null : runs.getOrDefault(runId, new CallCounter[limits.length])[i];
        return counter == null ? 0 : counter.calls();
      }
    }
    throw new IllegalArgumentException("no limit named \"" + limitName + "\"");
  }

  private ToolVerdict toolRule(String tool) {
    for (int i = 0; i < deny.size(); i++) {
      if (deny.get(i).matches(tool)) {
        return verdict(Outcome.DENY, "tools.deny[" + i + "]",
            "tool \"" + tool + "\" matches deny glob \"" + deny.get(i) + "\"");
      }
    }
    for (int i = 0; i < allow.size(); i++) {
      if (allow.get(i).matches(tool)) {
        return verdict(Outcome.ALLOW, "tools.allow[" + i + "]",
            "tool \"" + tool + "\" matches allow glob \"" + allow.get(i) + "\"");
      }
    }
    return defaultAccess == Access.DENY
        ? verdict(Outcome.DENY, "tools.default", "tool \"" + tool + "\" is not in tools.allow and tools.default is deny")
        : verdict(Outcome.ALLOW, "tools.default", "tool \"" + tool + "\" is allowed by tools.default");
  }

  private ToolVerdict verdict(Outcome outcome, String rule, String reason) {
    return new ToolVerdict(outcome, outcome == Outcome.DENY && !monitor, false, rule, reason, null);
  }

  /** Enforce mode: take a slot on every applicable block/halt limit or none, then count warn limits. */
  private ToolVerdict admit(String tool, CallCounter[] counters, ToolVerdict ruling) {
    List<CallCounter> taken = new ArrayList<>(2);
    for (int i = 0; i < limits.length; i++) {
      Limit limit = limits[i];
      if (limit.onExceed() == OnExceed.WARN || !limitTools[i].matches(tool)) {
        continue;
      }
      if (counters[i].tryTake(limit.maxCalls())) {
        taken.add(counters[i]);
        continue;
      }
      for (CallCounter counter : taken) {
        counter.giveBack();
      }
      LimitBreach breach = breach(limit, counters[i].firstBreach());
      return new ToolVerdict(Outcome.DENY, true, limit.onExceed() == OnExceed.HALT, rule(breach), reason(breach), breach);
    }
    LimitBreach warned = null;
    for (int i = 0; i < limits.length; i++) {
      Limit limit = limits[i];
      if (limit.onExceed() != OnExceed.WARN || !limitTools[i].matches(tool)) {
        continue;
      }
      if (counters[i].countAnyway() >= limit.maxCalls() && warned == null) {
        warned = breach(limit, counters[i].firstBreach());
      }
    }
    if (warned == null) {
      return ruling;
    }
    return new ToolVerdict(Outcome.WARN, false, false, rule(warned), reason(warned), warned);
  }

  /** Monitor mode and monitored denials: the call runs, so it counts everywhere; report the first breach. */
  private LimitBreach countAll(String tool, CallCounter[] counters) {
    LimitBreach first = null;
    for (int i = 0; i < limits.length; i++) {
      if (!limitTools[i].matches(tool)) {
        continue;
      }
      if (counters[i].countAnyway() >= limits[i].maxCalls() && first == null) {
        first = breach(limits[i], counters[i].firstBreach());
      }
    }
    return first;
  }

  private CallCounter[] counters(String runId) {
    if (runId == null) {
      return newCounters(); // a run of its own: fresh run counters, retained nowhere
    }
    return runs.computeIfAbsent(runId, id -> newCounters());
  }

  private CallCounter[] newCounters() {
    CallCounter[] counters = new CallCounter[limits.length];
    for (int i = 0; i < limits.length; i++) {
      counters[i] = limits[i].scope() == Scope.PROCESS ? processCounters[i] : new CallCounter();
    }
    return counters;
  }

  private static LimitBreach breach(Limit limit, boolean first) {
    return new LimitBreach(limit.name(), limit.scope(), limit.maxCalls(), limit.onExceed(), first);
  }

  private String rule(LimitBreach breach) {
    for (Limit limit : limits) {
      if (limit.name().equals(breach.limit())) {
        return "limits[" + limit.index() + "]";
      }
    }
    throw new IllegalStateException("unknown limit " + breach.limit());
  }

  private static String reason(LimitBreach breach) {
    String per = breach.scope() == Scope.RUN ? "run" : "process";
    return "limit \"" + breach.limit() + "\" allows " + breach.maxCalls()
        + (breach.maxCalls() == 1 ? " call" : " calls") + " per " + per;
  }

  private static List<Glob> compile(List<String> globs) {
    List<Glob> compiled = new ArrayList<>(globs.size());
    for (String glob : globs) {
      compiled.add(Glob.of(glob));
    }
    return List.copyOf(compiled);
  }
}
