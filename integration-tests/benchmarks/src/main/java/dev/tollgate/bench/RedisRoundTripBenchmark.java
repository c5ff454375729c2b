package dev.tollgate.bench;

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
import redis.clients.jedis.JedisPooled;

/**
 * One Redis round trip (PING through Jedis's pool) to the redis-server run.sh starts on 127.0.0.1: the yardstick
 * for the fleet store's admission, which is one round trip (one Lua script).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RedisRoundTripBenchmark {
  private JedisPooled redis;

  @Setup(Level.Trial)
  public void setUp() {
    redis = new JedisPooled("127.0.0.1", LlmCallBenchmark.REDIS_PORT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    redis.close();
  }

  @Benchmark
  public String ping() {
    return redis.ping();
  }
}
