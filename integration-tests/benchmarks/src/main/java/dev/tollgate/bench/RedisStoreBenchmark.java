package dev.tollgate.bench;

import dev.tollgate.policy.RedisSettings;
import dev.tollgate.policy.store.Claim;
import dev.tollgate.policy.store.Grant;
import dev.tollgate.policy.store.RedisStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * The fleet store's two steps alone, against the redis-server run.sh starts: admitting one call on a day budget
 * (one Lua script) and settling it (another, on the settle thread in the agent). Compare with
 * {@link RedisRoundTripBenchmark}: admission's target is one round trip plus 50 µs.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RedisStoreBenchmark {
  private RedisStore store;
  private Claim claim;
  private final AtomicLong next = new AtomicLong();

  @Setup(Level.Trial)
  public void setUp() {
    store = new RedisStore(new RedisSettings("redis://127.0.0.1:" + LlmCallBenchmark.REDIS_PORT + "/0", "bench-store:",
        Duration.ofSeconds(1), RedisSettings.OnUnavailable.BLOCK, Duration.ofMinutes(10)), null);
    claim = Claim.budget("daily", "day", "2026-12-04", null, null, false, true, 1_000, 10, Long.MAX_VALUE / 4, -1, true,
        new long[] {Long.MAX_VALUE / 8}, new long[] {Long.MAX_VALUE}, System.currentTimeMillis() + 86_400_000L);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  /** Admission and settlement of one call, as two consecutive steps. */
  @Benchmark
  public Object reserveThenSettle() {
    String hold = "b-" + next.incrementAndGet();
    Grant g = store.reserve(hold, List.of(claim), 0);
    return store.settle(hold, List.of(claim), 900, 9, 0) == null ? g : g.seen();
  }

  /** Admission alone (its hold is left to expire: the benchmark measures the step, not the bookkeeping). */
  @Benchmark
  public Grant reserve() {
    return store.reserve("r-" + next.incrementAndGet(), List.of(claim), 0);
  }
}
