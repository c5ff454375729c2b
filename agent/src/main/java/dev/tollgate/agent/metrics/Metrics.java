package dev.tollgate.agent.metrics;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementListener;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.MetricsSettings;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.event.LlmCallEvent;
import dev.tollgate.policy.event.LogEvent;
import dev.tollgate.policy.event.ToolCallEvent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

  /** The export waits for the app's class loading to have been quiet this long (its start-up is over)... */
  public static final long QUIET_MILLIS = 1_000;
  /** ...or for the first governed call, and never longer than this after the guard is ready. */
  public static final long MAX_DELAY_MILLIS = 60_000;
  private static final long POLL_MILLIS = 100;

  /**
   * Exports on the daemon thread {@code tollgate-metrics} once the app's start-up is over: at the first governed call
   * (its tool or LLM call event), or when no class has been loaded for {@value #QUIET_MILLIS} ms ({@code classLoads}
   * counts the JVM's class loads; it stood still), or {@value #MAX_DELAY_MILLIS} ms after this call, whichever comes
   * first. The platform MBeanServer and the HTTP server load about 200 JDK classes (~45 ms of CPU and 1.5 MB of
   * metaspace measured), which would otherwise compete with the app's own start for the same cores (a Spring Boot app
   * still starting 2 s after the agent was ready paid for them). Nothing is missed: the counters count every event
   * from {@link #listen} on. Started from a daemon thread, the JDK HTTP server's dispatcher thread is a daemon too: the
   * endpoint never keeps the app's JVM alive.
   */
  public void exportInBackground(PolicyEngine engine, Supplier<LlmGovernor> governor,
      java.util.function.IntSupplier classLoads) {
    exportInBackground(engine, governor, classLoads, QUIET_MILLIS, MAX_DELAY_MILLIS);
  }

  /** The same with other bounds ({@code quietMillis} 0: the start-up is known to be over); returns the thread. */
  public Thread exportInBackground(PolicyEngine engine, Supplier<LlmGovernor> governor,
      java.util.function.IntSupplier classLoads, long quietMillis, long maxMillis) {
    FirstGovernedCall first = new FirstGovernedCall();
    log.listen(first);
    Thread t = new Thread(() -> {
      try {
        awaitStartUpOver(first.happened, classLoads, quietMillis, maxMillis);
      } catch (InterruptedException e) {
        return;
      }
      export(engine, governor);
    }, "tollgate-metrics");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** What {@link #awaitStartUpOver} returned at. */
  public static final String FIRST_CALL = "first call";
  public static final String START_UP_OVER = "start-up over";
  public static final String AT_THE_LATEST = "at the latest";

  /**
   * Returns {@link #FIRST_CALL} at {@code firstCall}, {@link #START_UP_OVER} after {@code quietMillis} without a class
   * load, or {@link #AT_THE_LATEST} after {@code maxMillis}. (The guard's deferred set-up waits the same way.)
   */
  public static String awaitStartUpOver(CountDownLatch firstCall, java.util.function.IntSupplier classLoads,
      long quietMillis, long maxMillis) throws InterruptedException {
    long start = System.nanoTime();
    int seen = classLoads.getAsInt();
    long quietSince = start;
    while (!firstCall.await(Math.min(POLL_MILLIS, Math.max(1, quietMillis)), TimeUnit.MILLISECONDS)) {
      long now = System.nanoTime();
      int loads = classLoads.getAsInt();
      if (loads != seen) {
        seen = loads;
        quietSince = now;
      } else if (now - quietSince >= TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
        return START_UP_OVER;
      }
      if (now - start >= TimeUnit.MILLISECONDS.toNanos(maxMillis)) {
        return AT_THE_LATEST;
      }
    }
    return FIRST_CALL;
  }

  /** Opens its latch at the first tool or LLM call event; a volatile read per event after that. */
  private static final class FirstGovernedCall implements EnforcementListener {
    final CountDownLatch happened = new CountDownLatch(1);

    @Override
    public void onEvent(LogEvent event, boolean durable) {
      if (happened.getCount() > 0 && (event instanceof ToolCallEvent || event instanceof LlmCallEvent)) {
        happened.countDown();
      }
    }
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
