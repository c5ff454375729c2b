package dev.tollgate.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.RedisSettings;
import dev.tollgate.policy.testing.RedisServerProcess;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Redis lost, slow, restarted with and without its data: each on_unavailable setting does what it says. */
class FleetStoreFaultTest {
  private RedisServerProcess server;
  private FleetStore store;
  private final List<String> heard = new CopyOnWriteArrayList<>();

  private FleetStore fleet(RedisSettings.OnUnavailable mode, boolean persistent, String password) throws Exception {
    server = RedisServerProcess.start(persistent);
    String url = password == null ? server.url() : "redis://:" + password + "@127.0.0.1:" + server.port() + "/0";
    RedisSettings settings = new RedisSettings(url, "fault:", Duration.ofMillis(200), mode, Duration.ofSeconds(30));
    store = new FleetStore(new RedisStore(settings, null), LocalStore.inMemory(Duration.ofSeconds(30),
        Clock.systemUTC()), heard::add);
    return store;
  }

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static Claim daily(long nanos, long cap) {
    return Claim.budget("daily", "day", "2026-12-04", null, null, false, true, nanos, 0, cap, -1, true, null, null, -1);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  @Test
  void blockRefusesWhileRedisIsDownAndReconnectsByItself() throws Exception {
    FleetStore s = fleet(RedisSettings.OnUnavailable.BLOCK, false, null);
    assertTrue(s.reserve("h1", List.of(daily(100, 1000)), now()).granted());
    server.kill();
    Grant down = s.reserve("h2", List.of(daily(100, 1000)), now());
    assertFalse(down.granted());
    assertNotNull(down.unavailable());
    assertTrue(down.unavailable().contains("did not answer"), down.unavailable());
    assertEquals(1, heard.size(), "degraded is said once per outage");
    assertTrue(heard.get(0).startsWith("degraded: "));
    long t0 = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      assertFalse(s.reserve("h3-" + i, List.of(daily(100, 1000)), now()).granted());
    }
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 1000, "a Redis known to be down is not asked again at once");
    Thread.sleep(FleetStore.RETRY_MILLIS + 50);
    assertFalse(s.reserve("h3b", List.of(daily(100, 1000)), now()).granted(), "tried again, still down");
    assertEquals(1, heard.size(), "nothing is said until Redis really answers: " + heard);
    server.restart();
    Thread.sleep(FleetStore.RETRY_MILLIS + 50);
    Grant back = s.reserve("h4", List.of(daily(100, 1000)), now());
    assertTrue(back.granted(), "reconnected by itself");
    assertEquals(0, back.seen().get(0).reservedNanos(), "restarted without its data: the day's spend is forgotten");
    assertEquals(2, heard.size(), String.valueOf(heard));
    assertTrue(heard.get(1).startsWith("recovered: "));
  }

  @Test
  void localEnforcesWithThisJvmsStoreAndAddsTheSpendToRedisWhenItReturns() throws Exception {
    FleetStore s = fleet(RedisSettings.OnUnavailable.LOCAL, true, null);
    Claim c = daily(100, 1000);
    assertTrue(s.reserve("a", List.of(c), now()).granted());
    List<Settled> first = s.settle("a", List.of(c), 200, 0, now());
    assertNotNull(first, String.valueOf(heard));
    server.kill();
    Grant local1 = s.reserve("b", List.of(c), now());
    assertTrue(local1.granted());
    assertNotNull(local1.unavailable(), "granted, but decided locally");
    s.settle("b", List.of(c), 300, 0, now());
    for (int i = 0; i < 8; i++) {
      s.reserve("x" + i, List.of(daily(100, 1000)), now());
    }
    assertFalse(s.reserve("y", List.of(daily(100, 1000)), now()).granted(), "the local store enforces the cap");
    assertEquals(1, s.waiting());
    server.restart();
    Thread.sleep(FleetStore.RETRY_MILLIS + 50);
    Grant back = s.reserve("c", List.of(c), now());
    assertTrue(back.granted());
    assertEquals(0, s.waiting());
    assertEquals(500, back.seen().get(0).spentNanos(), "200 kept by Redis's own file, 300 replayed");
  }

  @Test
  void allowAdmitsWhileDownAndNothingSpentIsLost() throws Exception {
    FleetStore s = fleet(RedisSettings.OnUnavailable.ALLOW, false, null);
    Claim c = daily(100, 1000);
    server.kill();
    Grant g = s.reserve("a", List.of(c), now());
    assertTrue(g.granted());
    assertNotNull(g.unavailable());
    assertNull(s.settle("a", List.of(c), 250, 0, now()));
    server.restart();
    Thread.sleep(FleetStore.RETRY_MILLIS + 50);
    assertEquals(250, s.reserve("b", List.of(c), now()).seen().get(0).spentNanos());
  }

  @Test
  void aSettleThatTimedOutButReachedRedisIsNotChargedAgainWhenReplayed() throws Exception {
    FleetStore s = fleet(RedisSettings.OnUnavailable.BLOCK, false, null);
    Claim c = daily(100, 1000);
    assertTrue(s.reserve("a", List.of(c), now()).granted());
    server.freeze(); // the settle reaches the server's socket, its answer comes after the client gave up
    try {
      assertNull(s.settle("a", List.of(c), 300, 0, now()), "the settle timed out");
    } finally {
      server.thaw();
    }
    String done = "{fault:}done\u001fa";
    for (int i = 0; i < 250 && !server.command("EXISTS", done).startsWith(":1"); i++) {
      Thread.sleep(20);
    }
    assertTrue(server.command("EXISTS", done).startsWith(":1"), "Redis ran the settle once thawed");
    Thread.sleep(FleetStore.RETRY_MILLIS + 50);
    Grant next = s.reserve("b", List.of(c), now());
    assertEquals(0, s.waiting());
    assertEquals(300, next.seen().get(0).spentNanos(), "one settlement of 300, charged once");
  }

  @Test
  void aSlowRedisNeverHoldsAHostThreadLongerThanTheTimeout() throws Exception {
    FleetStore s = fleet(RedisSettings.OnUnavailable.BLOCK, false, null);
    assertTrue(s.reserve("warm", List.of(daily(1, 1000)), now()).granted());
    server.freeze();
    try {
      long t0 = System.nanoTime();
      Grant g = s.reserve("slow", List.of(daily(1, 1000)), now());
      long waited = (System.nanoTime() - t0) / 1_000_000;
      assertFalse(g.granted());
      assertTrue(waited < 200 + 150, "waited " + waited + " ms for a 200 ms timeout");
    } finally {
      server.thaw();
    }
  }

  @Test
  void thePasswordNeverAppearsInWhatTheStoreSays() throws Exception {
    FleetStore s = fleet(RedisSettings.OnUnavailable.BLOCK, false, "Sup3r-Secret-Pw");
    Grant g = s.reserve("a", List.of(daily(1, 1000)), now()); // the server has no password: AUTH fails
    assertFalse(g.granted());
    assertFalse(g.unavailable().contains("Sup3r-Secret-Pw"), g.unavailable());
    assertTrue(g.unavailable().contains("redis://***@127.0.0.1:"), g.unavailable());
    heard.forEach(h -> assertFalse(h.contains("Sup3r-Secret-Pw"), h));
  }
}
