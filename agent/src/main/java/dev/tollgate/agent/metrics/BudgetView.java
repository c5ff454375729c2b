package dev.tollgate.agent.metrics;

import dev.tollgate.policy.Budget;
import dev.tollgate.policy.budget.BudgetState;
import dev.tollgate.policy.budget.LlmGovernor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Each budget of the policy as one figure, computed from the governor's {@link LlmGovernor#snapshot()} when metrics
 * are read (never on the call path), at most once a second however many attributes or series are read (every 5
 * seconds with a shared store, where a snapshot is a Redis SCAN). A budget has one instance per run, session, day or
 * partition; the figure is its instance nearest its cap (the one an alert is about), with how many instances there
 * are. A store that does not answer leaves the last figures in place.
 */
final class BudgetView {
  private static final long FRESH_NANOS = 1_000_000_000L;
  private static final long FRESH_SHARED_NANOS = 5_000_000_000L;

  /** One budget: the instance nearest its cap, in nano-USD and tokens; {@code limitNanos} -1 when no max_usd. */
  record Figure(String budget, String scope, String period, long spentNanos, long reservedNanos, long limitNanos,
      long spentTokens, long limitTokens, int instances) {
    double percentUsed() {
      if (limitNanos > 0) {
        return 100.0 * spentNanos / limitNanos;
      }
      if (limitTokens > 0) {
        return 100.0 * spentTokens / limitTokens;
      }
      return limitNanos == 0 || limitTokens == 0 ? 100.0 : -1.0;
    }
  }

  private record Cached(long at, Map<String, Figure> figures) {}

  private final Supplier<LlmGovernor> governor;
  private volatile Cached cached;

  BudgetView(Supplier<LlmGovernor> governor) {
    this.governor = governor;
  }

  /** Every budget of the policy in file order; empty until the governor is set up. */
  Map<String, Figure> figures() {
    Cached c = cached;
    long now = System.nanoTime();
    LlmGovernor g = governor.get();
    long fresh = g != null && g.sharedStore().shared() ? FRESH_SHARED_NANOS : FRESH_NANOS;
    if (c != null && now - c.at < fresh) {
      return c.figures;
    }
    Map<String, Figure> figures = compute(g, c == null ? null : c.figures);
    cached = new Cached(now, figures);
    return figures;
  }

  Figure figure(String budget) {
    return figures().get(budget);
  }

  private static Map<String, Figure> compute(LlmGovernor g, Map<String, Figure> last) {
    Map<String, Figure> out = new LinkedHashMap<>();
    if (g == null) {
      return out;
    }
    List<BudgetState> states;
    try {
      states = g.snapshot();
    } catch (RuntimeException e) {
      if (last != null) {
        return last; // a shared store that does not answer: the last figures stand
      }
      states = List.of();
    }
    for (Budget b : g.policy().budgets()) {
      String scope = b.scope().name().toLowerCase(Locale.ROOT);
      List<BudgetState> mine = new ArrayList<>();
      for (BudgetState s : states) {
        if (s.budget().equals(b.name())) {
          mine.add(s);
        }
      }
      BudgetState nearest = null;
      double nearestShare = -1;
      for (BudgetState s : mine) {
        double share = s.limitNanos() > 0 ? (double) s.spentNanos() / s.limitNanos()
            : s.limitTokens() > 0 ? (double) s.spentTokens() / s.limitTokens() : s.spentNanos();
        if (share > nearestShare) {
          nearest = s;
          nearestShare = share;
        }
      }
      out.put(b.name(), nearest == null
          ? new Figure(b.name(), scope, "", 0, 0, b.maxNanos(), 0, b.maxTokens(), 0)
          : new Figure(b.name(), scope, nearest.period(), nearest.spentNanos(), nearest.reservedNanos(),
              nearest.limitNanos(), nearest.spentTokens(), nearest.limitTokens(), mine.size()));
    }
    return out;
  }
}
