package dev.tollgate.policy.engine;

import dev.tollgate.policy.Access;
import dev.tollgate.policy.ArgumentRule;
import dev.tollgate.policy.Glob;
import dev.tollgate.policy.Limit;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.Scope;
import dev.tollgate.policy.ToolRules;
import dev.tollgate.policy.store.Adjustments;
import dev.tollgate.policy.store.BudgetStore;
import dev.tollgate.policy.store.Claim;
import dev.tollgate.policy.store.Counter;
import dev.tollgate.policy.store.Grant;
import dev.tollgate.policy.store.Seen;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides tool calls against one policy. Thread-safe: counters are atomic, so with M threads racing on a
 * limit of N exactly N calls are let through (with or without a window).
 *
 * <p>Order: deny globs, argument rules, allow globs / default, then limits. A call refused by a tool rule does
 * not count toward limits; a call refused by a limit does not count either. In monitor mode every call runs
 * and counts. Outside any run ({@code runId == null}) each call is a run of its own; likewise a call without
 * a session is a session of its own for {@code scope: session} limits.
 *
 * <p>Details this class settles:
 * <ul>
 *   <li>Tool rules: the first deny glob that matches decides ({@code tools.deny[i]}) and nothing overrides
 *       it. Otherwise the first argument rule that matches decides ({@code tools.rules[i]}): its
 *       {@code allow} beats {@code tools.default: deny}, its {@code deny} beats {@code tools.allow}.
 *       Otherwise the first matching allow glob ({@code tools.allow[i]}), otherwise {@code tools.default}.
 *       Under an active profile the paths start with {@code profiles.<name>.tools}. Globs are case-sensitive
 *       and match the whole name (see {@link Glob}). A null tool name is treated as "".</li>
 *   <li>Argument rules read the call's arguments (see {@link Arguments}). When they cannot be read, a rule
 *       that looks at arguments cannot match; if it is a deny rule whose tool glob matches, it denies the call
 *       (fail closed), saying the arguments could not be read. Regexes are RE2 (linear time) and must match
 *       the whole value.</li>
 *   <li>Limits with {@code llm:} count LLM calls (see {@code budget.LlmGovernor}) and never tool calls.</li>
 *   <li>Limits apply to a call when their {@code tools} glob matches. Each counts in one bucket: its scope
 *       instance (the run, the session or the process) and its partition ({@code per}: the call's session or
 *       MDC value, "" when the call has none). In enforce mode the block and halt limits are checked in file
 *       order, each taking a slot with a CAS ({@code max_calls}, then {@code max_identical} for the call's tool
 *       and canonical arguments); if one has no room, the slots this call already took are given back and
 *       that limit refuses the call ({@code limits[i]}). Only then are warn limits counted,
 *       unconditionally; a warn limit already at its cap yields {@link Outcome#WARN}.
 *       While a call holds a slot it may later give back, a racing call can see that limit full and be
 *       refused: limits are never overrun, at worst briefly under-used when several limits apply.</li>
 *   <li>Memory: sessions and partitions are kept per limit in at most {@link #MAX_PARTITIONS} buckets, and
 *       identical-call counters in at most {@link #MAX_PARTITIONS} per bucket, least recently used evicted
 *       (an evicted counter starts again from zero). Windows keep only timestamps inside the window.</li>
 *   <li>Monitor mode refuses nothing: tool-rule denials are reported as DENY with {@code enforced=false},
 *       and since the call runs it counts toward every applicable limit. A limit passed in monitor mode is
 *       reported as DENY (block/halt, never {@code halt=true}) or WARN, with {@code enforced=false}. A
 *       tool-rule denial outranks a limit breach for {@code outcome}/{@code rule}, but the breach is still
 *       attached.</li>
 *   <li>When several limits are passed by one call, the first in file order is reported; {@code first} is
 *       consumed only for the reported one.</li>
 *   <li>Run counters live until {@link #endRun}; the agent must end every run it starts.</li>
 *   <li>With a shared store ({@code ledger.store: redis}), session limits of calls that have a session are counted
 *       in that store, so every JVM with the same key prefix counts the session's calls together (with their
 *       windows and loop guards). They are asked after this JVM's own limits, in one all-or-nothing step; a refusal
 *       gives back the slots already taken here. While the store cannot be asked, {@code on_unavailable} decides:
 *       {@code block} refuses the call (rule {@code ledger.redis.on_unavailable}).</li>
 * </ul>
 */
public final class PolicyEngine {
  /** Most buckets (sessions x partitions) one limit keeps, and most identical-call counters per bucket. */
  public static final int MAX_PARTITIONS = 10_000;

  private final Policy policy;
  private final Clock clock;
  /** Every limit is only reported (the app monitors, and no governance layer enforces a limit). */
  private final boolean monitor;
  private final ToolRules tools;
  /** The governance layers' tool rules, decided before the app's, in order; empty when not governed. */
  private final RuleSet[] orgRules;
  /** The app's own tool rules. */
  private final RuleSet appRules;
  /** Per limit: only reported (its file monitors), never refusing. */
  private final boolean[] monitoredLimit;
  private final McpServerNames mcpServerNames;
  private final Limit[] limits;
  private final Glob[] limitTools;
  /** Per limit: the process's buckets (process scope) or every session's (session scope); null for run scope. */
  private final Partitions[] shared;
  private final ConcurrentHashMap<String, Partitions[]> runs = new ConcurrentHashMap<>();
  /** The engine this one replaced on a reload (its runs' counters carry over), or null. */
  private volatile PolicyEngine previous;
  /** Per limit: the index of the same-shaped limit in {@link #previous}, or -1. */
  private final int[] previousIndex;
  /** Per limit: that limit has the same caps too, so its counters are shared as they are. */
  private final boolean[] sameCaps;
  /** The shared store session limits count in, or null when every limit counts in this JVM. */
  private final BudgetStore fleet;
  /** Operators' approvals (and overrides) that raise a limit instance's {@code max_calls}. */
  private final Adjustments adjustments;
  /** Per limit: true when its calls with a session count in {@link #fleet}. */
  private final boolean[] inFleet;
  /**
   * The tool-rule verdict of tool names no argument-reading rule applies to (it depends on the name alone), so
   * that a repeated tool is matched once; at most {@link #MAX_CACHED_TOOLS} names, later ones are matched each time.
   */
  private final ConcurrentHashMap<String, ToolVerdict> nameVerdicts = new ConcurrentHashMap<>();
  static final int MAX_CACHED_TOOLS = 1024;
  /** Longest tool name whose verdict is cached, so the cache holds at most about 512 KiB of names. */
  static final int MAX_CACHED_NAME = 256;
  /**
   * Longest tool name decided at all: the model chooses names, and a longer one is refused without being matched,
   * quoted in a reason or kept anywhere (real names are identifiers, MCP ones a connection and a name).
   */
  public static final int MAX_TOOL_NAME = 1024;
  /** Longest call identity kept as text for {@code max_identical}; longer ones are kept as their SHA-256. */
  static final int MAX_PLAIN_IDENTITY = 256;

  public PolicyEngine(Policy policy, Clock clock) {
    this(policy, clock, null);
  }

  /** @param fleet the shared store session limits count in (a {@link BudgetStore#shared()} one), or null */
  public PolicyEngine(Policy policy, Clock clock, BudgetStore fleet) {
    this(policy, clock, fleet, new Adjustments());
  }

  /**
   * @param adjustments where operators' approvals of paused calls raise limits ({@code on_exceed: pause}); the same
   *                    instance the audit follower (and the LLM governor) feeds
   */
  public PolicyEngine(Policy policy, Clock clock, BudgetStore fleet, Adjustments adjustments) {
    this(policy, clock, fleet, adjustments, null);
  }

  /**
   * The engine of a reloaded policy (with the running engine's {@code adjustments}). Limits of {@code previous} that
   * keep their name, scope, {@code per}, window and kind carry their counts over: the same counters when their caps are
   * unchanged, else counters that start from the old counts (a run's, lazily, at its first call here). A limit whose
   * shape changed starts from zero. Calls still being decided by {@code previous} while this one takes over may be
   * missed by a changed limit's new counters.
   */
  public PolicyEngine(Policy policy, Clock clock, BudgetStore fleet, Adjustments adjustments,
      PolicyEngine previous) {
    this.adjustments = Objects.requireNonNull(adjustments, "adjustments");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.fleet = fleet != null && fleet.shared() ? fleet : null;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tools = policy.tools();
    dev.tollgate.policy.args.MatchContext context = dev.tollgate.policy.args.MatchContext.system();
    List<dev.tollgate.policy.Governance.Layer> layers = policy.governance().layers();
    this.orgRules = new RuleSet[layers.size()];
    for (int i = 0; i < orgRules.length; i++) {
      Policy org = layers.get(i).policy();
      orgRules[i] = new RuleSet(layers.get(i).label() + ": ", org.tools(), org.mode() == Mode.MONITOR, context);
    }
    this.appRules = new RuleSet("", tools, policy.mode() == Mode.MONITOR, context);
    java.util.Map<String, String> servers = new java.util.LinkedHashMap<>();
    for (dev.tollgate.policy.Governance.Layer layer : layers) {
      layer.policy().tools().mcpServers().forEach(servers::putIfAbsent);
    }
    tools.mcpServers().forEach(servers::putIfAbsent);
    this.mcpServerNames = new McpServerNames(servers);
    this.limits = policy.limits().toArray(new Limit[0]);
    this.monitoredLimit = new boolean[limits.length];
    boolean everyLimitMonitored = true;
    for (int i = 0; i < limits.length; i++) {
      monitoredLimit[i] = policy.monitors(limits[i].name());
      everyLimitMonitored &= monitoredLimit[i];
    }
    this.monitor = everyLimitMonitored && policy.mode() == Mode.MONITOR;
    this.limitTools = new Glob[limits.length];
    this.shared = new Partitions[limits.length];
    this.inFleet = new boolean[limits.length];
    this.previousIndex = new int[limits.length];
    this.sameCaps = new boolean[limits.length];
    for (int i = 0; i < limits.length; i++) {
      inFleet[i] = this.fleet != null && limits[i].scope() == Scope.SESSION && !limits[i].countsLlmCalls();
      limitTools[i] = limits[i].countsLlmCalls() ? null : Glob.of(limits[i].tools());
      previousIndex[i] = previous == null ? -1 : previous.sameShape(limits[i]);
      sameCaps[i] = previousIndex[i] >= 0 && previous.limits[previousIndex[i]].maxCalls() == limits[i].maxCalls()
          && previous.limits[previousIndex[i]].maxIdentical() == limits[i].maxIdentical();
      Partitions before = previousIndex[i] < 0 ? null : previous.shared[previousIndex[i]];
      if (limits[i].scope() == Scope.PROCESS || limits[i].scope() == Scope.SESSION) {
        boolean partitioned = limits[i].scope() == Scope.SESSION || limits[i].per() != null;
        shared[i] = before == null ? new Partitions(limits[i], partitioned)
            : sameCaps[i] ? before : new Partitions(limits[i], partitioned, before, clock);
      }
    }
    this.previous = previous;
    if (previous != null) {
      previous.previous = null; // runs older than one reload and not seen since start from zero (see above)
    }
  }

  /** The index of this engine's limit with {@code limit}'s name, scope, per, window and kind, or -1. */
  private int sameShape(Limit limit) {
    for (int j = 0; j < limits.length; j++) {
      Limit l = limits[j];
      if (l.name().equals(limit.name()) && l.scope() == limit.scope() && Objects.equals(l.per(), limit.per())
          && Objects.equals(l.window(), limit.window()) && l.countsLlmCalls() == limit.countsLlmCalls()) {
        return j;
      }
    }
    return -1;
  }


  public Policy policy() {
    return policy;
  }

  /** Where approvals and overrides of limits are taken in (see {@link Adjustments#capCalls}). */
  public Adjustments adjustments() {
    return adjustments;
  }

  /** The policy's limit {@code name}, or null. */
  public Limit limit(String name) {
    for (Limit l : limits) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    return null;
  }

  /**
   * The server name of an MCP connection as the app configured it ({@link McpServerNames}): tools reached
   * through it are called {@code <name>/<tool>}.
   */
  public String mcpServerName(String connection) {
    return mcpServerNames.nameOf(connection);
  }

  public ToolVerdict decide(ToolCall call) {
    Call c = new Call(call, clock.millis());
    ToolVerdict ruling = toolRule(c);
    if (ruling.outcome() == Outcome.DENY) {
      if (ruling.enforced()) {
        return ruling;
      }
      if (!monitor) {
        // a monitored denial, but a governance layer's limits still refuse: the call runs unless one of them does
        ToolVerdict v = admit(c, ruling);
        return v.enforced() ? v : new ToolVerdict(Outcome.DENY, false, false, ruling.rule(), ruling.reason(), v.breach());
      }
      LimitBreach breach = countAll(c);
      return new ToolVerdict(Outcome.DENY, false, false, ruling.rule(), ruling.reason(), breach);
    }
    if (monitor) {
      Breach breach = countAllBreach(c);
      if (breach == null) {
        return ruling;
      }
      Outcome outcome = breach.limit.onExceed() == OnExceed.WARN ? Outcome.WARN : Outcome.DENY;
      return new ToolVerdict(outcome, false, false, rule(breach.limit), breach.reason(), breach.report);
    }
    return admit(c, ruling);
  }

  /**
   * Decides {@code call} as {@link #decide} does (counting it), and says how each argument matcher consulted read
   * its value; for {@code explain}, not for the hot path.
   */
  public Explanation explain(ToolCall call) {
    Call c = new Call(call, clock.millis());
    c.traces = new ArrayList<>();
    if (c.tool.length() <= MAX_TOOL_NAME) {
      matchToolRules(c);
    }
    return new Explanation(decide(call), c.traces);
  }

  /**
   * The tool rules' verdict alone (deny globs, argument rules, allow globs, default), counting nothing: for a call
   * already decided and counted under another name (an MCP tool reached through a framework's adapter), which must
   * pass the rules under its own name too.
   */
  public ToolVerdict decideToolRules(ToolCall call) {
    return toolRule(new Call(call, clock.millis()));
  }

  /**
   * The path of the argument rule that would read {@code tool}'s arguments before anything else decides it (no deny
   * glob matches, and no earlier rule decides on the name alone), or null when the name alone decides. A log keeps
   * only a digest of the arguments, so a replay must not decide such a call either way.
   */
  public String argumentRuleFor(String tool) {
    String name = tool == null ? "" : tool;
    if (name.length() > MAX_TOOL_NAME) {
      return null;
    }
    for (RuleSet set : orgRules) {
      String path = set.argumentRuleFor(name);
      if (path != null) {
        return path.isEmpty() ? null : path;
      }
    }
    String path = appRules.argumentRuleFor(name);
    return path == null || path.isEmpty() ? null : path;
  }

  /** Forgets a run's counters once the run has ended. */
  public void endRun(String runId) {
    if (runId != null) {
      runs.remove(runId);
      PolicyEngine before = previous;
      if (before != null) {
        before.endRun(runId);
      }
    }
  }

  /** Calls counted so far against the named limit in a run (or the process), for tests and diagnostics. */
  public long callsCounted(String limitName, String runId) {
    return callsCountedFor(limitName, new ToolCall("", "", runId));
  }

  /**
   * Calls counted so far against the named limit's {@code max_calls} in the bucket {@code call} would count
   * in (its run, session or the process, and its partition), within the window now; for tests and
   * diagnostics. 0 when the bucket does not exist (yet, or any more).
   */
  public long callsCountedFor(String limitName, ToolCall call) {
    int i = indexOf(limitName);
    Bucket bucket = existingBucket(i, call);
    return bucket == null || bucket.calls == null ? 0 : bucket.calls.calls(clock.millis());
  }

  /** Like {@link #callsCountedFor(String, ToolCall)} for {@code max_identical}: calls identical to {@code call}. */
  public long identicalCountedFor(String limitName, ToolCall call) {
    int i = indexOf(limitName);
    Bucket bucket = existingBucket(i, call);
    Counter counter = bucket == null ? null : bucket.identicalIfPresent(new Call(call, 0).digest());
    return counter == null ? 0 : counter.calls(clock.millis());
  }

  private int indexOf(String limitName) {
    for (int i = 0; i < limits.length; i++) {
      if (limits[i].name().equals(limitName)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no limit named \"" + limitName + "\"");
  }

  // ---- tool rules ------------------------------------------------------------------------------------------

  private ToolVerdict toolRule(Call c) {
    if (c.tool.length() > MAX_TOOL_NAME) {
      return new ToolVerdict(Outcome.DENY, !appRules.monitor
          || java.util.Arrays.stream(orgRules).anyMatch(r -> !r.monitor), false,
          tools.path(), "the tool name is " + c.tool.length() + " characters long; names over "
          + MAX_TOOL_NAME + " characters are refused", null);
    }
    ToolVerdict cached = nameVerdicts.get(c.tool);
    if (cached != null) {
      return cached;
    }
    ToolVerdict v = matchToolRules(c);
    if (c.tool.length() <= MAX_CACHED_NAME && nameVerdicts.size() < MAX_CACHED_TOOLS
        && !anyRuleReadsArgumentsOf(c.tool)) {
      nameVerdicts.putIfAbsent(c.tool, v);
    }
    return v;
  }

  /** Names whose verdict is cached (for tests of the bound). */
  int cachedNames() {
    return nameVerdicts.size();
  }

  private boolean anyRuleReadsArgumentsOf(String tool) {
    for (RuleSet set : orgRules) {
      if (set.readsArgumentsOf(tool)) {
        return true;
      }
    }
    return appRules.readsArgumentsOf(tool);
  }

  /**
   * The governance layers' rules first: an enforced denial of any of them is final (the app cannot allow what the
   * organisation denies, whatever its rules or mode); a monitored one is reported unless the app's rules deny too.
   */
  private ToolVerdict matchToolRules(Call c) {
    ToolVerdict monitoredDenial = null;
    for (RuleSet set : orgRules) {
      ToolVerdict v = set.match(c);
      if (v.outcome() == Outcome.DENY) {
        if (v.enforced()) {
          return v;
        }
        monitoredDenial = monitoredDenial == null ? v : monitoredDenial;
      }
    }
    ToolVerdict v = appRules.match(c);
    return v.outcome() != Outcome.DENY && monitoredDenial != null ? monitoredDenial : v;
  }

  /** One file's tool rules: deny globs, argument rules, allow globs, default; rule paths start with its label. */
  private static final class RuleSet {
    final String base;
    final ToolRules tools;
    final boolean monitor;
    final List<Glob> deny;
    final List<Glob> allow;
    final List<CompiledArgumentRule> rules;

    RuleSet(String label, ToolRules tools, boolean monitor, dev.tollgate.policy.args.MatchContext context) {
      this.base = label + tools.path();
      this.tools = tools;
      this.monitor = monitor;
      this.deny = compile(tools.deny());
      this.allow = compile(tools.allow());
      List<CompiledArgumentRule> compiled = new ArrayList<>();
      for (ArgumentRule rule : tools.rules()) {
        compiled.add(new CompiledArgumentRule(rule, context));
      }
      this.rules = List.copyOf(compiled);
    }

    boolean readsArgumentsOf(String tool) {
      for (CompiledArgumentRule rule : rules) {
        if (rule.rule().readsArguments() && rule.appliesTo(tool)) {
          return true;
        }
      }
      return false;
    }

    /** The path of the argument rule that would read the arguments first; "" when the name decides; null: next set. */
    String argumentRuleFor(String name) {
      for (Glob glob : deny) {
        if (glob.matchesTool(name)) {
          return "";
        }
      }
      for (CompiledArgumentRule rule : rules) {
        if (rule.appliesTo(name)) {
          if (rule.rule().readsArguments()) {
            return base + ".rules[" + rule.rule().index() + "]";
          }
          return rule.rule().decision() == Access.DENY ? "" : null;
        }
      }
      for (Glob glob : allow) {
        if (glob.matches(name)) {
          return null;
        }
      }
      return tools.defaultAccess() == Access.DENY ? "" : null;
    }

    ToolVerdict match(Call c) {
      String tool = c.tool;
      for (int i = 0; i < deny.size(); i++) {
        if (deny.get(i).matchesTool(tool)) {
          return verdict(Outcome.DENY, base + ".deny[" + i + "]",
              "tool \"" + tool + "\" matches deny glob \"" + deny.get(i) + "\"");
        }
      }
      for (CompiledArgumentRule rule : rules) {
        CompiledArgumentRule.Match m = rule.decide(tool, c::arguments, base, c.traces);
        if (m != null) {
          return verdict(m.decision() == Access.DENY ? Outcome.DENY : Outcome.ALLOW, m.path(), m.reason());
        }
      }
      for (int i = 0; i < allow.size(); i++) {
        // an allow glob names whole tools: "read_file" does not admit every MCP server's read_file (deny globs do
        // cover them, see Glob#matchesTool)
        if (allow.get(i).matches(tool)) {
          return verdict(Outcome.ALLOW, base + ".allow[" + i + "]",
              "tool \"" + tool + "\" matches allow glob \"" + allow.get(i) + "\"");
        }
      }
      return tools.defaultAccess() == Access.DENY
          ? verdict(Outcome.DENY, base + ".default",
              "tool \"" + tool + "\" is not in " + base + ".allow and " + base + ".default is deny")
          : verdict(Outcome.ALLOW, base + ".default", "tool \"" + tool + "\" is allowed by " + base + ".default");
    }

    private ToolVerdict verdict(Outcome outcome, String rule, String reason) {
      return new ToolVerdict(outcome, outcome == Outcome.DENY && !monitor, false, rule, reason, null);
    }
  }

  // ---- limits ----------------------------------------------------------------------------------------------

  /** Enforce mode: take a slot on every applicable block/halt limit or none, then count warn limits. */
  private ToolVerdict admit(Call c, ToolVerdict ruling) {
    List<Counter> taken = new ArrayList<>(2);
    for (int i = 0; i < limits.length; i++) {
      Limit limit = limits[i];
      if (reportsOnly(i) || !countsTool(i, c.tool) || aloneAndAdmitted(i, c) || counted(i, c)) {
        continue;
      }
      Bucket bucket = bucket(i, c);
      Counter refusing = null;
      if (limit.capsCalls()) {
        if (bucket.calls.tryTake(c.now, capCalls(limit, c))) {
          taken.add(bucket.calls);
        } else {
          refusing = bucket.calls;
        }
      }
      if (refusing == null && limit.capsIdentical()) {
        Counter identical = bucket.identical(c.digest());
        if (identical.tryTake(c.now)) {
          taken.add(identical);
        } else {
          refusing = identical;
        }
      }
      if (refusing == null) {
        continue;
      }
      for (Counter counter : taken) {
        counter.giveBack(c.now);
      }
      Breach breach = new Breach(limit, refusing != bucket.calls, refusing.firstBreach(), partition(limit, c),
          instance(limit, c), refusing == bucket.calls ? capCalls(limit, c) : limit.maxIdentical());
      return new ToolVerdict(Outcome.DENY, true, limit.onExceed() == OnExceed.HALT, rule(limit), breach.reason(),
          breach.report);
    }
    Breach warned = null;
    if (fleet != null && c.session != null) {
      FleetAnswer answer = askFleet(c, true);
      if (answer != null && answer.refusal != null) {
        for (Counter counter : taken) {
          counter.giveBack(c.now);
        }
        return answer.refusal;
      }
      warned = answer == null ? null : answer.warned;
    }
    for (int i = 0; i < limits.length; i++) {
      if (reportsOnly(i) && countsTool(i, c.tool) && !counted(i, c)) {
        Breach breach = count(i, c, warned == null);
        warned = warned == null ? breach : warned;
      }
    }
    if (warned == null) {
      return ruling;
    }
    // a warn limit warns; a block or halt limit of a monitoring file reports the denial it would have made
    return new ToolVerdict(warned.limit.onExceed() == OnExceed.WARN ? Outcome.WARN : Outcome.DENY, false, false,
        rule(warned.limit), warned.reason(), warned.report);
  }

  /** True when limit {@code i} never refuses: {@code on_exceed: warn}, or its file (app or governance) monitors. */
  private boolean reportsOnly(int i) {
    return limits[i].onExceed() == OnExceed.WARN || monitoredLimit[i];
  }

  /** Monitor mode and monitored denials: the call runs, so it counts everywhere; report the first breach. */
  private LimitBreach countAll(Call c) {
    Breach first = countAllBreach(c);
    return first == null ? null : first.report;
  }

  private Breach countAllBreach(Call c) {
    Breach first = null;
    if (fleet != null && c.session != null) {
      FleetAnswer answer = askFleet(c, false);
      first = answer == null ? null : answer.warned;
    }
    for (int i = 0; i < limits.length; i++) {
      if (countsTool(i, c.tool) && !counted(i, c)) {
        Breach breach = count(i, c, first == null);
        first = first == null ? breach : first;
      }
    }
    return first;
  }

  /** True when limit {@code i} counts this call in the shared store rather than here. */
  private boolean counted(int i, Call c) {
    return inFleet[i] && c.session != null;
  }

  /** What the shared store said: the refusal (when an enforcing claim had no room) or the first breach to report. */
  private record FleetAnswer(ToolVerdict refusal, Breach warned) {}

  /**
   * Counts the call on every applicable session limit in the shared store, in one step. {@code enforce}: block and
   * halt limits refuse when full (else everything is counted and only reported). Null when no limit applies.
   */
  private FleetAnswer askFleet(Call c, boolean enforce) {
    List<Claim> claims = new ArrayList<>(2);
    List<Limit> owners = new ArrayList<>(2);
    List<Boolean> identical = new ArrayList<>(2);
    for (int i = 0; i < limits.length; i++) {
      Limit limit = limits[i];
      if (!inFleet[i] || !countsTool(i, c.tool)) {
        continue;
      }
      boolean enforcing = enforce && !reportsOnly(i);
      long window = limit.window() == null ? -1 : limit.window().toMillis();
      String partition = partition(limit, c);
      if (limit.capsCalls()) {
        claims.add(Claim.count(limit.name(), "session", c.session, partition, null, null, false,
            adjustments.capCalls(limit.name(), partition, c.session, limit.maxCalls(), c.now), window, enforcing, -1));
        owners.add(limit);
        identical.add(false);
      }
      if (limit.capsIdentical()) {
        claims.add(Claim.count(limit.name(), "session", c.session, partition, c.digest(), null, false,
            limit.maxIdentical(), window, enforcing, -1));
        owners.add(limit);
        identical.add(true);
      }
    }
    if (claims.isEmpty()) {
      return null;
    }
    Grant grant = fleet.reserve(null, claims, c.now);
    if (!grant.granted() && grant.unavailable() != null
        && grant.seen().stream().noneMatch(Seen::over)) {
      return new FleetAnswer(new ToolVerdict(Outcome.DENY, true, false, "ledger.redis.on_unavailable",
          "the shared ledger that counts session limits is unavailable (" + grant.unavailable()
              + "), and ledger.redis.on_unavailable is block", null), null);
    }
    Breach refusing = null;
    Breach reported = null;
    for (int k = 0; k < claims.size(); k++) {
      Seen seen = grant.seen().get(k);
      if (!seen.over()) {
        continue;
      }
      Limit owner = owners.get(k);
      Breach breach = new Breach(owner, identical.get(k), seen.first(), claims.get(k).partition(),
          owner.onExceed() == OnExceed.PAUSE ? c.session : null, claims.get(k).capCalls());
      if (claims.get(k).enforcing() && refusing == null) {
        refusing = breach;
      }
      if (reported == null) {
        reported = breach;
      }
    }
    if (!grant.granted() && refusing != null) {
      return new FleetAnswer(new ToolVerdict(Outcome.DENY, true, refusing.limit.onExceed() == OnExceed.HALT,
          rule(refusing.limit), refusing.reason(), refusing.report), null);
    }
    return new FleetAnswer(null, reported);
  }

  /** True when limit {@code i} is a tool limit whose glob matches {@code tool} (LLM-call limits never count tools). */
  private boolean countsTool(int i, String tool) {
    return limitTools[i] != null && limitTools[i].matchesTool(tool);
  }

  /** Counts a call that runs whatever the caps; the breach (consuming {@code first} only if asked) or null. */
  private Breach count(int i, Call c, boolean report) {
    Limit limit = limits[i];
    if (aloneAndAdmitted(i, c)) {
      return null;
    }
    Bucket bucket = bucket(i, c);
    Counter over = null;
    if (limit.capsCalls() && bucket.calls.countAnyway(c.now, capCalls(limit, c))) {
      over = bucket.calls;
    }
    if (limit.capsIdentical()) {
      Counter identical = bucket.identical(c.digest());
      if (identical.countAnyway(c.now) && over == null) {
        over = identical;
      }
    }
    if (over == null || !report) {
      return null;
    }
    return new Breach(limit, over != bucket.calls, over.firstBreach(), partition(limit, c), instance(limit, c),
        over == bucket.calls ? capCalls(limit, c) : limit.maxIdentical());
  }

  /**
   * The {@code max_calls} of the call's instance of {@code limit}: the policy's, raised by operators' approvals and
   * overrides of that instance (one volatile read when there are none).
   */
  private long capCalls(Limit limit, Call c) {
    if (limit.onExceed() != OnExceed.PAUSE) {
      return limit.maxCalls(); // only approvals of paused calls raise a limit
    }
    return adjustments.capCalls(limit.name(), partition(limit, c), instance(limit, c), limit.maxCalls(), c.now);
  }

  /**
   * The scope instance a call counts in for {@code limit}, as approvals name it: its run, its session, or
   * {@code process}; null for a call alone in its run or session (nothing is kept for it, nothing can raise it), and
   * for a limit that does not pause (nothing asks).
   */
  private static String instance(Limit limit, Call c) {
    if (limit.onExceed() != OnExceed.PAUSE) {
      return null; // only a paused call names it
    }
    return switch (limit.scope()) {
      case RUN -> c.runId;
      case SESSION -> c.session;
      case PROCESS -> "process";
    };
  }

  /**
   * True when the call is alone in its bucket of limit {@code i} (a run or session of its own) and a first call
   * passes that limit: every limit but {@code max_calls: 0} (max_identical is at least 1). Such a bucket would be
   * created, used once and dropped, so it is not created at all.
   */
  private boolean aloneAndAdmitted(int i, Call c) {
    Limit limit = limits[i];
    boolean alone = switch (limit.scope()) {
      case RUN -> c.runId == null;
      case SESSION -> c.session == null;
      case PROCESS -> false;
    };
    return alone && (!limit.capsCalls() || limit.maxCalls() >= 1);
  }

  /** The bucket a call counts in for limit {@code i}, created when missing. */
  private Bucket bucket(int i, Call c) {
    Limit limit = limits[i];
    String partition = partition(limit, c);
    String key = partition == null ? "" : partition;
    return switch (limit.scope()) {
      case PROCESS -> shared[i].bucket(key);
      case SESSION -> c.session == null ? c.ownSession(i) : shared[i].bucket(c.session + '\u0000' + key);
      case RUN -> c.runId == null ? c.ownRun(i) : runs.computeIfAbsent(c.runId, this::newRun)[i].bucket(key);
    };
  }

  private Bucket existingBucket(int i, ToolCall call) {
    Limit limit = limits[i];
    Call c = new Call(call, 0);
    String partition = partition(limit, c);
    String key = partition == null ? "" : partition;
    return switch (limit.scope()) {
      case PROCESS -> shared[i].bucketIfPresent(key);
      case SESSION -> c.session == null ? null : shared[i].bucketIfPresent(c.session + '\u0000' + key);
      case RUN -> {
        Partitions[] run = c.runId == null ? null : runs.get(c.runId);
        yield run == null ? null : run[i].bucketIfPresent(key);
      }
    };
  }

  private Partitions[] newRun(String runId) {
    PolicyEngine before = previous;
    Partitions[] old = before == null ? null : before.runs.get(runId);
    Partitions[] run = new Partitions[limits.length];
    for (int i = 0; i < limits.length; i++) {
      if (limits[i].scope() == Scope.RUN) {
        Partitions carried = old == null || previousIndex[i] < 0 ? null : old[previousIndex[i]];
        run[i] = carried == null ? new Partitions(limits[i], limits[i].per() != null)
            : sameCaps[i] ? carried : new Partitions(limits[i], limits[i].per() != null, carried, clock);
      }
    }
    return run;
  }

  /** The call's partition of a limit: null when the limit has no {@code per}, "" when the call lacks the key. */
  private static String partition(Limit limit, Call c) {
    if (limit.per() == null) {
      return null;
    }
    String value = limit.per().equals("session") ? c.session : c.call.mdc().get(limit.mdcKey());
    return value == null ? "" : value;
  }

  private String rule(Limit limit) {
    return policy.rulePrefix(limit.name()) + "limits[" + limit.index() + "]";
  }

  /** A breach with the limit that was passed, for the verdict's rule and reason. */
  private static final class Breach {
    final Limit limit;
    final LimitBreach report;

    Breach(Limit limit, boolean identical, boolean first, String partition, String instance, long cap) {
      this.limit = limit;
      this.report = new LimitBreach(limit.name(), limit.scope(), cap, limit.onExceed(), first, identical,
          limit.window(), partition, instance);
    }

    String reason() {
      long max = report.maxCalls();
      String what = report.identical()
          ? max + (max == 1 ? " identical call" : " identical calls") + " (same tool and arguments)"
          : max + (max == 1 ? " call" : " calls");
      String per = limit.per() == null ? "" : ", for each " + limit.per();
      return "limit \"" + limit.name() + "\" allows " + what
          + (limit.window() == null ? "" : " within " + format(limit.window()))
          + " per " + limit.scope().name().toLowerCase(java.util.Locale.ROOT) + per;
    }
  }

  /** A window as written in policies: {@code 90s}, {@code 5m}, {@code 1h}, {@code 250ms}. */
  static String format(Duration window) {
    long ms = window.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /** One call being decided, with what is derived from it on demand (at most once). */
  private final class Call {
    final ToolCall call;
    final String tool;
    final String runId;
    final String session;
    final long now;
    private Arguments arguments;
    private String digest;
    /** Collects how each matcher read its argument, for {@link #explain}; null when deciding. */
    List<Explanation.ArgumentReading> traces;
    private Bucket[] own;

    Call(ToolCall call, long now) {
      this.call = call;
      this.tool = call.tool() == null ? "" : call.tool();
      this.runId = call.runId();
      this.session = call.session();
      this.now = now;
    }

    Arguments arguments() {
      if (arguments == null) {
        arguments = Arguments.read(call.arguments());
      }
      return arguments;
    }

    /**
     * Identity of "the same call" for {@code max_identical}: the tool name and the canonical arguments (sorted
     * keys, compact), or the raw text when the arguments cannot be read; kept as is when short, else as its
     * SHA-256, so that a counter's key stays small whatever the model sends.
     */
    String digest() {
      if (digest == null) {
        Arguments args = arguments();
        String identity = LoopGuardKey.text(tool) + '\u0000'
            + (args.readable() ? "json:" + args.canonical() : "raw:" + LoopGuardKey.text(String.valueOf(call.arguments())));
        if (identity.length() <= MAX_PLAIN_IDENTITY) {
          digest = "=" + identity;
        } else {
          try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            digest = "#" + Base64.getEncoder().encodeToString(hash);
          } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
          }
        }
      }
      return digest;
    }

    /** Buckets of a run (or session) of one call: fresh, retained nowhere. */
    Bucket ownRun(int i) {
      if (own == null) {
        own = new Bucket[limits.length];
      }
      if (own[i] == null) {
        own[i] = new Bucket(limits[i]);
      }
      return own[i];
    }

    Bucket ownSession(int i) {
      return ownRun(i);
    }
  }

  private static List<Glob> compile(List<String> globs) {
    List<Glob> compiled = new ArrayList<>(globs.size());
    for (String glob : globs) {
      compiled.add(Glob.of(glob));
    }
    return List.copyOf(compiled);
  }
}
