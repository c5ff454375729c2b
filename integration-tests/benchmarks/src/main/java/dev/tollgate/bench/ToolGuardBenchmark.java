package dev.tollgate.bench;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.policy.engine.PolicyEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tool-guard overhead in one JVM: the same tool call bare, through the real guard, engine and enforcement log
 * ({@code guarded - bare} is what governance adds), and the engine's decision alone (what the policy costs without
 * the log line and the argument digest), under the realistic policy and under deny globs alone. Target: median added ≤ 100 ns.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ToolGuardBenchmark {
  private PolicyEngine engine;
  private String arguments;
  private Path log;

  /** The realistic policy, and the floor: deny globs only. */
  @Param({"bench-policy.yaml", "bench-policy-globs.yaml"})
  public String policy;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "bench"));
    log = dir.resolve("tool-guard.jsonl");
    engine = BenchTool.installGuard(Path.of(policy), log);
    arguments = new String(WovenCall.ARGUMENTS); // not a constant the JIT can fold
  }

  /** The log is appended to as in production; emptied between iterations so a run does not fill the disk. */
  @TearDown(Level.Iteration)
  public void emptyLog() throws IOException {
    BenchTool.truncate(log);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (Guard.suppressedCount() != 0) {
      throw new IllegalStateException("the guard suppressed " + Guard.suppressedCount() + " errors");
    }
    Guard.install(null);
  }

  @Benchmark
  public int bare() {
    return WovenCall.body(arguments);
  }

  @Benchmark
  public int guarded() {
    return WovenCall.guarded(arguments);
  }

  /** The same call inside a run of its own (run begun and ended around it), so run-scoped limits count it. */
  @Benchmark
  public int guardedInRun() {
    return WovenCall.guardedInRun(arguments);
  }

  @Benchmark
  public Object decideOnly() {
    return BenchTool.decide(engine, arguments);
  }
}
