package dev.tollgate.policy.engine;

import dev.tollgate.policy.testing.Race;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.store.Adjustments;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@code on_exceed: pause} on tool-call limits: the engine says which call may wait for an operator, and an approval
 * (or override) taken into {@link Adjustments} raises exactly that limit instance's {@code max_calls}.
 */
class LimitPauseTest {
  private static PolicyEngine engine(String yaml, Adjustments adjustments) {
    return engine(yaml, adjustments, Clock.systemUTC());
  }

  private static PolicyEngine engine(String yaml, Adjustments adjustments, Clock clock) {
    try {
      return new PolicyEngine(PolicyLoader.parse(yaml, "test.yaml"), clock, null, adjustments);
    } catch (PolicyException e) {
      throw new AssertionError(e.errors().toString(), e);
    }
  }

  /** What {@code approve ID [--add-calls N]} writes for a call paused at {@code limit}'s instance. */
  static AuditEvent approval(String limit, String partition, String instance, long calls) {
    return new AuditEvent(AuditEvent.Action.APPROVE, AuditEvent.newId(), Instant.EPOCH, limit, "limit", "run",
        partition, instance, "alice", "the batch must finish", null, null, null, null, null, null, null, null, null,
        null, null, "lookup", calls, 1L);
  }

  private static ToolCall call(String run) {
    return new ToolCall("lookup", "test", run);
  }

  @Test
  void theCallThatWouldPassAPauseLimitMayWaitNamingItsInstance() {
    PolicyEngine engine = engine("""
        version: 1
        limits:
          - {name: lookups, scope: run, tools: "look*", max_calls: 2, on_exceed: pause}
        """, new Adjustments());
    assertTrue(engine.decide(call("r1")).proceeds());
    assertTrue(engine.decide(call("r1")).proceeds());
    ToolVerdict third = engine.decide(call("r1"));
    assertFalse(third.proceeds());
    assertFalse(third.halt());
    assertEquals("limits[0]", third.rule());
    LimitBreach paused = third.paused();
    assertNotNull(paused);
    assertEquals(OnExceed.PAUSE, paused.onExceed());
    assertEquals("r1", paused.instance());
    assertTrue(paused.first());
    assertEquals(2, engine.callsCounted("lookups", "r1"), "the paused call is not counted");
  }

  @Test
  void blockLimitsMonitorModeAndCallsOutsideAnyRunDoNotWait() {
    PolicyEngine block = engine("""
        version: 1
        limits: [{name: l, scope: run, max_calls: 0}]
        """, new Adjustments());
    assertNull(block.decide(call("r")).paused());
    PolicyEngine monitor = engine("""
        version: 1
        mode: monitor
        limits: [{name: l, scope: run, max_calls: 0, on_exceed: pause}]
        """, new Adjustments());
    ToolVerdict monitored = monitor.decide(call("r"));
    assertTrue(monitored.proceeds());
    assertNull(monitored.paused(), "monitor mode refuses nothing, so nothing waits");
    PolicyEngine alone = engine("""
        version: 1
        limits: [{name: l, scope: run, max_calls: 0, on_exceed: pause}]
        """, new Adjustments());
    ToolVerdict outside = alone.decide(call(null));
    assertFalse(outside.proceeds());
    assertNull(outside.paused(), "a call alone in its run keeps no instance an approval could raise");
  }

  @Test
  void anApprovalRaisesOnlyItsInstanceAndPartition() {
    Adjustments adjustments = new Adjustments();
    PolicyEngine engine = engine("""
        version: 1
        limits:
          - {name: per-tenant, scope: process, max_calls: 1, per: "mdc:tenant", on_exceed: pause}
        """, adjustments);
    ToolCall acme = new ToolCall("lookup", "test", "r", null, null, Map.of("tenant", "acme"));
    ToolCall globex = new ToolCall("lookup", "test", "r", null, null, Map.of("tenant", "globex"));
    assertTrue(engine.decide(acme).proceeds());
    assertTrue(engine.decide(globex).proceeds());
    LimitBreach paused = engine.decide(acme).paused();
    assertEquals("acme", paused.partition());
    assertEquals("process", paused.instance());
    adjustments.add(approval("per-tenant", paused.partition(), paused.instance(), 1));
    assertTrue(engine.decide(acme).proceeds(), "approved: one more call");
    assertFalse(engine.decide(acme).proceeds(), "and only one");
    assertFalse(engine.decide(globex).proceeds(), "another partition is not raised");
    ToolVerdict again = engine.decide(acme);
    assertEquals("limit \"per-tenant\" allows 2 calls per process, for each mdc:tenant", again.reason(),
        "the refusal names the cap in force");
  }

  @Test
  void anApprovalOfOneRunLeavesOtherRunsAtThePolicysCap() {
    Adjustments adjustments = new Adjustments();
    PolicyEngine engine = engine("""
        version: 1
        limits: [{name: l, scope: run, max_calls: 1, on_exceed: pause}]
        """, adjustments);
    assertTrue(engine.decide(call("r1")).proceeds());
    assertTrue(engine.decide(call("r2")).proceeds());
    adjustments.add(approval("l", null, "r1", 3));
    for (int i = 0; i < 3; i++) {
      assertTrue(engine.decide(call("r1")).proceeds());
    }
    assertFalse(engine.decide(call("r1")).proceeds());
    assertFalse(engine.decide(call("r2")).proceeds());
  }

  @Test
  void aWindowedLimitIsRaisedInsideItsWindow() {
    MutableClock clock = new MutableClock();
    Adjustments adjustments = new Adjustments();
    PolicyEngine engine = engine("""
        version: 1
        limits: [{name: rate, scope: process, max_calls: 2, window: 1m, on_exceed: pause}]
        """, adjustments, clock);
    assertTrue(engine.decide(call("r")).proceeds());
    assertTrue(engine.decide(call("r")).proceeds());
    assertNotNull(engine.decide(call("r")).paused());
    adjustments.add(approval("rate", null, "process", 1));
    assertTrue(engine.decide(call("r")).proceeds());
    assertNotNull(engine.decide(call("r")).paused());
    clock.millis += 60_000;
    for (int i = 0; i < 3; i++) {
      assertTrue(engine.decide(call("r")).proceeds(), "a new window holds the raised cap: 3 calls");
    }
    assertNotNull(engine.decide(call("r")).paused());
  }

  @Test
  void approvalsOfBudgetsAndLimitsDoNotMix() {
    Adjustments adjustments = new Adjustments();
    adjustments.add(approval("daily", null, "process", 5));
    assertEquals(7, adjustments.capNanos("daily", null, "process", 7, 0), "a limit's calls are not USD");
    adjustments.add(new AuditEvent(AuditEvent.Action.APPROVE, "b", Instant.EPOCH, "daily", "budget", "process", null,
        "process", "bob", "why", null, null, 100L, null, null, null, null, null, null, null, null));
    assertEquals(8, adjustments.capCalls("daily", null, "process", 3, 0), "a budget's USD are not calls");
    assertEquals(-1, adjustments.capCalls("daily", null, "process", -1, 0), "no max_calls: nothing to raise");
  }

  /**
   * Raising a cap by N lets exactly N more calls through, however many threads race for them, in a run or the
   * process, with or without a window.
   */
  @Property(tries = 60)
  void raisingTheCapByNLetsExactlyNMoreCallsThroughUnderConcurrency(
      @ForAll @IntRange(min = 1, max = 12) int threads,
      @ForAll @IntRange(min = 0, max = 20) int maxCalls,
      @ForAll @IntRange(min = 1, max = 40) int raise,
      @ForAll boolean processScope,
      @ForAll boolean windowed) throws InterruptedException {
    Adjustments adjustments = new Adjustments();
    String scope = processScope ? "process" : "run";
    PolicyEngine engine = engine("""
        version: 1
        limits:
          - {name: l, scope: %s, max_calls: %d, on_exceed: pause%s}
        """.formatted(scope, maxCalls, windowed ? ", window: 1h" : ""), adjustments);
    for (int i = 0; i < maxCalls; i++) {
      assertTrue(engine.decide(call("run-1")).proceeds());
    }
    LimitBreach paused = engine.decide(call("run-1")).paused();
    assertNotNull(paused);
    adjustments.add(approval("l", paused.partition(), paused.instance(), raise));
    int perThread = raise / threads + 2; // so that more calls race than the raise admits
    int admitted = Race.count(threads, perThread, () -> {
      ToolVerdict v = engine.decide(call("run-1"));
      if (!v.proceeds()) {
        assertNotNull(v.paused(), "every refusal past the raised cap may wait again");
      }
      return v.proceeds();
    });
    assertEquals(raise, admitted);
    assertEquals(maxCalls + raise, engine.callsCounted("l", "run-1"));
  }

  private static final class MutableClock extends Clock {
    long millis = 1_000_000;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
      return millis;
    }
  }
}
