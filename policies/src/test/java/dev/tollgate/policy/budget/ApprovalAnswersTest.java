package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.event.JsonLine;
import dev.tollgate.policy.store.Adjustments;
import dev.tollgate.policy.store.AuditJournal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A paused call has one answer: the first of approve, deny, its timeout or its release in the journal. An approval
 * written after that (an operator who listed the call just before it timed out, two operators approving at once)
 * raises nothing: the call it was for is over, and later calls of the instance would get its room.
 */
class ApprovalAnswersTest {
  @TempDir
  Path dir;

  /** The journal in memory; {@code beforeNextApproval} is appended first when an approval is about to be. */
  static final class RacedJournal extends AuditJournal {
    private final List<String> lines = new ArrayList<>();
    AuditEvent beforeNextApproval;

    RacedJournal(LedgerKey key) {
      super(key);
    }

    @Override
    public String where() {
      return "memory";
    }

    @Override
    protected synchronized List<String> lines(long from) {
      return from >= lines.size() ? List.of() : new ArrayList<>(lines.subList((int) from, lines.size()));
    }

    @Override
    protected synchronized boolean appendIfCount(long count, String line) throws IOException {
      AuditEvent first = beforeNextApproval;
      if (first != null && line.startsWith(JsonLine.write(out -> out.put("action", "approve")).replace("}", ""))) {
        beforeNextApproval = null;
        append(first); // another writer got there between the operator's read and its append
        return false;
      }
      if (lines.size() != count) {
        return false;
      }
      lines.add(line);
      return true;
    }
  }

  private Policy policy() throws Exception {
    return PolicyLoader.parse("""
        version: 1
        limits:
          - { name: lookups, scope: run, tools: lookup, max_calls: 2, on_exceed: pause }
        ledger:
          dir: %s
        """.formatted(dir.resolve("ledger")), "p.yaml");
  }

  private static AuditEvent request(String id) {
    Instant now = Instant.now();
    return new AuditEvent(AuditEvent.Action.REQUEST, id, now, "lookups", "limit", "run", null, "run-1", "1@host",
        "over", null, null, null, null, null, now.plusSeconds(600), "run-1", null, null, null, "block", "lookup", null,
        1L);
  }

  @Test
  void anApprovalWrittenAfterTheCallTimedOutRaisesNothing() throws Exception {
    RacedJournal journal = new RacedJournal(LedgerKey.resolve(dir, null, k -> null));
    Operator operator = Operator.of(policy(), Clock.systemUTC(), journal);
    AuditEvent request = request("1111aaaa");
    journal.append(request);
    // the waiting JVM gives up between the operator's `approvals` read and its append
    journal.beforeNextApproval = request.answer(AuditEvent.Action.TIMEOUT, Instant.now(), "1@host", "nobody", null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> operator.approve("1111aaaa", null, null, "late", "alice"));
    assertTrue(e.getMessage().contains("approval 1111aaaa was already answered: timeout"), e.getMessage());
    assertEquals(2, operator.adjustments().capCalls("lookups", null, "run-1", 2, System.currentTimeMillis()),
        "the approval of a call that had timed out raised its run's max_calls for the calls after it");
  }

  @Test
  void anAnsweredCallsApprovalInTheJournalRaisesNothing() throws Exception {
    RacedJournal journal = new RacedJournal(LedgerKey.resolve(dir, null, k -> null));
    AuditEvent request = request("2222bbbb");
    journal.append(request);
    // two operators approve at once (both read the call as waiting), then one approves a call that was denied
    journal.append(request.answer(AuditEvent.Action.APPROVE, Instant.now(), "alice", "go", 1L));
    journal.append(request.answer(AuditEvent.Action.APPROVE, Instant.now(), "bob", "go", 1L));
    AuditEvent denied = request("3333cccc");
    journal.append(denied);
    journal.append(denied.answer(AuditEvent.Action.DENY, Instant.now(), "carol", "no", null));
    journal.append(denied.answer(AuditEvent.Action.APPROVE, Instant.now(), "dave", "go", 1L));
    Adjustments a = Operator.of(policy(), Clock.systemUTC(), journal).adjustments();
    assertEquals(3, a.capCalls("lookups", null, "run-1", 2, System.currentTimeMillis()),
        "one paused call's approval was counted more than once, or a denied call's approval raised the cap");
  }
}
