package dev.tollgate.bench;

import dev.tollgate.agent.guard.PolicyGuard;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The tool call every tool benchmark makes, and the two ways to make it: bare, or the way woven advice makes it
 * ({@link Guard#toolEnter}, the body only on {@link Guard#PROCEED}, {@link Guard#toolExit} in a finally).
 */
public final class BenchTool {
  static final String FRAMEWORK = "langchain4j";
  static final String TOOL = "lookup";
  static final String ARGUMENTS = "{\"key\":\"k1\"}";

  private BenchTool() {}

  /** The policy file, relative to the benchmarks module (where run.sh runs everything). */
  static Path policyFile() {
    return Path.of(System.getProperty("bench.policy", "bench-policy.yaml"));
  }

  static Policy policy() {
    try {
      return PolicyLoader.load(policyFile());
    } catch (PolicyException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Installs the real guard and engine in this JVM, logging to {@code log}; returns the engine. */
  static PolicyEngine installGuard(Path log) throws IOException {
    PolicyEngine engine = new PolicyEngine(policy(), Clock.systemUTC());
    Guard.install(new PolicyGuard(engine, EnforcementLog.open(log, Clock.systemUTC()), false));
    return engine;
  }

  /** Empties a log that is open in append mode (its next line goes to offset 0). */
  static void truncate(Path log) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
  }

  /** The tool's body: small, so that what is measured around it is the guard. */
  static int body(String arguments) {
    return arguments.length() + 1;
  }

  /** What a woven tool call does: one decision, the body if allowed, the frame closed. */
  static int guarded(String arguments) {
    Object request = new Object(); // the framework's per-call request object
    Object decision = Guard.toolEnter(FRAMEWORK, request, TOOL, arguments, null);
    try {
      if (decision instanceof Refusal) {
        return -1;
      }
      return body(arguments);
    } finally {
      if (decision != null) {
        Guard.toolExit();
      }
    }
  }

  /** The engine's decision alone: no guard, no log, no digest. */
  static Object decide(PolicyEngine engine, String arguments) {
    return engine.decide(new ToolCall(TOOL, FRAMEWORK, null, arguments, null, Map.of()));
  }
}
