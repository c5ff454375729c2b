package dev.tollgate.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.budget.FileAuditJournal;
import dev.tollgate.policy.budget.Ledger;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.PriceTable;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import dev.tollgate.policy.engine.ToolVerdict;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.store.AuditJournal;
import dev.tollgate.policy.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool call paused at a limit, against a real audit journal: an operator's deny (appended by another thread, as
 * the CLI's process would) refuses it; a windowed limit that has room again lets it go on (approval.released).
 */
class PausedToolCallsTest {
  @TempDir
  Path dir;

  private PausedToolCalls paused(PolicyEngine engine, AuditJournal journal, EnforcementLog log) {
    LlmGovernor governor = new LlmGovernor(engine.policy(), Clock.systemUTC(),
        new LocalStore(Ledger.none(), LlmGovernor.DEFAULT_RESERVATION_TTL, Clock.systemUTC()), null,
        LlmGovernor.DEFAULT_RESERVATION_TTL, PriceTable.bundled(), engine.adjustments());
    return new PausedToolCalls(() -> engine, new AuditFollower(journal, governor, log), log);
  }

  /** The run's first call proceeds; its second, past {@code max_calls: 1}, pauses: that verdict. */
  private static ToolVerdict pausedSecondCall(PolicyEngine engine, ToolCall call) {
    assertTrue(engine.decide(call).proceeds());
    ToolVerdict refused = engine.decide(call);
    assertNotNull(refused.paused());
    return refused;
  }

  private PolicyEngine engine(String limit) throws Exception {
    Policy policy = PolicyLoader.parse("version: 1\nlimits:\n  - " + limit + "\n", "p.yaml");
    return new PolicyEngine(policy, Clock.systemUTC());
  }

  @Test
  void aDenyFromAnotherProcessRefusesTheWaitingCall() throws Exception {
    PolicyEngine engine = engine("{name: l, scope: run, max_calls: 1, on_exceed: pause, approval: {timeout: 60s}}");
    FileAuditJournal journal = FileAuditJournal.open(dir.resolve("ledger"), null);
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    PausedToolCalls paused = paused(engine, journal, log);
    ToolCall call = new ToolCall("lookup", "test", "run-1");
    ToolVerdict refused = pausedSecondCall(engine, call);
    Thread operator = new Thread(() -> {
      try {
        FileAuditJournal other = FileAuditJournal.open(dir.resolve("ledger"), null);
        while (true) {
          for (AuditEvent e : other.readAll().records()) {
            if (e.action() == AuditEvent.Action.REQUEST) {
              other.append(e.answer(AuditEvent.Action.DENY, Instant.now(), "dave", "no", null));
              return;
            }
          }
          Thread.sleep(50);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    operator.start();
    ToolVerdict v = paused.await(refused, call);
    operator.join(TimeUnit.SECONDS.toMillis(60));
    assertFalse(v.proceeds());
    assertFalse(v.halt());
    assertEquals("limits[0].approval", v.rule());
    assertTrue(v.reason().endsWith("denied by dave: no (approval " + journal.readAll().records().get(0).id() + ")"),
        v.reason());
    assertFalse(v.breach().first(), "the breach was reported when the call paused");
    assertEquals(1, engine.callsCounted("l", "run-1"), "the refused call counts nowhere");
  }

  @Test
  void aWindowedLimitWithRoomAgainReleasesTheWaitingCall() throws Exception {
    PolicyEngine engine = engine(
        "{name: rate, scope: process, max_calls: 1, window: 300ms, on_exceed: pause, approval: {timeout: 60s}}");
    FileAuditJournal journal = FileAuditJournal.open(dir.resolve("ledger"), null);
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    PausedToolCalls paused = paused(engine, journal, log);
    ToolCall call = new ToolCall("lookup", "test", "run-1");
    ToolVerdict refused = pausedSecondCall(engine, call);
    ToolVerdict v = paused.await(refused, call);
    assertTrue(v.proceeds(), v::toString);
    var records = journal.readAll().records();
    assertEquals(AuditEvent.Action.RELEASE, records.get(records.size() - 1).action(), records::toString);
    // approval.released is an ordinary (not durable) line: the writer thread may hold it in hand a moment after the
    // drain below found the queue empty, so the file is read until it shows (at most 10 s)
    String text = "";
    for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end
        && !text.contains("\"event\":\"approval.released\""); Thread.sleep(20)) {
      log.drainAndWriteSynchronously();
      text = Files.readString(dir.resolve("log.jsonl"));
    }
    assertTrue(text.contains("\"event\":\"approval.released\"")
        && text.contains("the limit's window had room again while the call waited"), text);
  }

  /**
   * A journal in which an operator's answer to a request lands just before this JVM's own end of it (its timeout or
   * release): the answer is appended, and the JVM's record finds the chain moved on.
   */
  static final class AnsweredAtTheLastMoment extends AuditJournal {
    private final java.util.List<String> lines = new java.util.ArrayList<>();
    private final String ending;
    private final AuditEvent.Action action;
    private final String by;
    private final String reason;
    private final Long addCalls;
    private boolean answered;

    /** @param ending the JVM's record the answer beats: {@code timeout} or {@code release} */
    AnsweredAtTheLastMoment(dev.tollgate.policy.budget.LedgerKey key, String ending, AuditEvent.Action action,
        String by, String reason, Long addCalls) {
      super(key);
      this.ending = "{\"action\":\"" + ending + "\"";
      this.action = action;
      this.by = by;
      this.reason = reason;
      this.addCalls = addCalls;
    }

    @Override
    public String where() {
      return "memory";
    }

    @Override
    protected synchronized java.util.List<String> lines(long from) {
      return from >= lines.size() ? java.util.List.of()
          : new java.util.ArrayList<>(lines.subList((int) from, lines.size()));
    }

    @Override
    protected synchronized boolean appendIfCount(long count, String line) throws java.io.IOException {
      if (!answered && line.startsWith(ending)) {
        answered = true;
        for (AuditEvent e : readAll().records()) {
          if (e.action() == AuditEvent.Action.REQUEST) {
            append(e.answer(action, Instant.now(), by, reason, addCalls));
          }
        }
        return false; // the answer got there first
      }
      if (lines.size() != count) {
        return false;
      }
      lines.add(line);
      return true;
    }
  }

  @Test
  void anApprovalThatLandsBeforeTheTimeoutIsTheCallsAndNoLaterCalls() throws Exception {
    PolicyEngine engine = engine("{name: l, scope: run, max_calls: 1, on_exceed: pause, approval: {timeout: 1ms}}");
    AuditJournal journal = new AnsweredAtTheLastMoment(
        dev.tollgate.policy.budget.LedgerKey.resolve(dir, null, k -> null), "timeout", AuditEvent.Action.APPROVE,
        "alice", "go on", 1L);
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    LlmGovernor governor = new LlmGovernor(engine.policy(), Clock.systemUTC(),
        new LocalStore(Ledger.none(), LlmGovernor.DEFAULT_RESERVATION_TTL, Clock.systemUTC()), null,
        LlmGovernor.DEFAULT_RESERVATION_TTL, PriceTable.bundled(), engine.adjustments());
    AuditFollower follower = new AuditFollower(journal, governor, log);
    follower.poll(); // the journal as it is at start (empty)
    PausedToolCalls paused = new PausedToolCalls(() -> engine, follower, log);
    ToolCall call = new ToolCall("lookup", "test", "run-1");
    ToolVerdict refused = pausedSecondCall(engine, call);
    ToolVerdict v = paused.await(refused, call);
    follower.poll(); // what every JVM of the store reads from the journal
    var records = journal.readAll().records();
    assertEquals(AuditEvent.Action.APPROVE, AuditJournal.answerTo(records, records.get(0).id()).action(),
        records::toString);
    assertTrue(v.proceeds(), "the call its approval was for was refused: " + v.reason());
    assertFalse(engine.decide(call).proceeds(), "the approval raised the run's max_calls for the next call");
  }

  @Test
  void aCallWhoseThreadIsInterruptedEndsItsRequestInTheJournal() throws Exception {
    PolicyEngine engine = engine("{name: l, scope: run, max_calls: 1, on_exceed: pause, approval: {timeout: 10m}}");
    FileAuditJournal journal = FileAuditJournal.open(dir.resolve("ledger"), null);
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    PausedToolCalls paused = paused(engine, journal, log);
    ToolCall call = new ToolCall("lookup", "test", "run-1");
    ToolVerdict refused = pausedSecondCall(engine, call);
    Thread waiting = Thread.currentThread();
    Thread host = new Thread(() -> {
      try {
        FileAuditJournal other = FileAuditJournal.open(dir.resolve("ledger"), null);
        // asked, and waiting for the answer (not in the middle of the request's append)
        while (other.readAll().records().isEmpty() || waiting.getState() != Thread.State.TIMED_WAITING) {
          Thread.sleep(20);
        }
        waiting.interrupt(); // the host wants its thread back (a shutdown, a cancelled task)
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    host.start();
    ToolVerdict v = paused.await(refused, call);
    boolean kept = Thread.interrupted();
    host.join(TimeUnit.SECONDS.toMillis(60));
    assertTrue(kept, "the host's interrupt was kept for it");
    assertFalse(v.proceeds());
    var records = journal.readAll().records();
    AuditEvent end = AuditJournal.answerTo(records, records.get(0).id());
    assertNotNull(end, "the request was left open in the journal: `approvals` lists it for 10 minutes, and an approve "
        + "raises the run's max_calls for its next call though this one was refused: " + records);
    assertEquals(AuditEvent.Action.TIMEOUT, end.action());
  }

  @Test
  void aCallPausedJustBeforeAReloadThatDropsItsLimitIsDecidedByTheNewPolicy() throws Exception {
    PolicyEngine before = engine("{name: l, scope: run, max_calls: 1, on_exceed: pause, approval: {timeout: 10m}}");
    PolicyEngine after = engine("{name: other, scope: run, tools: search, max_calls: 1}");
    FileAuditJournal journal = FileAuditJournal.open(dir.resolve("ledger"), null);
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    LlmGovernor governor = new LlmGovernor(after.policy(), Clock.systemUTC(),
        new LocalStore(Ledger.none(), LlmGovernor.DEFAULT_RESERVATION_TTL, Clock.systemUTC()), null,
        LlmGovernor.DEFAULT_RESERVATION_TTL, PriceTable.bundled(), after.adjustments());
    // the policy was reloaded between the call's decision (by `before`) and its wait
    PausedToolCalls paused = new PausedToolCalls(() -> after, new AuditFollower(journal, governor, log), log);
    ToolCall call = new ToolCall("lookup", "test", "run-1");
    ToolVerdict refused = pausedSecondCall(before, call);
    ToolVerdict v = paused.await(refused, call);
    assertTrue(v.proceeds(), v::toString);
    assertTrue(journal.readAll().records().isEmpty(), "approval was asked for a limit the policy no longer has");
  }
  @Test
  void aDenyThatLandsJustBeforeTheReleaseRefusesTheCall() throws Exception {
    PolicyEngine engine = engine(
        "{name: rate, scope: process, max_calls: 1, window: 300ms, on_exceed: pause, approval: {timeout: 60s}}");
    AuditJournal journal = new AnsweredAtTheLastMoment(
        dev.tollgate.policy.budget.LedgerKey.resolve(dir, null, k -> null), "release", AuditEvent.Action.DENY, "dave",
        "no", null);
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    PausedToolCalls paused = paused(engine, journal, log);
    ToolCall call = new ToolCall("lookup", "test", "run-1");
    ToolVerdict refused = pausedSecondCall(engine, call);
    ToolVerdict v = paused.await(refused, call);
    var records = journal.readAll().records();
    assertEquals(AuditEvent.Action.DENY, AuditJournal.answerTo(records, records.get(0).id()).action(),
        records::toString);
    assertFalse(v.proceeds(), "the operator was told the call is denied, and it ran: " + v);
    assertTrue(v.reason().endsWith("denied by dave: no (approval " + records.get(0).id() + ")"), v.reason());
  }

  @Test
  void aVerdictThatLosesToADenyIsGivenBack() throws Exception {
    PolicyEngine engine = engine("{name: l, scope: run, max_calls: 1, on_exceed: pause, approval: {timeout: 60s}}");
    AuditJournal journal = new AnsweredAtTheLastMoment(
        dev.tollgate.policy.budget.LedgerKey.resolve(dir, null, k -> null), "release", AuditEvent.Action.DENY, "dave",
        "no", null);
    EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    LlmGovernor governor = new LlmGovernor(engine.policy(), Clock.systemUTC(),
        new LocalStore(Ledger.none(), LlmGovernor.DEFAULT_RESERVATION_TTL, Clock.systemUTC()), null,
        LlmGovernor.DEFAULT_RESERVATION_TTL, PriceTable.bundled(), engine.adjustments());
    AuditFollower follower = new AuditFollower(journal, governor, log);
    follower.poll();
    AuditEvent request = new AuditEvent(AuditEvent.Action.REQUEST, AuditEvent.newId(), Instant.now(), "l", "limit",
        "run", null, null, "test", "why", null, null, null, null, null, Instant.now().plusSeconds(60), "run-1", null,
        null, null, "refuse", "lookup", null, 1L);
    java.util.List<String> given = new java.util.ArrayList<>();
    ApprovalWait.Outcome<String> o = ApprovalWait.await(follower, log, request, () -> 0L, true, raised -> "slot",
        given::add);
    assertTrue(o.denied(), o::toString);
    assertEquals(java.util.List.of("slot"), given);
  }
}
