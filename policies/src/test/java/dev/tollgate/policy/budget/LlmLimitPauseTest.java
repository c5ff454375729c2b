package dev.tollgate.policy.budget;

import dev.tollgate.policy.testing.Race;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.event.AuditEvent;
import java.time.Clock;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** {@code on_exceed: pause} on LLM-call limits: the governor's admission waits, and an approval raises the instance. */
class LlmLimitPauseTest {
  private static LlmGovernor governor(String yaml) throws Exception {
    return new LlmGovernor(PolicyLoader.parse("version: 1\n" + yaml, "p.yaml"), Clock.systemUTC(), Ledger.none());
  }

  private static LlmCall call(String run, String session) {
    return new LlmCall("openai", "gpt-4o-mini", run, session, null, 10, 10, 1);
  }

  private static AuditEvent approval(Breach b, String period, long calls) {
    return new AuditEvent(AuditEvent.Action.APPROVE, AuditEvent.newId(), Instant.EPOCH, b.name(), "limit", b.scope(),
        b.partition(), period, "alice", "why", null, null, null, null, null, null, null, null, null, null, null, null,
        calls, 1L);
  }

  @Test
  void theCallPastAnLlmLimitWaitsAndAnApprovalLetsOneMoreThrough() throws Exception {
    LlmGovernor g = governor("""
        limits:
          - {name: turns, scope: session, llm: "*", max_calls: 2, on_exceed: pause,
             approval: {timeout: 1m, on_timeout: halt}}
        """);
    assertTrue(g.admit(call("r", "s1")).proceeds());
    assertTrue(g.admit(call("r", "s1")).proceeds());
    Admission third = g.admit(call("r", "s1"));
    assertFalse(third.proceeds());
    assertFalse(third.halt());
    Breach b = third.paused();
    assertNotNull(b);
    assertTrue(b.ofLimit());
    assertEquals("s1", third.periodOf(b));
    assertEquals(1, Admission.need(b), "a limit needs one call");
    assertEquals(OnExceed.HALT, g.approvalOf(b).approval().onTimeout());
    assertEquals("limits[0].approval", g.approvalOf(b).rule());
    long version = g.adjustments().version();
    g.adjustments().add(approval(b, "s1", 1));
    assertTrue(g.adjustments().version() != version, "a paused call sees the change");
    assertTrue(g.admit(call("r", "s1")).proceeds());
    Admission fourth = g.admit(call("r", "s1"));
    assertFalse(fourth.proceeds());
    assertTrue(fourth.reason().contains("allows 3 LLM calls"), fourth.reason());
    assertTrue(g.admit(call("r", "s2")).proceeds(), "another session still has room");
  }

  /**
   * A policy reload between a call's admission (it paused) and its wait: the reloaded governor is asked for the
   * approval of a limit or budget it no longer has, or no longer pauses on. It says there is none (null), so the call
   * is decided by the policy in force, not failed on a NullPointerException.
   */
  @Test
  void aPauseOfALimitOrBudgetTheReloadedPolicyDroppedOrNoLongerPausesHasNoApproval() throws Exception {
    LlmGovernor before = governor("""
        limits:
          - {name: turns, scope: session, llm: "*", max_calls: 1, on_exceed: pause, approval: {timeout: 1m}}
        """);
    assertTrue(before.admit(call("r", "s1")).proceeds());
    Breach paused = before.admit(call("r", "s1")).paused();
    assertNotNull(paused);
    LlmGovernor dropped = governor("""
        limits:
          - {name: other, scope: session, llm: "*", max_calls: 5}
        """);
    assertNull(dropped.approvalOf(paused), "the limit is gone");
    LlmGovernor blocks = governor("""
        limits:
          - {name: turns, scope: session, llm: "*", max_calls: 1}
        """);
    assertNull(blocks.approvalOf(paused), "the limit no longer pauses");
    Breach budget = new Breach("budget", "daily", "budgets[0]", "day", null, OnExceed.PAUSE, 0, 0, 1, 1, 0, 0, -1, true);
    assertNull(dropped.approvalOf(budget), "the budget is gone");
  }

  @Test
  void aCallWithoutASessionOrRunIsRefusedWithoutWaiting() throws Exception {
    LlmGovernor g = governor("""
        limits:
          - {name: s, scope: session, llm: "*", max_calls: 0, on_exceed: pause}
          - {name: r, scope: run, llm: "other", max_calls: 0, on_exceed: pause}
        """);
    Admission a = g.admit(call(null, null));
    assertFalse(a.proceeds());
    assertNull(a.paused(), "a session of its own: nothing an approval could raise");
  }

  @Property(tries = 40)
  void raisingAnLlmLimitByNAdmitsExactlyNMoreUnderConcurrency(
      @ForAll @IntRange(min = 1, max = 8) int threads,
      @ForAll @IntRange(min = 0, max = 10) int maxCalls,
      @ForAll @IntRange(min = 1, max = 20) int raise,
      @ForAll boolean processScope) throws Exception {
    LlmGovernor g = governor("""
        limits:
          - {name: l, scope: %s, llm: "*", max_calls: %d, on_exceed: pause}
        """.formatted(processScope ? "process" : "run", maxCalls));
    for (int i = 0; i < maxCalls; i++) {
      assertTrue(g.admit(call("run-1", null)).proceeds());
    }
    Admission paused = g.admit(call("run-1", null));
    Breach b = paused.paused();
    assertNotNull(b);
    g.adjustments().add(approval(b, paused.periodOf(b), raise));
    int perThread = raise / threads + 2;
    int admitted = Race.count(threads, perThread, () -> g.admit(call("run-1", null)).proceeds());
    assertEquals(raise, admitted);
  }
}
