package dev.tollgate.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.budget.LedgerKey;
import dev.tollgate.policy.budget.Ledger;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.PriceTable;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.store.AuditJournal;
import dev.tollgate.policy.store.LocalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit follower's start: what the journal held before this JVM started is history, whenever it is read. */
class AuditFollowerTest {
  @TempDir
  Path dir;

  /** A journal in memory whose next read can be made to fail (a Redis that is down, a file that cannot be read). */
  static final class FlakyJournal extends AuditJournal {
    private final List<String> lines = new ArrayList<>();
    volatile boolean failNextRead;
    final CountDownLatch failed = new CountDownLatch(1);

    FlakyJournal(LedgerKey key) {
      super(key);
    }

    @Override
    public String where() {
      return "memory";
    }

    @Override
    protected synchronized List<String> lines(long from) throws IOException {
      if (failNextRead) {
        failNextRead = false;
        failed.countDown();
        throw new IOException("the journal is unavailable");
      }
      return from >= lines.size() ? List.of() : new ArrayList<>(lines.subList((int) from, lines.size()));
    }

    @Override
    protected synchronized boolean appendIfCount(long count, String line) {
      if (lines.size() != count) {
        return false;
      }
      lines.add(line);
      return true;
    }
  }

  private LlmGovernor governor() throws Exception {
    Policy policy = PolicyLoader.parse("version: 1\nbudgets:\n  - {name: b, scope: process, max_usd: 1}\n", "p.yaml");
    PolicyEngine engine = new PolicyEngine(policy, Clock.systemUTC());
    return new LlmGovernor(policy, Clock.systemUTC(),
        new LocalStore(Ledger.none(), LlmGovernor.DEFAULT_RESERVATION_TTL, Clock.systemUTC()), null,
        LlmGovernor.DEFAULT_RESERVATION_TTL, PriceTable.bundled(), engine.adjustments());
  }

  @Test
  void aJournalUnreadableAtStartIsNotReplayedAsNewsOnceItCanBeRead() throws Exception {
    FlakyJournal journal = new FlakyJournal(LedgerKey.resolve(dir, null, k -> null));
    // an operator's reset and override made before this JVM started: history (the override still applies)
    Instant earlier = Instant.now().minusSeconds(3600);
    journal.append(new AuditEvent(AuditEvent.Action.RESET, "r1", earlier, "b", "budget", "process", null, null,
        "dave", "old reset", 5_000_000_000L, 0L, null, null, null, null, null, null, null, null, null));
    journal.append(new AuditEvent(AuditEvent.Action.OVERRIDE, "o1", earlier, "b", "budget", "process", null, null,
        "dave", "old override", null, null, 1_000_000_000L, null, null, null, null, null, null, null, null));
    journal.failNextRead = true; // the follower's first read, of the whole journal, fails
    Path logFile = dir.resolve("log.jsonl");
    EnforcementLog log = EnforcementLog.open(logFile, Clock.systemUTC());
    LlmGovernor governor = governor();
    AuditFollower follower = new AuditFollower(journal, governor, log);
    follower.start();
    try {
      assertTrue(journal.failed.await(60, TimeUnit.SECONDS), "the follower's first read was not made");
      follower.poll(); // the journal can be read again (a paused call's thread, or the follower's next poll)
    } finally {
      follower.stop();
    }
    log.close();
    String text = Files.exists(logFile) ? Files.readString(logFile) : "";
    assertFalse(text.contains("\"event\":\"budget.reset\"") || text.contains("\"event\":\"budget.override\""),
        "records made before this JVM started were applied and logged as new once the journal could be read: " + text);
    assertEquals(1, governor.adjustments().version(), "the override in force applies, once");
  }
}
