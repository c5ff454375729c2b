package dev.tollgate.bench;

import dev.tollgate.agent.guard.PolicyGuard;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.metrics.Metrics;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** The real guard and engine, installed in process for the tool-call benchmarks (see {@link WovenCall}). */
public final class BenchTool {

  private BenchTool() {}

  /** The policy file, relative to the benchmarks module (where run.sh runs everything). */
  static Path policyFile() {
    return Path.of(System.getProperty("bench.policy", "bench-policy.yaml"));
  }

  static Policy policy(Path file) {
    try {
      return PolicyLoader.load(file);
    } catch (PolicyException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Installs the real guard and engine for {@code policyFile} in this JVM, logging to {@code log}, with the metrics'
   * listener on the log's events as the agent always has it ({@code -Dbench.metrics=false}: without it, to measure
   * what the listener costs).
   */
  static PolicyEngine installGuard(Path policyFile, Path log) throws IOException {
    Policy policy = policy(policyFile);
    PolicyEngine engine = new PolicyEngine(policy, Clock.systemUTC());
    EnforcementLog enforcementLog = EnforcementLog.open(log, Clock.systemUTC());
    if (Boolean.parseBoolean(System.getProperty("bench.metrics", "true"))) {
      Metrics.listen(enforcementLog, policy);
    }
    Guard.install(new PolicyGuard(engine, enforcementLog, false));
    return engine;
  }

  /** Empties a log that is open in append mode (its next line goes to offset 0). */
  static void truncate(Path log) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
  }

  /** The engine's decision alone: no guard, no log, no digest. */
  static Object decide(PolicyEngine engine, String arguments) {
    return engine.decide(new ToolCall(WovenCall.TOOL, WovenCall.FRAMEWORK, null, arguments, null, Map.of()));
  }
}
