package dev.tollgate.agent.metrics;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.MetricsSettings;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.engine.PolicyEngine;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The agent's metrics: one {@link DecisionCounters} listening to the enforcement log's events from the start, the
 * JMX MBeans (always), and the Prometheus endpoint when {@code metrics.prometheus} asks for it. A metrics failure
 * never stops the app or its governance: it is a warning.
 */
public final class Metrics {
  private static final Logger LOG = Diagnostics.logger(Metrics.class);

  private final DecisionCounters counters;
  private final EnforcementLog log;
  private final Policy policy;

  private Metrics(DecisionCounters counters, EnforcementLog log, Policy policy) {
    this.counters = counters;
    this.log = log;
    this.policy = policy;
  }

  /** Starts counting what {@code log} is given; nothing is exported until {@link #export}. */
  public static Metrics listen(EnforcementLog log, Policy policy) {
    DecisionCounters counters = new DecisionCounters(policy.limits().size() + policy.budgets().size());
    log.listen(counters);
    return new Metrics(counters, log, policy);
  }

  DecisionCounters counters() {
    return counters;
  }

  /**
   * Exports on the daemon thread {@code tollgate-metrics}: the platform MBeanServer and the HTTP server load a few
   * hundred JDK classes, which must not hold up the thread that the app's class loading waits for at start-up. Started
   * from a daemon thread, the JDK HTTP server's dispatcher thread is a daemon too: the endpoint never keeps the app's
   * JVM alive.
   */
  public void exportInBackground(PolicyEngine engine, Supplier<LlmGovernor> governor) {
    Thread t = new Thread(() -> export(engine, governor), "tollgate-metrics");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Registers the MBeans and starts the Prometheus endpoint if the policy has one; {@code governor} answers null
   * until the guard is installed. Returns the endpoint, or null.
   */
  public PrometheusEndpoint export(PolicyEngine engine, Supplier<LlmGovernor> governor) {
    TollgateMBeans beans = new TollgateMBeans(counters, log, policy, engine, governor);
    try {
      beans.register();
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("no JMX metrics: the platform MBeanServer is not available ({})", e.toString());
    }
    MetricsSettings.Prometheus prometheus = policy.metrics().prometheus();
    if (prometheus == null) {
      return null;
    }
    try {
      PrometheusEndpoint endpoint = PrometheusEndpoint.start(prometheus, counters, beans, log::queueDepth);
      LOG.info("Prometheus metrics on http://{}:{}/metrics", prometheus.host(), endpoint.port());
      return endpoint;
    } catch (java.io.IOException | RuntimeException | LinkageError e) {
      LOG.warn("metrics.prometheus: cannot serve /metrics on {}:{} ({}); the agent runs without it",
          prometheus.host(), prometheus.port(), e.toString());
      return null;
    }
  }
}
