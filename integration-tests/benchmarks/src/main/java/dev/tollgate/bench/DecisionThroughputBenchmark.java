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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tool decisions per second at 1 and 8 threads sharing one guard and engine (so process-scope counters and the
 * log are contended as in an app running agents in parallel): the whole guarded call, and the engine alone.
 * Target: ≥ 5 M decisions/s at 8 threads on 2 cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class DecisionThroughputBenchmark {
  private PolicyEngine engine;
  private String arguments;
  private Path log;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "bench"));
    log = dir.resolve("throughput.jsonl");
    engine = BenchTool.installGuard(BenchTool.policyFile(), log);
    arguments = new String(WovenCall.ARGUMENTS);
  }

  /** The log is appended to as in production; emptied between iterations so a run does not fill the disk. */
  @TearDown(Level.Iteration)
  public void emptyLog() throws IOException {
    BenchTool.truncate(log);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    Guard.install(null);
  }

  @Benchmark
  @Threads(1)
  public int guarded1() {
    return WovenCall.guarded(arguments);
  }

  @Benchmark
  @Threads(8)
  public int guarded8() {
    return WovenCall.guarded(arguments);
  }

  @Benchmark
  @Threads(1)
  public Object decide1() {
    return BenchTool.decide(engine, arguments);
  }

  @Benchmark
  @Threads(8)
  public Object decide8() {
    return BenchTool.decide(engine, arguments);
  }
}
