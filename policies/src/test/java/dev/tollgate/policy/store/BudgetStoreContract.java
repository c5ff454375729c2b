package dev.tollgate.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BudgetStore} promises, run against the in-process store and against a real Redis server.
 * Holds expire after {@link #HOLD_TTL_MILLIS}.
 */
abstract class BudgetStoreContract {
  static final long HOLD_TTL_MILLIS = 1000;

  abstract BudgetStore store();

  /** Lets holds older than the TTL go (waits it out; the local store also sweeps). */
  abstract void expireHolds() throws Exception;

  private final String id = UUID.randomUUID().toString().substring(0, 8);

  String hold(String name) {
    return id + "-" + name;
  }

  Claim budget(String name, long nanos, long capNanos, boolean enforcing) {
    return Claim.budget(name + id, "day", "2026-12-04", null, null, false, true, nanos, 10, capNanos, -1, enforcing,
        new long[] {capNanos / 2, capNanos * 9 / 10}, new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, -1);
  }

  Claim count(String name, long cap, long window, boolean enforcing) {
    return Claim.count(name + id, "session", "s-1", "tenant-a", null, null, false, cap, window, enforcing, -1);
  }

  static long now() {
    return System.currentTimeMillis();
  }

  @Test
  void resetClearsSpendKeepsHoldsAndReportsTheFirstBreachAgain() {
    BudgetStore s = store();
    Claim c = budget("reset", 100, 250, true);
    assertTrue(s.reserve(hold("r1"), List.of(c), now()).granted());
    s.settle(hold("r1"), List.of(c), 200, 10, now());
    Claim lenient = budget("reset", 100, 250, false);
    assertTrue(s.reserve(hold("r2"), List.of(lenient), now()).granted(), "not enforcing: held whatever the room");
    Settled over = s.settle(hold("r2"), List.of(lenient), 100, 10, now()).get(0);
    assertTrue(over.over() && over.firstOver(), "300 of 250: the first breach");
    assertTrue(s.reserve(hold("r3"), List.of(c), now()).granted() == false, "no room left");
    assertTrue(s.reserve(hold("r4"), List.of(budget("reset", 40, 250, false)), now()).granted(), "held, not enforcing");
    List<KeyState> before = s.reset(Claim.Kind.BUDGET, c.name(), null, "2026-12-04");
    assertEquals(1, before.size());
    assertEquals(300, before.get(0).spentNanos());
    Grant again = s.reserve(hold("r5"), List.of(c), now());
    assertTrue(again.granted(), "after the reset there is room");
    assertEquals(0, again.seen().get(0).spentNanos());
    assertEquals(40, again.seen().get(0).reservedNanos(), "the hold in flight was kept");
    Settled after = s.settle(hold("r5"), List.of(c), 260, 10, now()).get(0);
    assertTrue(after.over() && after.firstOver(), "the breach after a reset is reported again");
    assertTrue(s.reset(Claim.Kind.BUDGET, c.name(), null, "1999-01-01").isEmpty(), "another period: nothing");
  }

  @Test
  void sessionsAndPartitionsTheAppChoosesNeverShareAnInstance() {
    BudgetStore s = store();
    // session "s<US>=y<US>" partition "t" and session "s" partition "y<US>=t": two tenants, two instances
    Claim one = Claim.budget("tenant" + id, "session", "s\u001f=y\u001f", "t", null, false, false, 800, 0, 1_000, -1,
        true, null, null, -1);
    Claim other = Claim.budget("tenant" + id, "session", "s", "y\u001f=t", null, false, false, 800, 0, 1_000, -1, true,
        null, null, -1);
    assertTrue(s.reserve(hold("t1"), List.of(one), now()).granted());
    s.settle(hold("t1"), List.of(one), 800, 0, now());
    Grant theOther = s.reserve(hold("t2"), List.of(other), now());
    assertEquals(0, theOther.seen().get(0).spentNanos(), "the other tenant's instance has spent nothing");
    assertTrue(theOther.granted());
  }

  @Test
  void aLoopGuardDetailNeverCountsForAnotherSession() {
    BudgetStore s = store();
    // session "x" with the detail "=d<US>" and session "x<US>=d" with none: once both c<US>..<US>x<US><US>=d<US><US>
    Claim identical = Claim.count("loop" + id, "session", "x", null, "=d\u001f", null, false, 1, -1, true, -1);
    Claim calls = Claim.count("loop" + id, "session", "x\u001f=d", null, null, null, false, 1, -1, true, -1);
    assertTrue(s.reserve(null, List.of(identical), now()).granted());
    Grant other = s.reserve(null, List.of(calls), now());
    assertEquals(0, other.seen().get(0).calls(), "the other session has counted nothing");
    assertTrue(other.granted());
  }

  @Test
  void statusAndResetReachAnInstanceWhoseValuesHoldSeparators() {
    BudgetStore s = store();
    String session = "s\u001f=\u001e";
    String partition = "\u001ft\u001e\u001e";
    String detail = "=d\u001f\u001e";
    Claim c = Claim.count("odd" + id, "session", session, partition, detail, null, false, 5, -1, true, -1);
    s.reserve(null, List.of(c), now());
    s.reserve(null, List.of(c), now());
    List<KeyState> listed = s.states().stream().filter(k -> k.name().equals(c.name())).toList();
    assertEquals(1, listed.size(), "status lists the instance");
    assertEquals(List.of(session, partition, detail, 2L),
        List.of(listed.get(0).period(), listed.get(0).partition(), listed.get(0).detail(), listed.get(0).calls()));
    List<KeyState> before = s.reset(Claim.Kind.COUNT, c.name(), partition, session);
    assertEquals(1, before.size());
    assertEquals(0, s.reserve(null, List.of(c), now()).seen().get(0).calls(), "the reset reached the instance");
  }

  @Test
  void aReplayedCancelGivesTheCallBackOnce() {
    BudgetStore s = store();
    Claim calls = count("undo", 5, -1, true);
    assertTrue(s.reserve(hold("u0"), List.of(calls), now()).granted(), "another call, counted");
    assertTrue(s.reserve(hold("u1"), List.of(calls), now()).granted());
    s.cancel(hold("u1"), List.of(calls), now());
    s.cancel(hold("u1"), List.of(calls), now());
    assertEquals(1, s.reserve(null, List.of(calls), now()).seen().get(0).calls(), "the other call still counts");
  }

  @Test
  void aCancelledHoldIsNotChargedByALateSettle() {
    BudgetStore s = store();
    Claim money = budget("undone", 100, 1_000, true);
    assertTrue(s.reserve(hold("d1"), List.of(money), now()).granted());
    s.cancel(hold("d1"), List.of(money), now());
    assertNull(s.settle(hold("d1"), List.of(money), 100, 10, now()), "a cancelled hold is done");
    assertEquals(0, s.reserve(null, List.of(money), now()).seen().get(0).spentNanos());
  }

  @Test
  void reservesOnEveryClaimOrNone() {
    BudgetStore s = store();
    Claim roomy = budget("roomy", 100, 1_000, true);
    Claim tight = budget("tight", 100, 150, true);
    Grant first = s.reserve(hold("1"), List.of(roomy, tight), now());
    assertTrue(first.granted());
    Grant second = s.reserve(hold("2"), List.of(roomy, tight), now());
    assertFalse(second.granted(), "tight has 100 reserved; 100 more would pass 150");
    assertTrue(second.seen().get(1).over());
    assertTrue(second.seen().get(1).overUsd());
    assertFalse(second.seen().get(0).over());
    assertEquals(100, second.seen().get(0).reservedNanos(), "the refused call took nothing on roomy");
    Grant third = s.reserve(hold("3"), List.of(roomy), now());
    assertEquals(100, third.seen().get(0).reservedNanos());
  }

  @Test
  void settleMovesTheReservationToSpentOnceAndReleaseReturnsIt() {
    BudgetStore s = store();
    Claim b = budget("settle", 500, 1_000, true);
    s.reserve(hold("a"), List.of(b), now());
    s.reserve(hold("b"), List.of(b), now());
    List<Settled> settled = s.settle(hold("a"), List.of(b), 120, 7, now());
    assertNotNull(settled);
    assertEquals(120, settled.get(0).spentNanos());
    assertEquals(500, settled.get(0).reservedNanos(), "b's reservation is still held");
    assertEquals(7, settled.get(0).spentTokens());
    assertNull(s.settle(hold("a"), List.of(b), 120, 7, now()), "a second settle changes nothing");
    List<Settled> released = s.release(hold("b"), List.of(b), now());
    assertEquals(0, released.get(0).reservedNanos());
    assertEquals(120, released.get(0).spentNanos());
    assertNull(s.release(hold("b"), List.of(b), now()));
    assertEquals(120, s.reserve(hold("c"), List.of(b), now()).seen().get(0).spentNanos());
  }

  @Test
  void warnClaimsAreTakenWhateverTheirRoomAndTheFirstBreachIsReportedOnce() {
    BudgetStore s = store();
    Claim warn = budget("warn", 600, 1_000, false);
    Claim limit = count("warn-count", 1, -1, false);
    Grant a = s.reserve(hold("1"), List.of(warn, limit), now());
    Grant b = s.reserve(hold("2"), List.of(warn, limit), now());
    Grant c = s.reserve(hold("3"), List.of(warn, limit), now());
    assertTrue(a.granted() && b.granted() && c.granted());
    assertFalse(a.seen().get(0).over());
    assertTrue(b.seen().get(0).over() && b.seen().get(0).first());
    assertTrue(c.seen().get(0).over() && !c.seen().get(0).first());
    assertTrue(b.seen().get(1).over() && b.seen().get(1).first());
    assertEquals(2, c.seen().get(1).calls());
    assertFalse(c.seen().get(1).first());
  }

  @Test
  void eachWarnFractionAndTheFirstOvershootAreReportedOnce() {
    BudgetStore s = store();
    Claim b = budget("frac", 10, 1_000, true);
    s.reserve(hold("1"), List.of(b), now());
    assertEquals(List.of(), s.settle(hold("1"), List.of(b), 400, 0, now()).get(0).crossed());
    s.reserve(hold("2"), List.of(b), now());
    assertEquals(List.of(0, 1), s.settle(hold("2"), List.of(b), 550, 0, now()).get(0).crossed());
    s.reserve(hold("3"), List.of(b), now());
    Settled over = s.settle(hold("3"), List.of(b), 100, 0, now()).get(0);
    assertEquals(List.of(), over.crossed());
    assertTrue(over.over() && over.firstOver(), "1050 > 1000: spend passes the cap by what the provider reported");
    Settled again = s.settle(hold("4"), List.of(b), 1, 0, now()).get(0);
    assertTrue(again.over());
    assertFalse(again.firstOver());
  }

  @Test
  void countsStopAtTheCapAndWindowsForgetOldCalls() throws Exception {
    BudgetStore s = store();
    Claim plain = count("plain", 2, -1, true);
    assertTrue(s.reserve(null, List.of(plain), now()).granted());
    assertTrue(s.reserve(null, List.of(plain), now()).granted());
    Grant third = s.reserve(null, List.of(plain), now());
    assertFalse(third.granted());
    assertEquals(2, third.seen().get(0).calls());
    Claim windowed = count("window", 2, 300, true);
    assertTrue(s.reserve(null, List.of(windowed), now()).granted());
    assertTrue(s.reserve(null, List.of(windowed), now()).granted());
    assertFalse(s.reserve(null, List.of(windowed), now()).granted());
    Thread.sleep(350);
    assertTrue(s.reserve(null, List.of(windowed), now()).granted(), "the window has passed");
  }

  @Test
  void cancelUndoesReservationsAndCounts() {
    BudgetStore s = store();
    Claim b = budget("cancel", 500, 600, true);
    Claim c = count("cancel-count", 1, -1, true);
    Claim w = count("cancel-window", 1, 60_000, true);
    assertTrue(s.reserve(hold("x"), List.of(b, c, w), now()).granted());
    assertFalse(s.reserve(hold("y"), List.of(b, c, w), now()).granted());
    s.cancel(hold("x"), List.of(b, c, w), now());
    Grant again = s.reserve(hold("z"), List.of(b, c, w), now());
    assertTrue(again.granted(), "everything x took was given back");
    assertEquals(0, again.seen().get(0).reservedNanos());
    assertEquals(0, again.seen().get(1).calls());
    assertEquals(0, again.seen().get(2).calls());
  }

  @Test
  void aHoldNotSettledExpiresAndALateSettleStillCharges() throws Exception {
    BudgetStore s = store();
    Claim b = budget("expire", 800, 1_000, true);
    assertTrue(s.reserve(hold("leaked"), List.of(b), now()).granted());
    assertFalse(s.reserve(hold("blocked"), List.of(b), now()).granted(), "the leak pins the budget");
    expireHolds();
    Grant after = s.reserve(hold("after"), List.of(b), now());
    assertTrue(after.granted(), "the leaked hold expired by itself");
    assertEquals(0, after.seen().get(0).reservedNanos());
    List<Settled> late = s.settle(hold("leaked"), List.of(b), 300, 0, now());
    assertEquals(300, late.get(0).spentNanos(), "the money was spent: a late settle charges it");
    assertEquals(800, late.get(0).reservedNanos(), "without returning a reservation it no longer holds");
  }

  @Test
  void partitionsAndDetailsAreSeparateInstances() {
    BudgetStore s = store();
    Claim a = Claim.count("p" + id, "session", "s", "a", null, null, false, 1, -1, true, -1);
    Claim b = Claim.count("p" + id, "session", "s", "b", null, null, false, 1, -1, true, -1);
    Claim tricky = Claim.count("p" + id, "session", "s", "a\u001f", "x", null, false, 1, -1, true, -1);
    assertTrue(s.reserve(null, List.of(a), now()).granted());
    assertTrue(s.reserve(null, List.of(b), now()).granted());
    assertTrue(s.reserve(null, List.of(tricky), now()).granted(), "a separator in a value makes no collision");
    assertFalse(s.reserve(null, List.of(a), now()).granted());
  }
}
