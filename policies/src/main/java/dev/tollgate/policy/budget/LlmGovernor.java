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
import dev.tollgate.policy.store.BudgetStore;
import dev.tollgate.policy.store.Claim;
import dev.tollgate.policy.store.Grant;
import dev.tollgate.policy.store.KeyState;
import dev.tollgate.policy.store.LocalStore;
import dev.tollgate.policy.store.Lru;
import dev.tollgate.policy.store.Seen;
import dev.tollgate.policy.store.Settled;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Governs LLM calls: LLM-call limits, pricing and budgets, with reservations that settle to actual cost. The
 * governor decides; the counts, spend and reservations it decides on live in {@link BudgetStore}s.
 *
 * <h2>Admission</h2>
 * In order: LLM-call limits ({@code limits} entries with {@code llm:}), pricing, budgets. Admission is atomic: when
 * any block or halt rule objects (in enforce mode), nothing is reserved on any budget and no limit counts the call
 * (the store takes all claims or none; with two stores, the local one's grant is cancelled when the shared one
 * refuses). An unknown model refused by {@code pricing.unknown_model} is refused before any store is asked. Otherwise
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
 * one never pins a budget (a shared store's holds also expire by themselves, so a JVM that dies mid-call leaves
 * nothing held); if the call's usage still arrives later, {@link #settle} charges it then (the money was spent)
 * without a reservation to return.
 *
 * <h2>Store unavailable</h2>
 * When the shared store cannot be asked, it answers as {@code ledger.redis.on_unavailable} says: refused (the
 * admission is DENY, rule {@code ledger.redis.on_unavailable}, the reason says the ledger is unavailable), or let
 * through; {@link Admission#storeProblem()} says what happened either way.
 */
public final class LlmGovernor {
  /** Default age after which {@link #sweep} releases a reservation. */
  public static final Duration DEFAULT_RESERVATION_TTL = Duration.ofMinutes(10);
  /** Most instances one budget (or one limit) keeps, as for tool limits. */
  public static final int MAX_PARTITIONS = PolicyEngine.MAX_PARTITIONS;
  /** The rule a call refused for an unavailable shared store names. */
  public static final String UNAVAILABLE_RULE = "ledger.redis.on_unavailable";
  static final String NO_RUN = "(no run)";

  private final Policy policy;
  private final Clock clock;
  private final BudgetStore local;
  private final BudgetStore shared;
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
  /** Unique across every JVM sharing a store: hold ids are this plus the admission id. */
  private final String holdPrefix = Long.toHexString(new java.security.SecureRandom().nextLong() | 1L << 63) + "-";

  private final java.util.concurrent.atomic.AtomicLong nextId = new java.util.concurrent.atomic.AtomicLong();
  private final Object lock = new Object();
  /** Operators' overrides and approvals, fed from the store's audit journal. */
  private final dev.tollgate.policy.store.Adjustments adjustments;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Lru<Long, Settlement> completed = new Lru<>(MAX_PARTITIONS);
  private final Lru<Long, Pending> swept = new Lru<>(MAX_PARTITIONS);
  private final Lru<String, Boolean> unknownModelsReported = new Lru<>(MAX_PARTITIONS);

  public LlmGovernor(Policy policy, Clock clock, Ledger ledger) {
    this(policy, clock, ledger, DEFAULT_RESERVATION_TTL);
  }

  public LlmGovernor(Policy policy, Clock clock, Ledger ledger, Duration reservationTtl) {
    this(policy, clock, ledger, reservationTtl, PriceTable.bundled());
  }

  public LlmGovernor(Policy policy, Clock clock, Ledger ledger, Duration reservationTtl, PriceTable table) {
    this(policy, clock, new LocalStore(ledger, reservationTtl, clock), null, reservationTtl, table);
  }

  /**
   * @param local  run and process instances (and the rest too when {@code shared} is null)
   * @param shared session, day, month and total instances, or null to keep them in {@code local}
   */
  public LlmGovernor(Policy policy, Clock clock, BudgetStore local, BudgetStore shared, Duration reservationTtl,
      PriceTable table) {
    this(policy, clock, local, shared, reservationTtl, table, new dev.tollgate.policy.store.Adjustments());
  }

  /**
   * @param adjustments where operators' overrides and approvals are taken in: the engine's too, so that one audit
   *                    follower raises budgets, LLM-call limits and tool-call limits alike
   */
  public LlmGovernor(Policy policy, Clock clock, BudgetStore local, BudgetStore shared, Duration reservationTtl,
      PriceTable table, dev.tollgate.policy.store.Adjustments adjustments) {
    this(policy, clock, local, shared, reservationTtl.toMillis(), table, adjustments);
  }

  /**
   * The governor of a reloaded policy: the same stores (so spend, reservations and counts of budgets and limits that
   * keep their name carry over, as they are kept by name), price table and operators' adjustments. Calls admitted by
   * this governor before the reload are settled or released by it.
   */
  public LlmGovernor reloaded(Policy next) {
    return new LlmGovernor(next, clock, local, shared, ttlMillis, table, adjustments);
  }

  private LlmGovernor(Policy policy, Clock clock, BudgetStore local, BudgetStore shared, long ttlMillis,
      PriceTable table, dev.tollgate.policy.store.Adjustments adjustments) {
    this.adjustments = Objects.requireNonNull(adjustments, "adjustments");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.local = Objects.requireNonNull(local, "local");
    this.shared = shared == null ? local : shared;
    this.ttlMillis = ttlMillis;
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
    }
    // loops, not streams with lambdas: the governor is built while the app starts (each lambda spins a class)
    List<Limit> llmLimits = new ArrayList<>();
    for (Limit l : policy.limits()) {
      if (l.countsLlmCalls()) {
        llmLimits.add(l);
      }
    }
    this.limits = llmLimits.toArray(new Limit[0]);
    this.limitModels = new Glob[limits.length];
    for (int i = 0; i < limits.length; i++) {
      limitModels[i] = Glob.of(limits[i].llm());
    }
    for (String k : policy.pricing().models().keySet()) {
      if (k.indexOf('*') >= 0 || k.indexOf('?') >= 0) {
        priceGlobs.put(k, Glob.of(k));
      }
    }
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

  /** The policy's LLM-call limit {@code name}, or null. */
  public Limit limit(String name) {
    for (Limit l : limits) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    return null;
  }

  /**
   * How long the call paused at {@code b} waits and what then: its budget's or LLM-call limit's {@code approval}, with
   * the rule path an approval's refusals name ({@code budgets[0].approval}, {@code limits[2].approval}); null when this
   * governor's policy has no such budget or limit, or it does not pause (a reload since the call was admitted).
   */
  public Paused approvalOf(Breach b) {
    if (b.ofLimit()) {
      Limit l = limit(b.name());
      return l == null || l.onExceed() != OnExceed.PAUSE || l.approval() == null ? null
          : new Paused(l.approval(), rulePath(l) + ".approval");
    }
    Budget budget = budget(b.name());
    return budget == null || budget.onExceed() != OnExceed.PAUSE || budget.approval() == null ? null
        : new Paused(budget.approval(), rulePath(budget) + ".approval");
  }

  /** See {@link #approvalOf}. */
  public record Paused(dev.tollgate.policy.Approval approval, String rule) {}

  /** The policy's budget {@code name}, or null. */
  public Budget budget(String name) {
    for (Budget b : budgets) {
      if (b.name().equals(name)) {
        return b;
      }
    }
    return null;
  }

  /** Run and process instances (and, without a shared store, every instance). */
  public BudgetStore localStore() {
    return local;
  }

  /** Where overrides and approvals that raise this governor's budget limits are added. */
  public dev.tollgate.policy.store.Adjustments adjustments() {
    return adjustments;
  }

  public Policy policy() {
    return policy;
  }

  /** The date of the bundled price snapshot, to report with every cost. */
  public String priceTableDate() {
    return table.date();
  }

  /** Store problems that refused nothing (ledger writes that failed: the spend still counts in memory). */
  public long ledgerErrors() {
    return local.errors() + (shared == local ? 0 : shared.errors());
  }

  /** The store of session, day, month and total instances. */
  public BudgetStore sharedStore() {
    return shared;
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
    long now = clock.millis();
    long id = nextId.incrementAndGet();

    // what the call claims: one count per applicable LLM-call limit, then one reservation per applicable budget
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < limits.length; i++) {
      if (limitModels[i].matches(model)) {
        rules.add(Rule.of(limits[i], countClaim(limits[i], call, now)));
      }
    }
    boolean needsPrice = false;
    List<Integer> applicable = new ArrayList<>();
    for (int i = 0; i < budgets.length; i++) {
      if (budgetModels[i].matches(model) && (budgets[i].scope() != BudgetScope.SESSION || call.session() != null)) {
        applicable.add(i);
        needsPrice |= budgets[i].maxNanos() != Budget.UNSET;
      }
    }
    ModelPrice price = price(call.model());
    long maxOutput = maxOutput(call, price);
    long requestTokens = Totals.saturatedAdd(call.promptTokensEstimate(), multiply(call.choices(), maxOutput));
    long requestNanos = price == null ? 0 : Costs.worstCaseNanos(price, call.promptTokensEstimate(), maxOutput,
        call.choices());
    for (int i : applicable) {
      rules.add(Rule.of(budgets[i], budgetClaim(i, call, now, requestNanos, requestTokens)));
    }

    if (price == null && needsPrice && policy.pricing().unknownModel() != Pricing.UnknownModel.PRICE) {
      OnExceed on = policy.pricing().unknownModel() == Pricing.UnknownModel.BLOCK ? OnExceed.BLOCK : OnExceed.WARN;
      String reason = "model " + quote(model) + " has no price in the policy or the price table of " + table.date()
          + " (pricing.unknown_model: " + on.name().toLowerCase(Locale.ROOT) + ")";
      Breach breach = pricingBreach(on, model);
      if (on != OnExceed.WARN && !monitor) {
        return new Admission(id, Outcome.DENY, true, false, "pricing.unknown_model", reason, call, null, 0, 0,
            List.of(), List.of(breach), List.of(), null);
      }
      return take(id, call, now, price, rules, requestNanos, requestTokens, breach, reason);
    }
    return take(id, call, now, price, rules, requestNanos, requestTokens, null, null);
  }

  /** Asks the stores for every claim at once and turns their answer into the admission. */
  private Admission take(long id, LlmCall call, long now, ModelPrice price, List<Rule> rules, long requestNanos,
      long requestTokens, Breach pricing, String pricingReason) {
    String holdId = holdPrefix + id;
    List<Claim> localClaims = new ArrayList<>();
    List<Claim> sharedClaims = new ArrayList<>();
    for (Rule r : rules) {
      (isShared(r.scope) ? sharedClaims : localClaims).add(r.claim);
    }
    Grant localGrant;
    Grant sharedGrant;
    if (shared == local) {
      List<Claim> all = new ArrayList<>(localClaims);
      all.addAll(sharedClaims);
      Grant g = local.reserve(holdId, all, now);
      localGrant = new Grant(g.granted(), g.seen().subList(0, localClaims.size()), g.unavailable());
      sharedGrant = new Grant(g.granted(), g.seen().subList(localClaims.size(), all.size()), g.unavailable());
    } else {
      localGrant = localClaims.isEmpty() ? new Grant(true, List.of(), null) : local.reserve(holdId, localClaims, now);
      if (!localGrant.granted() || sharedClaims.isEmpty()) {
        sharedGrant = new Grant(true, java.util.Collections.nCopies(sharedClaims.size(), Seen.NOTHING), null);
        sharedClaims = localGrant.granted() ? sharedClaims : List.of();
      } else {
        sharedGrant = shared.reserve(holdId, sharedClaims, now);
        if (!sharedGrant.granted()) {
          local.cancel(holdId, localClaims, now);
        }
      }
    }
    boolean granted = localGrant.granted() && sharedGrant.granted();
    String storeProblem = sharedGrant.unavailable();

    // breaches in decision order: limits, pricing, budgets
    List<Seen> seen = new ArrayList<>(rules.size());
    int li = 0;
    int si = 0;
    for (Rule r : rules) {
      seen.add(isShared(r.scope) ? sharedGrant.seen().get(si++) : localGrant.seen().get(li++));
    }
    List<Breach> breaches = new ArrayList<>();
    Deciding deciding = new Deciding();
    boolean halt = false;
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      Seen s = seen.get(i);
      if (pricing != null && r.budget != null) { // the pricing rule is decided between the limits and the budgets
        breaches.add(pricing);
        deciding.consider("pricing.unknown_model", pricingReason, pricing.onExceed());
        pricing = null;
      }
      if (!s.over()) {
        continue;
      }
      OnExceed on = r.limit != null ? r.limit.onExceed() : r.budget.onExceed();
      breaches.add(r.limit != null ? limitBreach(r.limit, r.claim, s.calls(), s.first())
          : budgetBreach(r.budget, r.claim, s.spentNanos(), s.reservedNanos(), s.spentTokens(), requestNanos,
              requestTokens, s.first()));
      halt |= on == OnExceed.HALT && r.claim.enforcing();
      if (deciding.wouldTake(on)) {
        deciding.consider(r.limit != null ? rulePath(r.limit) : rulePath(r.budget),
            r.limit != null ? limitReason(r.limit, r.claim.capCalls(), s.calls()) : budgetReason(r.budget, r.claim, s, requestNanos,
                requestTokens), on);
      }
    }
    if (pricing != null) {
      breaches.add(pricing);
      deciding.consider("pricing.unknown_model", pricingReason, pricing.onExceed());
    }
    String decidingRule = deciding.rule;
    String decidingReason = deciding.reason;
    OnExceed decidingOn = deciding.on;
    List<BudgetState> states = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      if (r.budget != null) {
        Seen s = seen.get(i);
        states.add(state(r.budget, r.claim, s.spentNanos(), s.reservedNanos() + (granted ? r.claim.nanos() : 0),
            s.spentTokens(), s.reservedTokens() + (granted ? r.claim.tokens() : 0)));
      }
    }
    if (!granted) {
      boolean unavailable = storeProblem != null && breaches.stream().noneMatch(b -> b.onExceed() != OnExceed.WARN);
      if (unavailable) {
        return new Admission(id, Outcome.DENY, true, false, UNAVAILABLE_RULE, "the shared budget ledger is "
            + "unavailable (" + storeProblem + "), and ledger.redis.on_unavailable is block", call, price, 0, 0,
            states, breaches, List.of(), storeProblem);
      }
      return new Admission(id, Outcome.DENY, true, halt, decidingRule, decidingReason, call, price, 0, 0,
          states, breaches, List.of(), storeProblem);
    }
    List<Claim> held = new ArrayList<>();
    List<Rule> heldRules = new ArrayList<>();
    for (Rule r : rules) {
      if (r.budget != null) {
        held.add(r.claim);
        heldRules.add(r);
      }
    }
    synchronized (lock) {
      pending.put(id, new Pending(id, holdId, now, price, heldRules, held, localClaims, sharedClaims));
    }
    Outcome outcome = decidingOn == null ? Outcome.ALLOW : decidingOn == OnExceed.WARN ? Outcome.WARN : Outcome.DENY;
    int budgetCount = held.size();
    int limitCount = rules.size() - budgetCount;
    String reason = decidingReason != null ? decidingReason
        : "within " + budgetCount + (budgetCount == 1 ? " budget" : " budgets") + " and "
            + limitCount + (limitCount == 1 ? " limit" : " limits") + "; reserved up to "
            + Costs.usd(requestNanos) + " USD and " + requestTokens + " tokens";
    return new Admission(id, outcome, false, false, decidingRule, reason, call, price, requestNanos, requestTokens,
        states, breaches, List.of(), storeProblem);
  }

  /** The rule that decides an admission: the first that refuses, else the first that only warns. */
  private static final class Deciding {
    String rule;
    String reason;
    OnExceed on;

    boolean wouldTake(OnExceed candidate) {
      return on == null || on == OnExceed.WARN && candidate != OnExceed.WARN;
    }

    void consider(String rule, String reason, OnExceed candidate) {
      if (wouldTake(candidate)) {
        this.rule = rule;
        this.reason = reason;
        this.on = candidate;
      }
    }
  }

  /** True when the scope's instances live in the shared store. */
  private static boolean isShared(String scope) {
    return !scope.equals("run") && !scope.equals("process");
  }

  /**
   * What {@code admission}'s hold reserved for, as usage: its prompt estimate and {@code choices × } its output cap
   * (the request's max output tokens, else {@code pricing.default_max_output_tokens} capped by the model's maximum).
   * What a call whose response could not be read is charged ({@link UsageSource#UNREAD}).
   */
  public Usage worstCase(Admission admission) {
    LlmCall call = admission.call();
    long output = multiply(call.choices(), maxOutput(call, admission.price()));
    return new Usage(call.promptTokensEstimate(), 0, 0, output, 0);
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

  /** A limit or budget that applies to the call, with what the call claims of it. */
  private record Rule(Limit limit, Budget budget, String scope, Claim claim) {
    static Rule of(Limit limit, Claim claim) {
      return new Rule(limit, null, claim.scope(), claim);
    }

    static Rule of(Budget budget, Claim claim) {
      return new Rule(null, budget, claim.scope(), claim);
    }
  }

  // ---- claims ----------------------------------------------------------------------------------------------

  private Claim countClaim(Limit limit, LlmCall call, long now) {
    String partition = partition(limit.per(), call);
    String scope = limit.scope().name().toLowerCase(Locale.ROOT);
    long window = limit.window() == null ? -1 : limit.window().toMillis();
    boolean enforcing = !policy.monitors(limit.name()) && limit.onExceed() != OnExceed.WARN;
    return switch (limit.scope()) {
      case RUN -> call.runId() == null
          ? Claim.count(limit.name(), scope, NO_RUN, partition, null, null, true, limit.maxCalls(), window, enforcing, -1)
          : Claim.count(limit.name(), scope, call.runId(), partition, null, call.runId(), false,
              capCalls(limit, partition, call.runId(), now), window, enforcing, -1);
      case SESSION -> call.session() == null
          ? Claim.count(limit.name(), scope, "(no session)", partition, null, null, true, limit.maxCalls(), window,
              enforcing, -1)
          : Claim.count(limit.name(), scope, call.session(), partition, null, null, false,
              capCalls(limit, partition, call.session(), now), window, enforcing, -1);
      case PROCESS -> Claim.count(limit.name(), scope, "process", partition, null, null, false,
          capCalls(limit, partition, "process", now), window, enforcing, -1);
    };
  }

  /** A limit instance's {@code max_calls} as operators' approvals and overrides raised it. */
  private long capCalls(Limit limit, String partition, String instance, long now) {
    if (limit.onExceed() != OnExceed.PAUSE) {
      return limit.maxCalls(); // only approvals of paused calls raise a limit
    }
    return adjustments.capCalls(limit.name(), partition, instance, limit.maxCalls(), now);
  }

  private Claim budgetClaim(int i, LlmCall call, long now, long requestNanos, long requestTokens) {
    Budget b = budgets[i];
    String partition = partition(b.per(), call);
    String scope = scope(b);
    boolean enforcing = !policy.monitors(b.name()) && b.onExceed() != OnExceed.WARN;
    String period;
    boolean ephemeral = false;
    String run = null;
    long expires = -1;
    switch (b.scope()) {
      case RUN -> {
        ephemeral = call.runId() == null;
        period = ephemeral ? NO_RUN : call.runId();
        run = call.runId();
      }
      case SESSION -> period = call.session();
      case PROCESS -> period = "process";
      case DAY -> {
        java.time.LocalDate day = java.time.LocalDate.ofInstant(java.time.Instant.ofEpochMilli(now), zone);
        period = day.toString();
        expires = day.plusDays(2).atStartOfDay(zone).toInstant().toEpochMilli();
      }
      case MONTH -> {
        java.time.LocalDate day = java.time.LocalDate.ofInstant(java.time.Instant.ofEpochMilli(now), zone);
        period = Periods.month(day);
        expires = day.withDayOfMonth(2).plusMonths(1).atStartOfDay(zone).toInstant().toEpochMilli();
      }
      case TOTAL -> period = "total";
      default -> throw new IllegalStateException("scope " + b.scope());
    }
    boolean persistent = b.scope() == BudgetScope.DAY || b.scope() == BudgetScope.MONTH || b.scope() == BudgetScope.TOTAL;
    return Claim.budget(b.name(), scope, period, partition, run, ephemeral, persistent, requestNanos, requestTokens,
        adjustments.capNanos(b.name(), partition, period, b.maxNanos(), now),
        adjustments.capTokens(b.name(), partition, period, b.maxTokens(), now), enforcing, warnNanos[i], warnTokens[i],
        expires);
  }

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
    long id = admission.id();
    Pending p;
    synchronized (lock) {
      p = pending.remove(id);
      if (p == null) {
        p = swept.remove(id);
      }
      if (p == null) {
        return completed.get(id, () -> empty(admission));
      }
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
    Settlement s = finish(p, cost, tokens, usage, estimated, price);
    synchronized (lock) {
      completed.put(id, s);
    }
    return s;
  }

  /** Settles the hold in its stores and reports thresholds and caps crossed. */
  private Settlement finish(Pending p, long cost, long tokens, Usage usage, boolean estimated, ModelPrice price) {
    long now = clock.millis();
    List<Settled> after = new ArrayList<>();
    if (shared == local) {
      List<Settled> all = local.settle(p.holdId, concat(p.localClaims, p.sharedClaims), cost, tokens, now);
      after.addAll(all == null ? java.util.Collections.nCopies(p.localClaims.size() + p.sharedClaims.size(), null) : all);
    } else {
      List<Settled> l = p.localClaims.isEmpty() ? List.of() : local.settle(p.holdId, p.localClaims, cost, tokens, now);
      List<Settled> s = p.sharedClaims.isEmpty() ? List.of() : shared.settle(p.holdId, p.sharedClaims, cost, tokens, now);
      after.addAll(l == null ? java.util.Collections.nCopies(p.localClaims.size(), null) : l);
      after.addAll(s == null ? java.util.Collections.nCopies(p.sharedClaims.size(), null) : s);
    }
    List<Claim> order = concat(p.localClaims, p.sharedClaims);
    List<BudgetState> states = new ArrayList<>();
    List<Threshold> crossed = new ArrayList<>();
    List<Breach> exceeded = new ArrayList<>();
    for (int h = 0; h < p.held.size(); h++) {
      Claim c = p.held.get(h);
      Budget b = p.heldRules.get(h).budget;
      Settled st = after.get(indexOf(order, c));
      if (st == null) {
        continue;
      }
      states.add(state(b, c, st.spentNanos(), st.reservedNanos(), st.spentTokens(), st.reservedTokens()));
      for (int f : st.crossed()) {
        crossed.add(new Threshold(b.name(), scope(b), c.partition(), c.period(), b.warnAt().get(f), st.spentNanos(),
            c.capNanos()));
      }
      if (st.over()) {
        exceeded.add(budgetBreach(b, c, st.spentNanos(), st.reservedNanos(), st.spentTokens(), 0, 0, st.firstOver()));
      }
    }
    return new Settlement(p.id, cost, usage, estimated, price, states, crossed, exceeded);
  }

  /** Where {@code c} itself (not an equal claim) stands in {@code claims}. */
  private static int indexOf(List<Claim> claims, Claim c) {
    for (int i = 0; i < claims.size(); i++) {
      if (claims.get(i) == c) {
        return i;
      }
    }
    throw new IllegalStateException("claim not held: " + c.name());
  }

  private static List<Claim> concat(List<Claim> a, List<Claim> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<Claim> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Returns the admission's reservation without charging anything (the call failed before any usage). */
  public Settlement release(Admission admission) {
    Pending p;
    synchronized (lock) {
      p = pending.remove(admission.id());
      if (p == null) {
        swept.remove(admission.id()); // released by sweep and now known to have failed: nothing will be charged
        return completed.get(admission.id(), () -> empty(admission));
      }
    }
    Settlement s = finish(p, 0, 0, Usage.ZERO, false, p.price);
    Settlement released = new Settlement(s.admissionId(), 0, Usage.ZERO, false, p.price, s.budgets(), List.of(),
        List.of());
    synchronized (lock) {
      completed.put(p.id, released);
    }
    return released;
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
    long now = clock.millis();
    int released = 0;
    synchronized (lock) {
      for (var it = pending.values().iterator(); it.hasNext(); ) {
        Pending p = it.next();
        if (now - p.createdMillis >= ttlMillis) {
          it.remove();
          swept.put(p.id, p);
          released++;
        }
      }
    }
    local.expire(now);
    if (shared != local) {
      shared.expire(now);
    }
    return released;
  }

  /** Reservations not yet settled, released or swept. */
  public int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** Forgets a run's budget instances and limit counters once the run has ended. */
  public void endRun(String runId) {
    local.endRun(runId);
  }

  /** Every retained budget instance's state, budgets in file order. */
  public List<BudgetState> snapshot() {
    List<KeyState> keys = new ArrayList<>(local.states());
    if (shared != local) {
      keys.addAll(shared.states());
    }
    List<BudgetState> states = new ArrayList<>();
    for (Budget b : budgets) {
      for (KeyState k : keys) {
        if (k.kind() == Claim.Kind.BUDGET && k.name().equals(b.name())) {
          long now = clock.millis();
          states.add(new BudgetState(b.name(), scope(b), k.partition(), k.period(), k.spentNanos(), k.reservedNanos(),
              adjustments.capNanos(b.name(), k.partition(), k.period(), b.maxNanos(), now), k.spentTokens(),
              k.reservedTokens(), adjustments.capTokens(b.name(), k.partition(), k.period(), b.maxTokens(), now)));
        }
      }
    }
    return states;
  }

  /** The call's partition: null when not partitioned, "" when the call lacks the value. */
  private static String partition(String per, LlmCall call) {
    if (per == null) {
      return null;
    }
    String value = per.equals("session") ? call.session() : call.mdcValue(per.substring(4));
    return value == null ? "" : value;
  }

  private static BudgetState state(Budget b, Claim c, long spentNanos, long reservedNanos, long spentTokens,
      long reservedTokens) {
    return new BudgetState(b.name(), scope(b), c.partition(), c.period(), spentNanos, reservedNanos, c.capNanos(),
        spentTokens, reservedTokens, c.capTokens());
  }

  private static String scope(Budget b) {
    return b.scope().name().toLowerCase(Locale.ROOT);
  }

  // ---- breaches and reasons --------------------------------------------------------------------------------

  /** A limit's rule path: {@code limits[i]}, after its governance file's label when an organisation's. */
  public String rulePath(Limit limit) {
    return policy.rulePrefix(limit.name()) + "limits[" + limit.index() + "]";
  }

  /** A budget's rule path: {@code budgets[i]}, after its governance file's label when an organisation's. */
  public String rulePath(Budget b) {
    return policy.rulePrefix(b.name()) + "budgets[" + b.index() + "]";
  }

  private Breach limitBreach(Limit limit, Claim c, long calls, boolean first) {
    return new Breach("limit", limit.name(), rulePath(limit),
        limit.scope().name().toLowerCase(Locale.ROOT), c.partition(), limit.onExceed(), 0, 0, 0, -1, calls, 1,
        c.capCalls(), first, c.ephemeral() || limit.onExceed() != OnExceed.PAUSE ? null : c.period());
  }

  private Breach budgetBreach(Budget b, Claim c, long spentNanos, long reservedNanos, long spentTokens,
      long requestNanos, long requestTokens, boolean first) {
    return new Breach("budget", b.name(), rulePath(b), scope(b), c.partition(), b.onExceed(),
        spentNanos, reservedNanos, requestNanos, c.capNanos(), spentTokens, requestTokens, c.capTokens(), first);
  }

  private Breach pricingBreach(OnExceed on, String model) {
    boolean first;
    synchronized (lock) {
      first = unknownModelsReported.peek(model) == null;
      unknownModelsReported.put(model, Boolean.TRUE);
    }
    return new Breach("pricing", "unknown_model", "pricing.unknown_model", null, null, on, 0, 0, 0, -1, 0, 0, -1,
        first);
  }

  private static String limitReason(Limit limit, long cap, long calls) {
    String per = limit.per() == null ? "" : ", for each " + limit.per();
    return "limit " + quote(limit.name()) + " allows " + cap + (cap == 1 ? " LLM call" : " LLM calls")
        + (limit.window() == null ? "" : " within " + limit.window().toString().substring(2).toLowerCase(Locale.ROOT))
        + " per " + limit.scope().name().toLowerCase(Locale.ROOT) + per + "; " + calls + " already made";
  }

  private static String budgetReason(Budget b, Claim c, Seen s, long requestNanos, long requestTokens) {
    String where = scope(b) + " " + quote(c.period()) + (c.partition() == null ? "" : ", partition "
        + quote(c.partition()));
    if (s.overUsd()) {
      return "budget " + quote(b.name()) + " (" + where + ") has spent " + Costs.usd(s.spentNanos()) + " USD with "
          + Costs.usd(s.reservedNanos()) + " USD reserved; this call may cost up to " + Costs.usd(requestNanos)
          + " USD, over its limit of " + Costs.usd(c.capNanos()) + " USD";
    }
    return "budget " + quote(b.name()) + " (" + where + ") has used " + s.spentTokens() + " tokens with "
        + s.reservedTokens() + " reserved; this call may use up to " + requestTokens + " tokens, over its limit of "
        + c.capTokens() + " tokens";
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  // ---- state -----------------------------------------------------------------------------------------------

  /** An admitted call's hold: the claims reserved in each store, and the budget claims among them in rule order. */
  private record Pending(long id, String holdId, long createdMillis, ModelPrice price, List<Rule> heldRules,
      List<Claim> held, List<Claim> localClaims, List<Claim> sharedClaims) {}
}
