package dev.tollgate.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.RedisSettings;
import dev.tollgate.policy.testing.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Three clients (three JVMs' stores) race random reserve / settle / release / leak against one real Redis: the cap
 * is never passed by an admission, only by what providers report beyond their reservations, and every nano-dollar
 * settled is in the spend.
 */
class RedisRacePropertiesTest {
  static RedisServerProcess server;
  static final AtomicLong run = new AtomicLong();

  @BeforeContainer
  static void start() throws Exception {
    server = RedisServerProcess.start();
  }

  @AfterContainer
  static void stop() {
    server.close();
  }

  @Property(tries = 6)
  void racingClientsNeverOvershootBeyondTheBoundAndConserveSpend(@ForAll long seed) throws Exception {
    String prefix = "race" + run.incrementAndGet() + ":";
    List<RedisStore> clients = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      clients.add(new RedisStore(new RedisSettings(server.url(), prefix, Duration.ofSeconds(2),
          RedisSettings.OnUnavailable.BLOCK, Duration.ofSeconds(1)), null));
    }
    long cap = 50_000;
    LongAdder settled = new LongAdder();
    LongAdder overshoot = new LongAdder();
    AtomicLong maxSeen = new AtomicLong();
    LongAdder leaked = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      RedisStore store = clients.get(t % 3);
      Random random = new Random(seed * 31 + t);
      int thread = t;
      threads.add(new Thread(() -> {
        for (int op = 0; op < 40; op++) {
          long request = 1 + random.nextInt(4000);
          Claim claim = Claim.budget("shared", "day", "2026-12-04", null, null, false, true, request, request / 10,
              cap, -1, true, new long[] {cap / 2}, new long[] {Long.MAX_VALUE}, -1);
          String hold = "h" + thread + "-" + op;
          Grant g = store.reserve(hold, List.of(claim), 0);
          Seen s = g.seen().get(0);
          maxSeen.accumulateAndGet(s.spentNanos() + s.reservedNanos(), Math::max);
          if (!g.granted()) {
            continue;
          }
          int fate = random.nextInt(10);
          if (fate == 0) {
            leaked.increment(); // a JVM dies holding it: only expiry frees it
            continue;
          }
          if (fate == 1) {
            store.release(hold, List.of(claim), 0);
            continue;
          }
          long actual = random.nextInt(10) == 0 ? request + random.nextInt(500) : random.nextInt((int) request + 1);
          store.settle(hold, List.of(claim), actual, actual / 10, 0);
          store.settle(hold, List.of(claim), actual, actual / 10, 0); // a repeat changes nothing
          settled.add(actual);
          overshoot.add(Math.max(0, actual - request));
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    Thread.sleep(1100); // leaked holds expire
    Claim probe = Claim.budget("shared", "day", "2026-12-04", null, null, false, true, 0, 0, cap, -1, true, null,
        null, -1);
    Seen end = clients.get(0).reserve(null, List.of(probe), 0).seen().get(0);
    assertEquals(settled.sum(), end.spentNanos(), "every settled nano-dollar is spent, once");
    assertEquals(0, end.reservedNanos(), "nothing stays reserved: leaked holds expired");
    assertTrue(end.spentNanos() <= cap + overshoot.sum(),
        "spent " + end.spentNanos() + " is within the cap plus what providers reported beyond reservations");
    assertTrue(maxSeen.get() <= cap + overshoot.sum(), "never admitted past the cap: " + maxSeen.get());
    clients.forEach(RedisStore::close);
  }
}
