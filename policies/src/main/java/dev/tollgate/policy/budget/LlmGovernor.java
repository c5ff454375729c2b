package dev.tollgate.policy.budget;

import dev.tollgate.policy.Budget;
import dev.tollgate.policy.BudgetScope;
import dev.tollgate.policy.Glob;
import dev.tollgate.policy.Limit;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.ModelRate;
import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.Pricing;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.engine.PolicyEngine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Governs LLM calls: LLM-call limits, pricing and budgets, with reservations that settle to actual cost.
 *
 * <h2>Admission</h2>
 * In order: LLM-call limits ({@code limits} entries with {@code llm:}), pricing, budgets. Everything is decided
 * under one lock (LLM calls are slow; correctness over cleverness), so admission is atomic: when any block or
 * halt rule objects (in enforce mode), nothing is reserved on any budget and no limit counts the call. Otherwise
 * the call counts on every applicable limit and its worst case is reserved on every applicable budget at once.
 * <ul>
 *   <li>A limit applies when its {@code llm} glob matches the model name (the whole name as the call gives it; a
 *       null model is ""). Its instance is the run, the session or the process, partitioned by {@code per};
 *       outside any run each call is a run of its own, and a call without a session is a session of its own (as
 *       for tool limits). {@code max_calls} and {@code window} as for tool limits.</li>
 *   <li>Pricing: {@code pricing.models} (exact name, then globs in file order), then the bundled
 *       {@link PriceTable} (with its name normalisation), then {@code pricing.unknown_model}. A model without a
 *       price matters only if an applicable budget has {@code max_usd}: then {@code block} refuses the call
 *       ({@code pricing.unknown_model}) and {@code warn} lets it run at price 0 (WARN). A policy without USD
 *       budgets never refuses a call for lack of a price.</li>
 *   <li>A budget applies when its {@code models} glob matches the model name. Its instance: {@code run} — the run
 *       (a call outside any run, {@code runId == null}, is a one-call run of its own: the budget caps that single
 *       call and nothing is retained); {@code session} — the session (a call without a session is <b>not</b>
 *       counted by session budgets); {@code process}; {@code day}/{@code month} — the calendar period of the
 *       injected clock in {@code ledger.time_zone}, its starting spend loaded from the {@link Ledger}. {@code per}
 *       partitions each instance (missing value: partition ""). At most {@link #MAX_PARTITIONS} instances are kept
 *       per budget (per run for run budgets), least recently used evicted: an evicted instance starts again from
 *       zero (day and month ones from the ledger), and reservations still in flight on it settle into the
 *       forgotten instance.</li>
 *   <li>The reservation is {@link Costs#worstCaseNanos} of the prompt estimate and the output cap
 *       ({@code maxOutputTokens}, or {@code pricing.default_max_output_tokens} capped by the model's maximum), and
 *       {@code prompt + choices × cap} tokens. A budget refuses when spent + reserved + this request would pass
 *       {@code max_usd} or {@code max_tokens} (equal is allowed).</li>
 *   <li>{@code block}: DENY, enforced. {@code halt}: DENY, enforced, {@code halt=true} (when any refusing rule
 *       halts). {@code warn}: WARN, not enforced, reserved as usual. The first refusing rule in order (limits,
 *       pricing, budgets; file order within each) names {@code rule} and {@code reason}; every rule passed is in
 *       {@code breaches}. {@code mode: monitor}: nothing is enforced — DENY (or WARN) with {@code enforced=false},
 *       and the call counts and reserves as usual.</li>
 * </ul>
 *
 * <h2>Settlement</h2>
 * {@link #settle} moves the reservation to spent at the actual cost (priced by the response's model when that
 * has a price, else by the admission's); the actual may exceed the reservation when the provider reports more
 * than estimated, so a budget's spend can pass its cap by at most the sum over settled calls of
 * (actual − reserved)⁺ — never by admitting a call. Tokens likewise ({@link Usage#totalTokens()}). Day and month
 * settlements are recorded in the ledger. Each {@code warn_at} fraction is reported once per instance when spend
 * (USD or tokens) reaches it; {@code exceeded} lists instances now over a cap ({@code first} once per instance).
 * {@link #release} returns a reservation without charge. Settling or releasing an admission again returns the
 * first result and changes nothing (for the last {@link #MAX_PARTITIONS} completed admissions; an older or
 * refused one gets an empty settlement). {@link #sweep} releases reservations older than the TTL, so a leaked
 * one never pins a budget; if the call's usage still arrives later, {@link #settle} charges it then (the money
 * was spent) without a reservation to return.
 */
public final class LlmGovernor {
  /** Default age after which {@link #sweep} releases a reservation. */
  public static final Duration DEFAULT_RESERVATION_TTL = Duration.ofMinutes(10);
  /** Most instances one budget (or one limit) keeps, as for tool limits. */
  public static final int MAX_PARTITIONS = PolicyEngine.MAX_PARTITIONS;
  static final String NO_RUN = "(no run)";

  private final Policy policy;
  private final Clock clock;
  private final Ledger ledger;
  private final long ttlMillis;
  private final PriceTable table;
  private final boolean monitor;
  private final ZoneId zone;
  private final Budget[] budgets;
  private final Glob[] budgetModels;
  private final long[][] warnNanos;
  private final long[][] warnTokens;
  private final Limit[] limits;
  private final Glob[] limitModels;
  private final Map<String, Glob> priceGlobs = new LinkedHashMap<>();

  private final Object lock = new Object();
  private long nextId;
  private long ledgerErrors;
  private final List<Lru<Instance>> shared = new ArrayList<>();
  private final List<Lru<Counter>> sharedLimits = new ArrayList<>();
  private final Map<String, Run> runs = new HashMap<>();
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Lru<Settlement> completed = new Lru<>(MAX_PARTITIONS);
  private final Lru<Pending> swept = new Lru<>(MAX_PARTITIONS);
  private final Lru<Boolean> unknownModelsReported = new Lru<>(MAX_PARTITIONS);

  public LlmGovernor(Policy policy, Clock clock, Ledger ledger) {
    this(policy, clock, ledger, DEFAULT_RESERVATION_TTL);
  }

  public LlmGovernor(Policy policy, Clock clock, Ledger ledger, Duration reservationTtl) {
    this(policy, clock, ledger, reservationTtl, PriceTable.bundled());
  }

  public LlmGovernor(Policy policy, Clock clock, Ledger ledger, Duration reservationTtl, PriceTable table) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ledger = ledger == null ? Ledger.none() : ledger;
    this.ttlMillis = reservationTtl.toMillis();
    this.table = Objects.requireNonNull(table, "table");
    this.monitor = policy.mode() == Mode.MONITOR;
    this.zone = policy.ledger().zone();
    this.budgets = policy.budgets().toArray(new Budget[0]);
    this.budgetModels = new Glob[budgets.length];
    this.warnNanos = new long[budgets.length][];
    this.warnTokens = new long[budgets.length][];
    for (int i = 0; i < budgets.length; i++) {
      Budget b = budgets[i];
      budgetModels[i] = Glob.of(b.models());
      warnNanos[i] = thresholds(b.warnAt(), b.maxNanos());
      warnTokens[i] = thresholds(b.warnAt(), b.maxTokens());
      shared.add(new Lru<>(MAX_PARTITIONS));
    }
    this.limits = policy.limits().stream().filter(Limit::countsLlmCalls).toArray(Limit[]::new);
    this.limitModels = new Glob[limits.length];
    for (int i = 0; i < limits.length; i++) {
      limitModels[i] = Glob.of(limits[i].llm());
      sharedLimits.add(new Lru<>(MAX_PARTITIONS));
    }
    policy.pricing().models().keySet().stream().filter(k -> k.indexOf('*') >= 0 || k.indexOf('?') >= 0)
        .forEach(k -> priceGlobs.put(k, Glob.of(k)));
  }

  /** Spend at which each {@code warn_at} fraction is reached: ceil(fraction × cap); none without a cap. */
  private static long[] thresholds(List<Double> fractions, long cap) {
    long[] at = new long[fractions.size()];
    for (int f = 0; f < at.length; f++) {
      at[f] = cap < 0 ? Long.MAX_VALUE : BigDecimal.valueOf(fractions.get(f)).multiply(BigDecimal.valueOf(cap))
          .setScale(0, RoundingMode.CEILING).longValueExact();
    }
    return at;
  }

  public Policy policy() {
    return policy;
  }

  /** The date of the bundled price snapshot, to report with every cost. */
  public String priceTableDate() {
    return table.date();
  }

  /** Ledger writes that failed (the spend still counts in memory). */
  public long ledgerErrors() {
    synchronized (lock) {
      return ledgerErrors;
    }
  }

  /** The price {@code model} is charged at, or null when it has none (see the class comment for the order). */
  public ModelPrice price(String model) {
    Pricing pricing = policy.pricing();
    if (model != null) {
      ModelRate exact = pricing.models().get(model);
      if (exact != null) {
        return price("pricing.models." + model, exact, model);
      }
      for (Map.Entry<String, Glob> glob : priceGlobs.entrySet()) {
        if (glob.getValue().matches(model)) {
          return price("pricing.models." + glob.getKey(), pricing.models().get(glob.getKey()), model);
        }
      }
      var known = table.find(model);
      if (known.isPresent()) {
        return known.get();
      }
    }
    if (pricing.unknownModel() == Pricing.UnknownModel.PRICE) {
      return price("pricing.unknown_model", pricing.unknownRate(), null);
    }
    return null;
  }

  private ModelPrice price(String key, ModelRate rate, String model) {
    long maxOutput = model == null ? -1 : table.find(model).map(ModelPrice::maxOutputTokens).orElse(-1L);
    return new ModelPrice(key, rate.inputPerMtok(), rate.outputPerMtok(), rate.cacheReadPerMtok(),
        rate.cacheWritePerMtok(), rate.reasoningPerMtok(), maxOutput);
  }

  // ---- admission -------------------------------------------------------------------------------------------

  /** Decides {@code call} and, unless it is refused, counts it and reserves its worst case. */
  public Admission admit(LlmCall call) {
    Objects.requireNonNull(call, "call");
    String model = call.model() == null ? "" : call.model();
    synchronized (lock) {
      long now = clock.millis();
      long id = ++nextId;
      List<Found> found = new ArrayList<>();

      // 1. LLM-call limits
      List<Counter> counters = new ArrayList<>();
      for (int i = 0; i < limits.length; i++) {
        if (!limitModels[i].matches(model)) {
          continue;
        }
        Limit limit = limits[i];
        Counter counter = counter(i, call);
        counters.add(counter);
        long calls = counter.calls(now);
        if (calls >= limit.maxCalls()) {
          found.add(new Found(limit.onExceed(), counter, null, "limits[" + limit.index() + "]",
              limitReason(limit, calls), limitBreach(limit, counter, calls, partition(limit.per(), call))));
        }
      }

      // 2. pricing
      List<Integer> applicable = new ArrayList<>();
      boolean needsPrice = false;
      for (int i = 0; i < budgets.length; i++) {
        if (budgetModels[i].matches(model) && (budgets[i].scope() != BudgetScope.SESSION || call.session() != null)) {
          applicable.add(i);
          needsPrice |= budgets[i].maxNanos() != Budget.UNSET;
        }
      }
      ModelPrice price = price(call.model());
      if (price == null && needsPrice && policy.pricing().unknownModel() != Pricing.UnknownModel.PRICE) {
        OnExceed on = policy.pricing().unknownModel() == Pricing.UnknownModel.BLOCK ? OnExceed.BLOCK : OnExceed.WARN;
        found.add(new Found(on, null, null, "pricing.unknown_model", "model " + quote(model)
            + " has no price in the policy or the price table of " + table.date() + " (pricing.unknown_model: "
            + on.name().toLowerCase(Locale.ROOT) + ")", null));
      }

      // 3. budgets
      long maxOutput = maxOutput(call, price);
      long requestTokens = Totals.saturatedAdd(call.promptTokensEstimate(), multiply(call.choices(), maxOutput));
      long requestNanos = price == null ? 0 : Costs.worstCaseNanos(price, call.promptTokensEstimate(), maxOutput,
          call.choices());
      List<Instance> instances = new ArrayList<>();
      for (int i : applicable) {
        Instance inst = instance(i, call, now);
        instances.add(inst);
        Budget b = inst.budget;
        boolean overUsd = b.maxNanos() != Budget.UNSET
            && Totals.saturatedAdd(Totals.saturatedAdd(inst.spentNanos, inst.reservedNanos), requestNanos) > b.maxNanos();
        boolean overTokens = b.maxTokens() != Budget.UNSET
            && Totals.saturatedAdd(Totals.saturatedAdd(inst.spentTokens, inst.reservedTokens), requestTokens)
                > b.maxTokens();
        if (overUsd || overTokens) {
          found.add(new Found(b.onExceed(), null, inst, "budgets[" + b.index() + "]",
              budgetReason(inst, overUsd, requestNanos, requestTokens), null));
        }
      }

      // decide
      boolean refuse = !monitor && found.stream().anyMatch(f -> f.onExceed != OnExceed.WARN);
      List<Breach> breaches = new ArrayList<>();
      for (Found f : found) {
        breaches.add(f.breach != null ? withFirst(f.breach, f.counter.firstBreach())
            : f.instance != null ? budgetBreach(f.instance, requestNanos, requestTokens, f.instance.firstBreach())
            : pricingBreach(f.onExceed, model));
      }
      Found deciding = found.stream().filter(f -> f.onExceed != OnExceed.WARN).findFirst()
          .orElse(found.isEmpty() ? null : found.get(0));
      if (refuse) {
        boolean halt = found.stream().anyMatch(f -> f.onExceed == OnExceed.HALT);
        return new Admission(id, Outcome.DENY, true, halt, deciding.rule, deciding.reason, call, price, 0, 0,
            states(instances), breaches, List.of());
      }
      for (Counter counter : counters) {
        counter.count(now);
      }
      for (Instance inst : instances) {
        inst.reservedNanos = Totals.saturatedAdd(inst.reservedNanos, requestNanos);
        inst.reservedTokens = Totals.saturatedAdd(inst.reservedTokens, requestTokens);
      }
      pending.put(id, new Pending(id, now, price, instances, requestNanos, requestTokens));
      Outcome outcome = deciding == null ? Outcome.ALLOW
          : deciding.onExceed == OnExceed.WARN ? Outcome.WARN : Outcome.DENY;
      String reason = deciding != null ? deciding.reason
          : "within " + instances.size() + (instances.size() == 1 ? " budget" : " budgets") + " and "
              + counters.size() + (counters.size() == 1 ? " limit" : " limits") + "; reserved up to "
              + Costs.usd(requestNanos) + " USD and " + requestTokens + " tokens";
      return new Admission(id, outcome, false, false, deciding == null ? null : deciding.rule, reason, call, price,
          requestNanos, requestTokens, states(instances), breaches, List.of());
    }
  }

  private long maxOutput(LlmCall call, ModelPrice price) {
    if (call.maxOutputTokens() >= 0) {
      return call.maxOutputTokens();
    }
    long fallback = policy.pricing().defaultMaxOutputTokens();
    return price != null && price.maxOutputTokens() > 0 ? Math.min(fallback, price.maxOutputTokens()) : fallback;
  }

  private static long multiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return (hi == 0 && lo >= 0) || (hi == -1 && lo < 0) ? lo : Long.MAX_VALUE;
  }

  /** A rule a call passes, before its breach is built. */
  private record Found(OnExceed onExceed, Counter counter, Instance instance, String rule, String reason,
      Breach breach) {}

  // ---- settlement ------------------------------------------------------------------------------------------

  /**
   * Charges the admission's actual cost and returns the rest of its reservation.
   *
   * @param responseModel the model the response names (priced when it has a price), or null
   * @param usage         tokens used
   * @param estimated     true when the usage is an estimate (no usage reported)
   */
  public Settlement settle(Admission admission, String responseModel, Usage usage, boolean estimated) {
    Objects.requireNonNull(usage, "usage");
    synchronized (lock) {
      long id = admission.id();
      Pending p = pending.remove(id);
      boolean late = false;
      if (p == null) {
        p = swept.remove(id);
        late = p != null;
      }
      if (p == null) {
        return completed.get(id, () -> empty(admission));
      }
      ModelPrice price = p.price;
      if (responseModel != null) {
        ModelPrice byResponse = price(responseModel);
        if (byResponse != null) {
          price = byResponse;
        }
      }
      long cost = price == null ? 0 : Costs.costNanos(price, usage);
      long tokens = usage.totalTokens();
      List<Threshold> crossed = new ArrayList<>();
      List<Breach> exceeded = new ArrayList<>();
      for (Instance inst : p.instances) {
        if (!late) {
          inst.reservedNanos -= p.reservedNanos;
          inst.reservedTokens -= p.reservedTokens;
        }
        inst.spentNanos = Totals.saturatedAdd(inst.spentNanos, cost);
        inst.spentTokens = Totals.saturatedAdd(inst.spentTokens, tokens);
        if (inst.persistent) {
          try {
            ledger.record(inst.budget.name(), inst.partition, inst.period, cost, tokens);
          } catch (RuntimeException e) {
            ledgerErrors++;
          }
        }
        int b = inst.budgetIndex;
        for (int f = 0; f < inst.warned.length; f++) {
          if (!inst.warned[f] && (inst.spentNanos >= warnNanos[b][f] || inst.spentTokens >= warnTokens[b][f])) {
            inst.warned[f] = true;
            crossed.add(new Threshold(inst.budget.name(), scope(inst.budget), inst.partition, inst.period,
                inst.budget.warnAt().get(f), inst.spentNanos, inst.budget.maxNanos()));
          }
        }
        boolean over = inst.budget.maxNanos() != Budget.UNSET && inst.spentNanos > inst.budget.maxNanos()
            || inst.budget.maxTokens() != Budget.UNSET && inst.spentTokens > inst.budget.maxTokens();
        if (over) {
          boolean first = !inst.exceededReported;
          inst.exceededReported = true;
          exceeded.add(budgetBreach(inst, 0, 0, first));
        }
      }
      Settlement s = new Settlement(id, cost, usage, estimated, price, states(p.instances), crossed, exceeded);
      completed.put(id, s);
      return s;
    }
  }

  /** Returns the admission's reservation without charging anything (the call failed before any usage). */
  public Settlement release(Admission admission) {
    synchronized (lock) {
      Pending p = pending.remove(admission.id());
      if (p == null) {
        swept.remove(admission.id()); // released by sweep and now known to have failed: nothing will be charged
        return completed.get(admission.id(), () -> empty(admission));
      }
      Settlement s = releaseLocked(p);
      completed.put(p.id, s);
      return s;
    }
  }

  private Settlement releaseLocked(Pending p) {
    for (Instance inst : p.instances) {
      inst.reservedNanos -= p.reservedNanos;
      inst.reservedTokens -= p.reservedTokens;
    }
    return new Settlement(p.id, 0, Usage.ZERO, false, p.price, states(p.instances), List.of(), List.of());
  }

  private static Settlement empty(Admission admission) {
    return new Settlement(admission.id(), 0, Usage.ZERO, false, admission.price(), List.of(), List.of(), List.of());
  }

  /** Most often {@link #sweepIfDue()} sweeps, in the governor's clock time. */
  public static final long SWEEP_INTERVAL_MILLIS = 1000;
  private final java.util.concurrent.atomic.AtomicLong lastSweep = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

  /**
   * {@link #sweep()}, at most once per {@link #SWEEP_INTERVAL_MILLIS} of the governor's clock: cheap enough to call on
   * every admission (a leaked reservation lives for the TTL, minutes; a second more does not matter).
   */
  public int sweepIfDue() {
    long now = clock.millis();
    long last = lastSweep.get();
    if ((last != Long.MIN_VALUE && now - last < SWEEP_INTERVAL_MILLIS) || !lastSweep.compareAndSet(last, now)) {
      return 0;
    }
    return sweep();
  }

  /** Releases every reservation older than the TTL; returns how many. */
  public int sweep() {
    synchronized (lock) {
      long now = clock.millis();
      int released = 0;
      for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
        Pending p = it.next();
        if (now - p.createdMillis >= ttlMillis) {
          it.remove();
          completed.put(p.id, releaseLocked(p));
          swept.put(p.id, p);
          released++;
        }
      }
      return released;
    }
  }

  /** Reservations not yet settled, released or swept. */
  public int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** Forgets a run's budget instances and limit counters once the run has ended. */
  public void endRun(String runId) {
    if (runId != null) {
      synchronized (lock) {
        runs.remove(runId);
      }
    }
  }

  /** Every retained budget instance's state, budgets in file order. */
  public List<BudgetState> snapshot() {
    synchronized (lock) {
      List<BudgetState> states = new ArrayList<>();
      for (int i = 0; i < budgets.length; i++) {
        if (budgets[i].scope() == BudgetScope.RUN) {
          for (Run run : runs.values()) {
            run.instances.get(i).values().forEach(inst -> states.add(inst.state()));
          }
        } else {
          shared.get(i).values().forEach(inst -> states.add(inst.state()));
        }
      }
      return states;
    }
  }

  // ---- instances -------------------------------------------------------------------------------------------

  private Instance instance(int i, LlmCall call, long now) {
    Budget b = budgets[i];
    String partition = partition(b.per(), call);
    String pkey = partition == null ? "" : partition;
    return switch (b.scope()) {
      case RUN -> call.runId() == null ? new Instance(i, b, partition, NO_RUN, false)
          : runs.computeIfAbsent(call.runId(), r -> new Run()).instances.get(i)
              .get(pkey, () -> new Instance(i, b, partition, call.runId(), false));
      case SESSION -> shared.get(i).get(call.session() + '\u0000' + pkey,
          () -> new Instance(i, b, partition, call.session(), false));
      case PROCESS -> shared.get(i).get(pkey, () -> new Instance(i, b, partition, "process", false));
      case DAY, MONTH -> {
        java.time.Instant instant = java.time.Instant.ofEpochMilli(now);
        String period = b.scope() == BudgetScope.DAY ? Periods.day(instant, zone) : Periods.month(instant, zone);
        yield shared.get(i).get(period + '\u0000' + pkey, () -> {
          Instance inst = new Instance(i, b, partition, period, true);
          Totals start = loadLedger(b.name(), partition, period);
          inst.spentNanos = start.nanos();
          inst.spentTokens = start.tokens();
          return inst;
        });
      }
    };
  }

  private Totals loadLedger(String budget, String partition, String period) {
    try {
      return ledger.load(budget, partition, period);
    } catch (RuntimeException e) {
      ledgerErrors++;
      return Totals.ZERO;
    }
  }

  private Counter counter(int i, LlmCall call) {
    Limit limit = limits[i];
    String partition = partition(limit.per(), call);
    String pkey = partition == null ? "" : partition;
    return switch (limit.scope()) {
      case RUN -> call.runId() == null ? new Counter(limit)
          : runs.computeIfAbsent(call.runId(), r -> new Run()).counters.get(i).get(pkey, () -> new Counter(limit));
      case SESSION -> call.session() == null ? new Counter(limit)
          : sharedLimits.get(i).get(call.session() + '\u0000' + pkey, () -> new Counter(limit));
      case PROCESS -> sharedLimits.get(i).get(pkey, () -> new Counter(limit));
    };
  }

  /** The call's partition: null when not partitioned, "" when the call lacks the value. */
  private static String partition(String per, LlmCall call) {
    if (per == null) {
      return null;
    }
    String value = per.equals("session") ? call.session() : call.mdcValue(per.substring(4));
    return value == null ? "" : value;
  }

  private static List<BudgetState> states(List<Instance> instances) {
    List<BudgetState> states = new ArrayList<>(instances.size());
    for (Instance inst : instances) {
      states.add(inst.state());
    }
    return states;
  }

  private static String scope(Budget b) {
    return b.scope().name().toLowerCase(Locale.ROOT);
  }

  // ---- breaches and reasons --------------------------------------------------------------------------------

  private static Breach limitBreach(Limit limit, Counter counter, long calls, String partition) {
    return new Breach("limit", limit.name(), "limits[" + limit.index() + "]",
        limit.scope().name().toLowerCase(Locale.ROOT), partition, limit.onExceed(), 0, 0, 0, -1, calls, 1,
        limit.maxCalls(), false);
  }

  private static Breach withFirst(Breach b, boolean first) {
    return new Breach(b.kind(), b.name(), b.rule(), b.scope(), b.partition(), b.onExceed(), b.spentNanos(),
        b.reservedNanos(), b.requestNanos(), b.limitNanos(), b.spentTokens(), b.requestTokens(), b.limitTokens(),
        first);
  }

  private static Breach budgetBreach(Instance inst, long requestNanos, long requestTokens, boolean first) {
    Budget b = inst.budget;
    return new Breach("budget", b.name(), "budgets[" + b.index() + "]", scope(b), inst.partition, b.onExceed(),
        inst.spentNanos, inst.reservedNanos, requestNanos, b.maxNanos(), inst.spentTokens, requestTokens,
        b.maxTokens(), first);
  }

  private Breach pricingBreach(OnExceed on, String model) {
    boolean first = unknownModelsReported.peek(model) == null;
    unknownModelsReported.put(model, Boolean.TRUE);
    return new Breach("pricing", "unknown_model", "pricing.unknown_model", null, null, on, 0, 0, 0, -1, 0, 0, -1,
        first);
  }

  private static String limitReason(Limit limit, long calls) {
    String per = limit.per() == null ? "" : ", for each " + limit.per();
    return "limit " + quote(limit.name()) + " allows " + limit.maxCalls() + (limit.maxCalls() == 1 ? " LLM call" : " LLM calls")
        + (limit.window() == null ? "" : " within " + limit.window().toString().substring(2).toLowerCase(Locale.ROOT))
        + " per " + limit.scope().name().toLowerCase(Locale.ROOT) + per + "; " + calls + " already made";
  }

  private static String budgetReason(Instance inst, boolean usd, long requestNanos, long requestTokens) {
    Budget b = inst.budget;
    String where = scope(b) + " " + quote(inst.period) + (inst.partition == null ? "" : ", partition "
        + quote(inst.partition));
    if (usd) {
      return "budget " + quote(b.name()) + " (" + where + ") has spent " + Costs.usd(inst.spentNanos) + " USD with "
          + Costs.usd(inst.reservedNanos) + " USD reserved; this call may cost up to " + Costs.usd(requestNanos)
          + " USD, over its limit of " + Costs.usd(b.maxNanos()) + " USD";
    }
    return "budget " + quote(b.name()) + " (" + where + ") has used " + inst.spentTokens + " tokens with "
        + inst.reservedTokens + " reserved; this call may use up to " + requestTokens + " tokens, over its limit of "
        + b.maxTokens() + " tokens";
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  // ---- state -----------------------------------------------------------------------------------------------

  /** One budget in one scope instance, period and partition. Guarded by the governor's lock. */
  private static final class Instance {
    final int budgetIndex;
    final Budget budget;
    final String partition;
    final String period;
    final boolean persistent;
    final boolean[] warned;
    long spentNanos;
    long reservedNanos;
    long spentTokens;
    long reservedTokens;
    boolean breachReported;
    boolean exceededReported;

    Instance(int budgetIndex, Budget budget, String partition, String period, boolean persistent) {
      this.budgetIndex = budgetIndex;
      this.budget = budget;
      this.partition = partition;
      this.period = period;
      this.persistent = persistent;
      this.warned = new boolean[budget.warnAt().size()];
    }

    boolean firstBreach() {
      boolean first = !breachReported;
      breachReported = true;
      return first;
    }

    BudgetState state() {
      return new BudgetState(budget.name(), scope(budget), partition, period, spentNanos, reservedNanos,
          budget.maxNanos(), spentTokens, reservedTokens, budget.maxTokens());
    }
  }

  /** LLM calls counted by one limit in one scope instance and partition. Guarded by the governor's lock. */
  private static final class Counter {
    private final Limit limit;
    private final long windowMillis;
    private final ArrayDeque<Long> stamps;
    private long calls;
    private boolean breached;

    Counter(Limit limit) {
      this.limit = limit;
      this.windowMillis = limit.window() == null ? -1 : limit.window().toMillis();
      this.stamps = limit.window() == null ? null : new ArrayDeque<>();
    }

    long calls(long now) {
      if (stamps == null) {
        return calls;
      }
      while (!stamps.isEmpty() && now - stamps.peekFirst() >= windowMillis) {
        stamps.removeFirst();
      }
      return stamps.size();
    }

    void count(long now) {
      if (stamps == null) {
        calls++;
        return;
      }
      calls(now);
      stamps.addLast(now);
      while (stamps.size() > Math.max(limit.maxCalls(), 1)) {
        stamps.removeFirst(); // only the cap-th most recent call matters for the next decision
      }
    }

    boolean firstBreach() {
      boolean first = !breached;
      breached = true;
      return first;
    }
  }

  /** A run's budget instances and limit counters, per budget / limit index. */
  private final class Run {
    final List<Lru<Instance>> instances = new ArrayList<>();
    final List<Lru<Counter>> counters = new ArrayList<>();

    Run() {
      for (int i = 0; i < budgets.length; i++) {
        instances.add(new Lru<>(MAX_PARTITIONS));
      }
      for (int i = 0; i < limits.length; i++) {
        counters.add(new Lru<>(MAX_PARTITIONS));
      }
    }
  }

  private record Pending(long id, long createdMillis, ModelPrice price, List<Instance> instances, long reservedNanos,
      long reservedTokens) {}

  /** A least-recently-used map; not thread-safe (used under the governor's lock). */
  private static final class Lru<V> {
    private final LinkedHashMap<Object, V> map;

    Lru(int capacity) {
      this.map = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, V> eldest) {
          return size() > capacity;
        }
      };
    }

    V get(Object key, java.util.function.Supplier<V> create) {
      V v = map.get(key);
      if (v == null) {
        v = create.get();
        map.put(key, v);
      }
      return v;
    }

    V peek(Object key) {
      return map.get(key);
    }

    V remove(Object key) {
      return map.remove(key);
    }

    void put(Object key, V value) {
      map.put(key, value);
    }

    java.util.Collection<V> values() {
      return map.values();
    }
  }
}
