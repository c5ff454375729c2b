package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.RedisSettings;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.store.AuditJournal;
import dev.tollgate.policy.store.RedisStore;
import dev.tollgate.policy.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit journal, on a file in the ledger directory and in a real Redis: records read back in order, writers
 * racing from many threads keep one chain, and any change to what was written stops the reader at that line.
 */
class AuditJournalTest {
  static RedisServerProcess server;
  static RedisStore redis;

  @TempDir
  Path dir;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServerProcess.start();
    redis = new RedisStore(new RedisSettings(server.url(), "journal:", Duration.ofSeconds(2),
        RedisSettings.OnUnavailable.BLOCK, Duration.ofMinutes(1)), null);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
    server.close();
  }

  private static AuditEvent reset(String id, String reason) {
    return new AuditEvent(AuditEvent.Action.RESET, id, Instant.parse("2026-12-04T10:00:00Z"), "daily", "budget",
        "day", null, "2026-12-04", "alice", reason, 1_000_000_000L, 0L, null, null, null, null, null, null, null, null,
        null);
  }

  private AuditJournal file() throws IOException {
    return FileAuditJournal.open(dir.resolve("ledger"), null);
  }

  private AuditJournal redis(String name) throws IOException {
    return new RedisStore(new RedisSettings(server.url(), name + ":", Duration.ofSeconds(2),
        RedisSettings.OnUnavailable.BLOCK, Duration.ofMinutes(1)), null)
        .journal(LedgerKey.resolve(dir.resolve("ledger"), null, k -> null));
  }

  @Test
  void recordsReadBackInOrderAndFollowingReadsOnlyWhatIsNew() throws Exception {
    for (AuditJournal j : List.of(file(), redis("order"))) {
      j.append(reset("a1", "first"));
      j.append(reset("a2", "second, with \"quotes\"\tand a tab"));
      AuditJournal.Page all = j.readAll();
      assertEquals(List.of(reset("a1", "first"), reset("a2", "second, with \"quotes\"\tand a tab")), all.records());
      j.append(reset("a3", "third"));
      AuditJournal.Page next = j.readAfter(all);
      assertEquals(List.of(reset("a3", "third")), next.records(), j.where());
      assertTrue(j.readAfter(next).records().isEmpty());
    }
  }

  @Test
  void writersRacingFromManyThreadsKeepOneChain() throws Exception {
    for (AuditJournal j : List.of(file(), redis("race"))) {
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        threads.add(new Thread(() -> {
          for (int i = 0; i < 10; i++) {
            try {
              j.append(reset("t" + thread + "-" + i, "race"));
            } catch (Exception e) {
              failures.add(e);
            }
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      assertTrue(failures.isEmpty(), failures::toString);
      Set<String> ids = new HashSet<>();
      j.readAll().records().forEach(r -> ids.add(r.id()));
      assertEquals(40, ids.size(), j.where());
    }
  }

  @Test
  void aChangedRecordStopsTheReaderAtItsLine() throws Exception {
    AuditJournal j = file();
    j.append(reset("a1", "first"));
    j.append(reset("a2", "second"));
    Path log = dir.resolve("ledger").resolve(FileAuditJournal.FILE);
    String text = Files.readString(log);
    Files.writeString(log, text.replace("\"before_usd\":1.0", "\"before_usd\":9.0"));
    IOException e = assertThrows(IOException.class, j::readAll);
    assertTrue(e.getMessage().contains("audit.log:1: the audit record's authentication code does not match"),
        e.getMessage());
  }

  @Test
  void aRemovedOrReorderedRecordStopsTheReader() throws Exception {
    AuditJournal j = file();
    j.append(reset("a1", "first"));
    j.append(reset("a2", "second"));
    j.append(reset("a3", "third"));
    Path log = dir.resolve("ledger").resolve(FileAuditJournal.FILE);
    List<String> lines = Files.readAllLines(log);
    Files.write(log, List.of(lines.get(0), lines.get(2)));
    assertTrue(assertThrows(IOException.class, j::readAll).getMessage().contains("audit.log:2:"));
    Files.write(log, List.of(lines.get(1), lines.get(0), lines.get(2)));
    assertTrue(assertThrows(IOException.class, j::readAll).getMessage().contains("audit.log:1:"));
  }

  @Test
  void aRecordAppendedOutsideTheChainIsRefused() throws Exception {
    AuditJournal j = file();
    j.append(reset("a1", "first"));
    AuditJournal forger = new AuditJournal(LedgerKey.of(new byte[32])) {
      @Override
      public String where() {
        return "forger";
      }

      @Override
      protected List<String> lines(long from) throws IOException {
        return List.of();
      }

      @Override
      protected boolean appendIfCount(long count, String line) throws IOException {
        Files.writeString(dir.resolve("ledger").resolve(FileAuditJournal.FILE), line + "\n",
            StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        return true;
      }
    };
    forger.append(reset("f1", "forged"));
    assertTrue(assertThrows(IOException.class, j::readAll).getMessage().contains("audit.log:2:"));
  }

  @Test
  void aTornLastLineIsNotARecordAndTheNextAppendReplacesIt() throws Exception {
    AuditJournal j = file();
    j.append(reset("a1", "first"));
    Path log = dir.resolve("ledger").resolve(FileAuditJournal.FILE);
    Files.writeString(log, "{\"action\":\"reset\",\"id\":\"torn", java.nio.file.StandardOpenOption.APPEND);
    assertEquals(1, j.readAll().records().size());
    j.append(reset("a2", "second"));
    assertEquals(List.of("a1", "a2"), j.readAll().records().stream().map(AuditEvent::id).toList());
  }

  /**
   * A follower's reads on the file journal read only what was appended since its last read: what another writer (a
   * second instance, as the CLI's process) appended, a torn line once an append completes it, and a file replaced
   * by a longer one is read whole again, so a line in the wrong place is still refused.
   */
  @Test
  void aFollowersReadsOfTheFileAreIncrementalAndStillVerified() throws Exception {
    AuditJournal follower = file();
    AuditJournal writer = file();
    writer.append(reset("a1", "first"));
    AuditJournal.Page page = follower.readAll();
    Path log = dir.resolve("ledger").resolve(FileAuditJournal.FILE);
    for (int n = 2; n <= 4; n++) {
      writer.append(reset("a" + n, "next"));
      AuditJournal.Page next = follower.readAfter(page);
      assertEquals(List.of("a" + n), next.records().stream().map(AuditEvent::id).toList());
      page = next;
    }
    Files.writeString(log, "{\"action\":\"reset\",\"id\":\"torn", java.nio.file.StandardOpenOption.APPEND);
    assertEquals(List.of(), follower.readAfter(page).records(), "a torn line is no record");
    writer.append(reset("a5", "after the torn line"));
    page = follower.readAfter(page);
    assertEquals(List.of("a5"), page.records().stream().map(AuditEvent::id).toList());
    assertEquals(5, page.next());
    // a journal put back in its place with another first line: the chain no longer holds where the follower was
    List<String> lines = Files.readAllLines(log);
    Path moved = dir.resolve("old.log");
    Files.move(log, moved);
    Files.write(log, List.of(lines.get(1), lines.get(0), lines.get(2), lines.get(3), lines.get(4), lines.get(0)));
    AuditJournal.Page at = page;
    assertTrue(assertThrows(IOException.class, () -> follower.readAfter(at)).getMessage().contains("audit.log:6:"));
  }

  /** Incremental reads of the file journal, however appends and reads interleave, add up to one read of it all. */
  @net.jqwik.api.Property(tries = 40)
  void incrementalReadsAddUpToAWholeRead(@net.jqwik.api.ForAll("steps") List<Integer> steps) throws Exception {
    Path ledger = Files.createTempDirectory("audit-prop");
    try {
      AuditJournal writer = FileAuditJournal.open(ledger, null);
      AuditJournal follower = FileAuditJournal.open(ledger, null);
      AuditJournal.Page page = AuditJournal.Page.START;
      List<String> seen = new ArrayList<>();
      int n = 0;
      for (int step : steps) {
        if (step == 0) {
          page = follower.readAfter(page);
          page.records().forEach(r -> seen.add(r.id()));
        } else if (step == 1) {
          Files.writeString(ledger.resolve(FileAuditJournal.FILE), "{\"torn",
              java.nio.file.StandardOpenOption.APPEND, java.nio.file.StandardOpenOption.CREATE);
        } else {
          writer.append(reset("r" + n++, "x".repeat(step)));
        }
      }
      page = follower.readAfter(page);
      page.records().forEach(r -> seen.add(r.id()));
      assertEquals(FileAuditJournal.open(ledger, null).readAll().records().stream().map(AuditEvent::id).toList(), seen);
      assertEquals(n, seen.size());
    } finally {
      try (var files = Files.walk(ledger)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<List<Integer>> steps() {
    // 0: the follower reads; 1: a torn write; 2..40: an append with a reason of that many characters
    return net.jqwik.api.Arbitraries.integers().between(0, 40).list().ofMaxSize(30);
  }
}
