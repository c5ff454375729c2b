package dev.tollgate.agent.metrics;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.policy.Budget;
import dev.tollgate.policy.Limit;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.Scope;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.store.Claim;
import dev.tollgate.policy.store.KeyState;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;

/**
 * Tollgate's MBeans under the {@code dev.tollgate} domain, on the platform MBeanServer (jconsole, {@code jcmd},
 * the OpenTelemetry javaagent's JMX metrics). Every value is computed when it is read. Budget and limit names need
 * no quoting in an ObjectName: the policy allows only letters, digits, '_', '.' and '-' in them. Only our own names are
 * registered; a name that is taken already (a second agent copy) is left as it is.
 */
public final class TollgateMBeans {
  public static final String DOMAIN = "dev.tollgate";
  private static final Logger LOG = Diagnostics.logger(TollgateMBeans.class);

  private final DecisionCounters counters;
  private final EnforcementLog log;
  private final Policy policy;
  private final PolicyEngine engine;
  private final Supplier<LlmGovernor> governor;
  private final BudgetView budgets;

  public TollgateMBeans(DecisionCounters counters, EnforcementLog log, Policy policy, PolicyEngine engine,
      Supplier<LlmGovernor> governor) {
    this.counters = counters;
    this.log = log;
    this.policy = policy;
    this.engine = engine;
    this.governor = governor;
    this.budgets = new BudgetView(governor);
  }

  BudgetView budgets() {
    return budgets;
  }

  /** Registers every MBean on the platform MBeanServer; returns the names registered. Never throws. */
  public List<ObjectName> register() {
    return register(ManagementFactory.getPlatformMBeanServer());
  }

  List<ObjectName> register(MBeanServer server) {
    List<ObjectName> done = new ArrayList<>();
    add(server, "type=Decisions", new Decisions(), done);
    add(server, "type=Agent", new Agent(), done);
    for (Budget b : policy.budgets()) {
      add(server, "type=Budget,name=" + b.name(), new BudgetBean(b), done);
    }
    for (Limit l : policy.limits()) {
      add(server, "type=Limit,name=" + l.name(), new LimitBean(l), done);
    }
    return done;
  }

  private static void add(MBeanServer server, String keys, Object bean, List<ObjectName> done) {
    try {
      ObjectName name = new ObjectName(DOMAIN + ":" + keys);
      server.registerMBean(bean, name);
      done.add(name);
    } catch (InstanceAlreadyExistsException e) {
      LOG.warn("the MBean {}:{} is registered already (another Tollgate in this JVM?); left as it is", DOMAIN, keys);
    } catch (Exception | LinkageError e) {
      LOG.warn("cannot register the MBean {}:{}: {}", DOMAIN, keys, e.toString());
    }
  }

  static double usd(long nanos) {
    return nanos < 0 ? -1.0 : nanos / 1e9;
  }

  private final class Decisions implements DecisionsMXBean {
    @Override public long getToolCallsAllowed() { return counters.toolCalls(Outcome.ALLOW); }
    @Override public long getToolCallsDenied() { return counters.toolCalls(Outcome.DENY); }
    @Override public long getToolCallsWarned() { return counters.toolCalls(Outcome.WARN); }
    @Override public long getLlmCallsAllowed() { return counters.llmCalls(Outcome.ALLOW); }
    @Override public long getLlmCallsDenied() { return counters.llmCalls(Outcome.DENY); }
    @Override public long getLlmCallsWarned() { return counters.llmCalls(Outcome.WARN); }
    @Override public long getLimitsExceeded() { return counters.limitsExceeded(); }
    @Override public long getBudgetsExceeded() { return counters.budgetsExceeded(); }
    @Override public long getBudgetWarnings() { return counters.budgetWarnings(); }
    @Override public long getLlmCallsUnmetered() { return counters.llmUnmetered(); }
    @Override public double getLlmCostUsd() { return usd(counters.costNanos()); }
  }

  private final class Agent implements AgentMXBean {
    @Override public long getSuppressedErrors() { return Guard.suppressedCount(); }
    @Override public int getLogQueueDepth() { return log.queueDepth(); }
  }

  private final class BudgetBean implements BudgetMXBean {
    private final Budget budget;

    BudgetBean(Budget budget) {
      this.budget = budget;
    }

    private BudgetView.Figure figure() {
      BudgetView.Figure f = budgets.figure(budget.name());
      return f != null ? f : new BudgetView.Figure(budget.name(), getScope(), "", 0, 0, budget.maxNanos(), 0,
          budget.maxTokens(), 0);
    }

    @Override public String getScope() { return budget.scope().name().toLowerCase(Locale.ROOT); }
    @Override public String getPeriod() { return figure().period(); }
    @Override public int getInstances() { return figure().instances(); }
    @Override public double getSpentUsd() { return usd(figure().spentNanos()); }
    @Override public double getReservedUsd() { return usd(figure().reservedNanos()); }
    @Override public double getLimitUsd() { return usd(figure().limitNanos()); }
    @Override public double getPercentUsed() { return figure().percentUsed(); }
    @Override public long getSpentTokens() { return figure().spentTokens(); }
    @Override public long getLimitTokens() { return figure().limitTokens(); }
  }

  private final class LimitBean implements LimitMXBean {
    private final Limit limit;

    LimitBean(Limit limit) {
      this.limit = limit;
    }

    @Override public String getScope() { return limit.scope().name().toLowerCase(Locale.ROOT); }
    @Override public String getCounts() { return limit.countsLlmCalls() ? "llm" : "tools"; }
    @Override public long getMaxCalls() { return limit.maxCalls(); }
    @Override public long getMaxIdentical() { return limit.maxIdentical(); }
    @Override public long getWindowSeconds() { return limit.window() == null ? 0 : limit.window().toSeconds(); }
    @Override public long getExceeded() { return counters.limitExceeded(limit.name()); }

    @Override
    public long getCount() {
      if (limit.countsLlmCalls()) {
        LlmGovernor g = governor.get();
        if (g == null) {
          return 0;
        }
        long most = 0;
        for (KeyState s : g.localStore().states()) {
          if (s.kind() == Claim.Kind.COUNT && s.name().equals(limit.name())) {
            most = Math.max(most, s.calls());
          }
        }
        return most;
      }
      if (limit.scope() == Scope.PROCESS && limit.per() == null && limit.capsCalls()) {
        return engine.callsCounted(limit.name(), null);
      }
      return -1;
    }
  }
}
