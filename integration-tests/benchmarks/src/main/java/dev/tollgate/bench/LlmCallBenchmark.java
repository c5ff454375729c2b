package dev.tollgate.bench;

import java.io.IOException;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * LLM-call overhead: a non-streaming JDK {@code HttpClient} call to the simulator on loopback, in a JVM without
 * the agent ({@link Bare}) and one started with the built {@code tollgate-agent.jar} under the benchmark policy
 * ({@link Governed}). {@code Governed - Bare} is what recognising, admitting, reserving on three budgets (one of
 * them persisted in the day ledger), metering and settling adds per call. Target: ≤ 20 µs. {@link GovernedRedis} runs
 * the same policy with {@code ledger.store: redis} against a redis-server on 127.0.0.1:{@value #REDIS_PORT} that
 * run.sh starts (the day budget and the session instances then live in Redis): target, one Redis round trip
 * ({@link RedisRoundTripBenchmark}) plus 50 µs.
 * Paths are relative to the benchmarks module, where run.sh runs JMH.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class LlmCallBenchmark {
  static final String AGENT = "-javaagent:../../agent/target/tollgate-agent.jar=policy=bench-policy.yaml,"
      + "log=target/bench/llm-call.jsonl";

  static final int REDIS_PORT = 16389;
  static final String AGENT_REDIS = "-javaagent:../../agent/target/tollgate-agent.jar=policy=bench-policy-redis.yaml,"
      + "log=target/bench/llm-call-redis.jsonl";

  private LlmClient client;

  @Setup(Level.Trial)
  public void setUp() {
    client = new LlmClient(-1);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
  }

  @Benchmark
  public byte[] call() throws IOException, InterruptedException {
    return client.call();
  }

  /** Without the agent. */
  @Fork(1)
  public static class Bare extends LlmCallBenchmark {}

  /** With {@code -javaagent:tollgate-agent.jar}. */
  @Fork(value = 1, jvmArgsAppend = AGENT)
  public static class Governed extends LlmCallBenchmark {}

  /** With the agent and the fleet store on a local Redis. */
  @Fork(value = 1, jvmArgsAppend = AGENT_REDIS)
  public static class GovernedRedis extends LlmCallBenchmark {}
}
