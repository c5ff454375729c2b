package dev.tollgate.agent.metrics;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.policy.MetricsSettings;
import dev.tollgate.policy.engine.Outcome;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.util.Locale;

/**
 * {@code metrics.prometheus}: serves {@code /metrics} in the Prometheus text format through the Prometheus Java
 * client's own HTTP server. Every series is a callback read from {@link DecisionCounters} and {@link BudgetView} at
 * scrape time, so the call path never touches the client. The registry is our own, never the client's default one
 * (which an app may use too), and no host system property or {@code prometheus.properties} configures it.
 */
public final class PrometheusEndpoint implements Closeable {
  private static final Outcome[] OUTCOMES = Outcome.values();

  private final HTTPServer server;

  private PrometheusEndpoint(HTTPServer server) {
    this.server = server;
  }

  /** Starts the endpoint; throws what binding the address threw. */
  public static PrometheusEndpoint start(MetricsSettings.Prometheus settings, DecisionCounters counters,
      TollgateMBeans beans, java.util.function.IntSupplier logQueueDepth) throws IOException {
    PrometheusRegistry registry = registry(counters, beans.budgets(), logQueueDepth);
    HTTPServer server = HTTPServer.builder(properties()).hostname(settings.host()).port(settings.port())
        .registry(registry).buildAndStart();
    return new PrometheusEndpoint(server);
  }

  /** Defaults only: the host's {@code io.prometheus.*} properties configure the host's exporters, not ours. */
  private static PrometheusProperties properties() {
    return PrometheusProperties.builder().build();
  }

  public int port() {
    return server.getPort();
  }

  static PrometheusRegistry registry(DecisionCounters counters, BudgetView budgets,
      java.util.function.IntSupplier logQueueDepth) {
    PrometheusProperties props = properties();
    PrometheusRegistry registry = new PrometheusRegistry();
    CounterWithCallback.builder(props).name("tollgate_tool_calls")
        .help("Tool calls decided, by tool (64 names at most, the rest as other) and decision")
        .labelNames("tool", "decision")
        .callback(cb -> counters.tools().forEach((tool, d) -> {
          for (Outcome o : OUTCOMES) {
            long n = d.get(o);
            if (n > 0) {
              cb.call(n, tool, wire(o));
            }
          }
        })).register(registry);
    CounterWithCallback.builder(props).name("tollgate_llm_calls")
        .help("LLM calls decided, by provider, model (32 names at most, the rest as other) and decision")
        .labelNames("provider", "model", "decision")
        .callback(cb -> counters.providers().forEach((provider, models) -> models.forEach((model, m) -> {
          for (Outcome o : OUTCOMES) {
            long n = m.decisions.get(o);
            if (n > 0) {
              cb.call(n, provider, model, wire(o));
            }
          }
        }))).register(registry);
    CounterWithCallback.builder(props).name("tollgate_llm_cost_usd")
        .help("Cost of settled LLM calls in USD at the bundled prices, by provider and model")
        .labelNames("provider", "model")
        .callback(cb -> counters.providers().forEach((provider, models) -> models.forEach((model, m) -> {
          long nanos = m.costNanos.sum();
          if (nanos > 0 || m.decisions.get(Outcome.ALLOW) > 0) {
            cb.call(nanos / 1e9, provider, model);
          }
        }))).register(registry);
    CounterWithCallback.builder(props).name("tollgate_llm_tokens")
        .help("Tokens the providers reported (or Tollgate estimated), by model and kind")
        .labelNames("model", "kind")
        .callback(cb -> {
          java.util.Map<String, long[]> byModel = new java.util.TreeMap<>();
          counters.providers().forEach((provider, models) -> models.forEach((model, m) -> {
            long[] t = byModel.computeIfAbsent(model, k -> new long[5]);
            t[0] += m.input.sum();
            t[1] += m.output.sum();
            t[2] += m.cached.sum();
            t[3] += m.cacheWrite.sum();
            t[4] += m.reasoning.sum();
          }));
          String[] kinds = {"input", "output", "cached", "cache_write", "reasoning"};
          byModel.forEach((model, t) -> {
            for (int i = 0; i < kinds.length; i++) {
              if (t[i] > 0 || i < 2 && (t[0] > 0 || t[1] > 0)) {
                cb.call(t[i], model, kinds[i]);
              }
            }
          });
        }).register(registry);
    CounterWithCallback.builder(props).name("tollgate_llm_unmetered")
        .help("LLM calls whose response could not be read (llm.unmetered events), charged the worst case their hold "
            + "reserved, by provider")
        .labelNames("provider")
        .callback(cb -> counters.unmeteredByProvider().forEach((provider, n) -> {
          if (n.sum() > 0) {
            cb.call(n.sum(), provider);
          }
        })).register(registry);
    CounterWithCallback.builder(props).name("tollgate_limit_exceeded")
        .help("Times each limit of the policy was passed (limit.exceeded events)")
        .labelNames("limit")
        .callback(cb -> counters.limitBreaches().forEach((limit, n) -> {
          if (n.sum() > 0) {
            cb.call(n.sum(), limit);
          }
        })).register(registry);
    GaugeWithCallback.builder(props).name("tollgate_budget_spent_usd")
        .help("USD spent in each budget's instance nearest its cap (the current day, month, run, ...)")
        .labelNames("budget", "scope")
        .callback(cb -> budgets.figures().values().forEach(f -> cb.call(f.spentNanos() / 1e9, f.budget(), f.scope())))
        .register(registry);
    GaugeWithCallback.builder(props).name("tollgate_budget_reserved_usd")
        .help("USD held for LLM calls in flight in the same instance")
        .labelNames("budget", "scope")
        .callback(cb -> budgets.figures().values()
            .forEach(f -> cb.call(f.reservedNanos() / 1e9, f.budget(), f.scope())))
        .register(registry);
    GaugeWithCallback.builder(props).name("tollgate_budget_limit_usd")
        .help("The instance's max_usd, overrides included (budgets with max_usd only)")
        .labelNames("budget", "scope")
        .callback(cb -> budgets.figures().values().forEach(f -> {
          if (f.limitNanos() >= 0) {
            cb.call(f.limitNanos() / 1e9, f.budget(), f.scope());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder(props).name("tollgate_agent_suppressed_errors")
        .help("Errors of the agent's own code kept from the host; anything but 0 is a bug")
        .callback(cb -> cb.call(Guard.suppressedCount())).register(registry);
    GaugeWithCallback.builder(props).name("tollgate_log_queue_depth")
        .help("Enforcement-log events queued for the writer thread")
        .callback(cb -> cb.call(logQueueDepth.getAsInt())).register(registry);
    return registry;
  }

  private static String wire(Outcome o) {
    return o.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    server.close();
  }
}
