package dev.tollgate.agent.metrics;

import dev.tollgate.agent.log.EnforcementListener;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.event.BudgetExceeded;
import dev.tollgate.policy.event.BudgetWarning;
import dev.tollgate.policy.event.LimitExceeded;
import dev.tollgate.policy.event.LlmCallEvent;
import dev.tollgate.policy.event.LlmUnmetered;
import dev.tollgate.policy.event.LogEvent;
import dev.tollgate.policy.event.ToolCallEvent;
import java.util.concurrent.atomic.LongAdder;

/**
 * The metrics' listener of the guards' typed events: counts decisions, LLM cost and tokens, breaches. On the caller's
 * thread it only finds cells (lock-free map reads) and increments {@link LongAdder}s; JMX and Prometheus read the
 * sums when they are read. Labels never carry prompts, arguments, runs, sessions or partitions: tool and model names
 * are bounded ({@link BoundedLabels}), providers are the endpoint recogniser's names, limits and budgets the policy's.
 */
public final class DecisionCounters implements EnforcementListener {
  /** Distinct tool names with series of their own; more are counted as {@code other}. */
  public static final int MAX_TOOLS = 64;
  /** Distinct model names with series of their own (per provider, and in the token counts); more are {@code other}. */
  public static final int MAX_MODELS = 32;
  /** Distinct providers (built-in formats and {@code providers:} names); more are {@code other}. */
  static final int MAX_PROVIDERS = 16;

  /** allow, deny and warn counts of one label value. */
  static final class Decisions {
    final LongAdder allow = new LongAdder();
    final LongAdder deny = new LongAdder();
    final LongAdder warn = new LongAdder();

    void count(Outcome o) {
      (o == Outcome.ALLOW ? allow : o == Outcome.DENY ? deny : warn).increment();
    }

    long get(Outcome o) {
      return (o == Outcome.ALLOW ? allow : o == Outcome.DENY ? deny : warn).sum();
    }
  }

  /** One model of one provider: its decisions, cost and tokens. */
  static final class ModelCells {
    final Decisions decisions = new Decisions();
    final LongAdder costNanos = new LongAdder();
    final LongAdder input = new LongAdder();
    final LongAdder output = new LongAdder();
    final LongAdder cached = new LongAdder();
    final LongAdder cacheWrite = new LongAdder();
    final LongAdder reasoning = new LongAdder();
  }

  private final Decisions tool = new Decisions();
  private final Decisions llm = new Decisions();
  // (cells made by one small class, not four lambdas: the counters are built while the app starts, where each
  // lambda's first use spins a class)
  private final BoundedLabels<Decisions> tools = new BoundedLabels<>(MAX_TOOLS, new Cells<>(Cells.DECISIONS));
  private final BoundedLabels<BoundedLabels<ModelCells>> providers =
      new BoundedLabels<>(MAX_PROVIDERS, new Cells<>(Cells.MODELS_OF_A_PROVIDER));
  private final LongAdder limitsExceeded = new LongAdder();
  private final LongAdder budgetsExceeded = new LongAdder();
  private final LongAdder budgetWarnings = new LongAdder();
  private final LongAdder costNanos = new LongAdder();
  private final BoundedLabels<LongAdder> unmeteredByProvider =
      new BoundedLabels<>(MAX_PROVIDERS, new Cells<>(Cells.ADDER));
  private final BoundedLabels<LongAdder> limitBreaches;
  private final BoundedLabels<LongAdder> budgetBreaches;

  /** @param policyNames how many limits and budgets the policy names (their names are bounded by the policy) */
  public DecisionCounters(int policyNames) {
    this.limitBreaches = new BoundedLabels<>(Math.max(policyNames, 1), new Cells<>(Cells.ADDER));
    this.budgetBreaches = new BoundedLabels<>(Math.max(policyNames, 1), new Cells<>(Cells.ADDER));
  }

  /** A new label's cells, of one of four kinds. */
  private static final class Cells<C> implements java.util.function.Supplier<C> {
    static final int DECISIONS = 0;
    static final int MODELS_OF_A_PROVIDER = 1;
    static final int MODEL = 2;
    static final int ADDER = 3;
    private final int kind;

    Cells(int kind) {
      this.kind = kind;
    }

    @Override
    @SuppressWarnings("unchecked")
    public C get() {
      return (C) switch (kind) {
        case DECISIONS -> new Decisions();
        case MODELS_OF_A_PROVIDER -> new BoundedLabels<ModelCells>(MAX_MODELS, new Cells<>(MODEL));
        case MODEL -> new ModelCells();
        default -> new LongAdder();
      };
    }
  }

  @Override
  public void onEvent(LogEvent event, boolean durable) {
    if (event instanceof ToolCallEvent t) {
      tool.count(t.decision());
      tools.cells(t.tool()).count(t.decision());
    } else if (event instanceof LlmCallEvent c) {
      llm(c);
    } else if (event instanceof LimitExceeded l) {
      limitsExceeded.increment();
      limitBreaches.cells(l.limit()).increment();
    } else if (event instanceof BudgetExceeded b) {
      budgetsExceeded.increment();
      budgetBreaches.cells(b.budget()).increment();
    } else if (event instanceof BudgetWarning) {
      budgetWarnings.increment();
    } else if (event instanceof LlmUnmetered u) {
      unmeteredByProvider.cells(u.provider()).increment();
    }
  }

  private void llm(LlmCallEvent c) {
    llm.count(c.decision());
    LlmCallEvent.Target target = c.target();
    ModelCells m = providers.cells(target == null ? null : target.provider())
        .cells(target == null ? null : target.model());
    m.decisions.count(c.decision());
    LlmCallEvent.Result r = c.result();
    if (r != null) {
      add(m.costNanos, r.costNanos());
      add(costNanos, r.costNanos());
      add(m.input, r.inputTokens());
      add(m.output, r.outputTokens());
      add(m.cached, r.cachedTokens());
      add(m.cacheWrite, r.cacheWriteTokens());
      add(m.reasoning, r.reasoningTokens());
    }
  }

  private static void add(LongAdder to, Long amount) {
    if (amount != null && amount > 0) {
      to.add(amount);
    }
  }

  public long toolCalls(Outcome o) {
    return tool.get(o);
  }

  public long llmCalls(Outcome o) {
    return llm.get(o);
  }

  public long limitsExceeded() {
    return limitsExceeded.sum();
  }

  public long limitExceeded(String limit) {
    long[] n = {0};
    limitBreaches.forEach((name, cells) -> {
      if (name.equals(limit)) {
        n[0] = cells.sum();
      }
    });
    return n[0];
  }

  public long budgetsExceeded() {
    return budgetsExceeded.sum();
  }

  public long budgetWarnings() {
    return budgetWarnings.sum();
  }

  /** LLM calls whose response could not be read, charged their worst case ({@code llm.unmetered} events). */
  public long llmUnmetered() {
    long[] n = {0};
    unmeteredByProvider.forEach((provider, cells) -> n[0] += cells.sum()); // "other" included
    return n[0];
  }

  BoundedLabels<LongAdder> unmeteredByProvider() {
    return unmeteredByProvider;
  }

  /** Cost of every settled LLM call, in nano-USD. */
  public long costNanos() {
    return costNanos.sum();
  }

  BoundedLabels<Decisions> tools() {
    return tools;
  }

  BoundedLabels<BoundedLabels<ModelCells>> providers() {
    return providers;
  }

  BoundedLabels<LongAdder> limitBreaches() {
    return limitBreaches;
  }
}
