package dev.tollgate.policy.budget;

import dev.tollgate.policy.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLedgerTest {
  private static final ZoneId UTC = ZoneOffset.UTC;
  private final TestClock clock = new TestClock("2026-11-24T10:00:00Z");

  private FileLedger open(Path dir) throws IOException {
    return FileLedger.open(dir, clock, UTC);
  }

  private static List<Path> journals(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted().toList();
    }
  }

  private static Path currentJournal(Path dir) throws IOException {
    List<Path> all = journals(dir);
    return all.get(all.size() - 1);
  }

  @Test
  void journalNamesAreTwelveDigitsZeroPaddedAsTheyAlwaysWere() {
    for (long gen : new long[] {0, 1, 70, 999_999_999_999L, 1_000_000_000_000L, Long.MAX_VALUE}) {
      assertEquals(String.format("journal-%012d.log", gen), FileLedger.journalName(gen));
    }
  }

  @Test
  void aResetHoldsAcrossReloadAndCompactionAndPeekSeesItWithoutTheLock(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-12-04", 5_000, 50);
      ledger.record("daily", "tenant-a", "2026-12-04", 7_000, 70);
      ledger.reset("daily", null, "2026-12-04");
      ledger.record("daily", null, "2026-12-04", 2_000, 20);
      assertEquals(new Totals(2_000, 20), ledger.load("daily", null, "2026-12-04"));
      List<FileLedger.Entry> peeked = FileLedger.peek(dir, null);
      assertEquals(2, peeked.size(), "a running JVM holds the lock; peek reads anyway");
    }
    try (FileLedger ledger = open(dir)) {
      assertEquals(new Totals(2_000, 20), ledger.load("daily", null, "2026-12-04"), "after reload (and compaction)");
      assertEquals(new Totals(7_000, 70), ledger.load("daily", "tenant-a", "2026-12-04"), "other partitions keep theirs");
      ledger.reset("daily", "tenant-a", "2026-12-04");
    }
    try (FileLedger ledger = open(dir)) {
      assertEquals(Totals.ZERO, ledger.load("daily", "tenant-a", "2026-12-04"));
    }
  }

  @Test
  void reloadAfterManyRecordsGivesTheSameTotals(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      for (int i = 0; i < 2000; i++) {
        ledger.record("daily", i % 2 == 0 ? null : "tenant-" + (i % 7), "2026-11-24", 1000 + i, 10);
      }
      ledger.record("monthly", "ümlaut\tand\nnewline%", "2026-11", 5, 6);
    }
    try (FileLedger ledger = open(dir)) {
      long even = 0;
      for (int i = 0; i < 2000; i += 2) {
        even += 1000 + i;
      }
      assertEquals(new Totals(even, 10_000), ledger.load("daily", null, "2026-11-24"));
      long t3 = 0;
      int n3 = 0;
      for (int i = 1; i < 2000; i += 2) {
        if (i % 7 == 3) {
          t3 += 1000 + i;
          n3++;
        }
      }
      assertEquals(new Totals(t3, 10L * n3), ledger.load("daily", "tenant-3", "2026-11-24"));
      assertEquals(new Totals(5, 6), ledger.load("monthly", "ümlaut\tand\nnewline%", "2026-11"));
      assertEquals(Totals.ZERO, ledger.load("daily", "", "2026-11-24"), "null and \"\" partitions are distinct");
      assertEquals(0, ledger.tornLines());
    }
  }

  @Test
  void tornTailLineIsIgnoredAndLaterRecordsAreIntact(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-11-24", 100, 1);
      ledger.record("daily", null, "2026-11-24", 200, 2);
    }
    // a kill -9 in the middle of a write: half a line, no newline
    Files.writeString(currentJournal(dir), "daily\t\t2026-11-24\t999", StandardOpenOption.APPEND);
    try (FileLedger ledger = open(dir)) {
      assertEquals(new Totals(300, 3), ledger.load("daily", null, "2026-11-24"));
      assertEquals(1, ledger.tornLines());
      ledger.record("daily", null, "2026-11-24", 50, 5);
    }
    try (FileLedger ledger = open(dir)) {
      assertEquals(new Totals(350, 8), ledger.load("daily", null, "2026-11-24"), "no record glued to the torn line");
      assertEquals(0, ledger.tornLines(), "compaction on open dropped the torn journal");
    }
  }

  @Test
  void aJournalWriteThatFailsLeavesALedgerThatOpensAgainWithEveryRecord(@TempDir Path dir) throws Exception {
    for (int written : new int[] {0, 9}) { // nothing of the line reached the file, or its first 9 bytes
      Path d = dir.resolve("written-" + written);
      try (FileLedger ledger = open(d)) {
        ledger.record("daily", null, "2026-11-24", 100, 1);
        FullOnce full = FullOnce.install(ledger, written);
        assertThrows(java.io.UncheckedIOException.class, () -> ledger.record("daily", null, "2026-11-24", 200, 2));
        assertTrue(full.failed, "the write failed");
        ledger.record("daily", null, "2026-11-24", 400, 4); // the disk has room again
        assertEquals(new Totals(700, 7), ledger.load("daily", null, "2026-11-24"));
      }
      try (FileLedger ledger = open(d)) {
        assertEquals(new Totals(700, 7), ledger.load("daily", null, "2026-11-24"),
            "after " + written + " bytes of a failed write");
      }
    }
  }

  /** A journal whose next write puts {@code written} bytes on disk and then fails, as a full disk does; then has room. */
  private static final class FullOnce extends java.nio.channels.FileChannel {
    private final java.nio.channels.FileChannel real;
    private int written;
    boolean failed;

    private FullOnce(java.nio.channels.FileChannel real, int written) {
      this.real = real;
      this.written = written;
    }

    static FullOnce install(FileLedger ledger, int written) throws ReflectiveOperationException {
      java.lang.reflect.Field sharedField = FileLedger.class.getDeclaredField("shared");
      sharedField.setAccessible(true);
      Object shared = sharedField.get(ledger);
      java.lang.reflect.Field journalField = shared.getClass().getDeclaredField("journal");
      journalField.setAccessible(true);
      FullOnce full = new FullOnce((java.nio.channels.FileChannel) journalField.get(shared), written);
      journalField.set(shared, full);
      return full;
    }

    @Override
    public int write(java.nio.ByteBuffer src) throws IOException {
      if (failed) {
        return real.write(src);
      }
      if (written > 0) {
        java.nio.ByteBuffer part = src.duplicate();
        part.limit(part.position() + Math.min(written, part.remaining()));
        int n = real.write(part);
        src.position(src.position() + n);
        written -= n;
        return n;
      }
      failed = true;
      throw new IOException("No space left on device");
    }

    @Override
    public int read(java.nio.ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(java.nio.ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public long write(java.nio.ByteBuffer[] srcs, int offset, int length) throws IOException {
      return real.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public java.nio.channels.FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public java.nio.channels.FileChannel truncate(long size) throws IOException {
      real.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      real.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target)
        throws IOException {
      return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(java.nio.channels.ReadableByteChannel src, long position, long count)
        throws IOException {
      return real.transferFrom(src, position, count);
    }

    @Override
    public int read(java.nio.ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public int write(java.nio.ByteBuffer src, long position) throws IOException {
      return real.write(src, position);
    }

    @Override
    public java.nio.MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return real.map(mode, position, size);
    }

    @Override
    public java.nio.channels.FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public java.nio.channels.FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }

  @Test
  void aCorruptLineStopsTheLoadWithItsLocation(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-11-24", 100, 1);
      ledger.record("daily", null, "2026-11-24", 200, 2);
      ledger.record("daily", null, "2026-11-24", 400, 4);
    }
    Path journal = currentJournal(dir);
    List<String> lines = new ArrayList<>(Files.readAllLines(journal));
    lines.set(1, lines.get(1).replace("\t200\t", "\t900\t")); // bit rot: the code no longer matches
    Files.write(journal, lines);
    IOException e = assertThrows(IOException.class, () -> open(dir));
    assertTrue(e.getMessage().startsWith("ledger journal " + journal.toAbsolutePath() + ":2: the record's "
        + "authentication code does not match"), e.getMessage());
  }

  @Test
  void compactionKeepsTotalsAndRemovesOldJournals(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = FileLedger.open(dir, clock, UTC, 100)) {
      for (int i = 0; i < 1050; i++) {
        ledger.record("b" + (i % 3), null, "2026-11", i, 1);
      }
      List<Totals> before = List.of(ledger.load("b0", null, "2026-11"), ledger.load("b1", null, "2026-11"),
          ledger.load("b2", null, "2026-11"));
      ledger.compact();
      assertEquals(before, List.of(ledger.load("b0", null, "2026-11"), ledger.load("b1", null, "2026-11"),
          ledger.load("b2", null, "2026-11")));
      assertEquals(1, journals(dir).size(), journals(dir).toString());
      assertEquals(0, Files.size(journals(dir).get(0)));
      ledger.close();
      try (FileLedger reopened = open(dir)) {
        assertEquals(before, List.of(reopened.load("b0", null, "2026-11"), reopened.load("b1", null, "2026-11"),
            reopened.load("b2", null, "2026-11")));
      }
    }
  }

  @Test
  void crashBetweenSnapshotRenameAndJournalDeletionCountsNothingTwice(@TempDir Path dir) throws Exception {
    Path saved;
    String savedText;
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-11-24", 100, 1);
      saved = currentJournal(dir);
      savedText = Files.readString(saved);
      ledger.compact(); // snapshot includes the 100 and deletes the journal...
    }
    Files.writeString(saved, savedText); // ...but the deletion "did not happen"
    try (FileLedger ledger = open(dir)) {
      assertEquals(new Totals(100, 1), ledger.load("daily", null, "2026-11-24"));
    }
  }

  @Test
  void crashBeforeTheSnapshotRenameLosesNothing(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-11-24", 100, 1);
    }
    Files.writeString(dir.resolve("snapshot.tmp"), "half a snapsh"); // a compaction killed while writing
    try (FileLedger ledger = open(dir)) {
      assertEquals(new Totals(100, 1), ledger.load("daily", null, "2026-11-24"));
    }
  }

  @Test
  void oldPeriodsArePrunedAtCompaction(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      ledger.record("d", null, "2026-11-22", 1, 1);
      ledger.record("d", null, "2026-11-23", 2, 2);
      ledger.record("d", null, "2026-11-24", 3, 3);
      ledger.record("m", null, "2026-09", 4, 4);
      ledger.record("m", null, "2026-10", 5, 5);
      ledger.record("m", null, "2026-11", 6, 6);
      ledger.compact();
      assertEquals(Totals.ZERO, ledger.load("d", null, "2026-11-22"));
      assertEquals(new Totals(2, 2), ledger.load("d", null, "2026-11-23"), "yesterday is kept");
      assertEquals(new Totals(3, 3), ledger.load("d", null, "2026-11-24"));
      assertEquals(Totals.ZERO, ledger.load("m", null, "2026-09"));
      assertEquals(new Totals(5, 5), ledger.load("m", null, "2026-10"));
      assertEquals(new Totals(6, 6), ledger.load("m", null, "2026-11"));
    }
  }

  @Test
  void concurrentWritersInOneJvmLoseNothing(@TempDir Path dir) throws Exception {
    int threads = 16;
    int each = 500;
    try (FileLedger ledger = FileLedger.open(dir, clock, UTC, 777)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            ledger.record("daily", "p" + (id % 4), "2026-11-24", 3, 1);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      for (int p = 0; p < 4; p++) {
        assertEquals(new Totals(3L * each * threads / 4, (long) each * threads / 4), ledger.load("daily", "p" + p, "2026-11-24"));
      }
    }
    try (FileLedger ledger = open(dir)) {
      for (int p = 0; p < 4; p++) {
        assertEquals(new Totals(3L * each * threads / 4, (long) each * threads / 4), ledger.load("daily", "p" + p, "2026-11-24"));
      }
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryInThisJvmSharesTheLedger(@TempDir Path dir) throws Exception {
    try (FileLedger first = open(dir); FileLedger second = open(dir)) {
      first.record("x", null, "2026-11", 7, 1);
      assertEquals(new Totals(7, 1), second.load("x", null, "2026-11"));
    }
    try (FileLedger again = open(dir)) {
      assertEquals(new Totals(7, 1), again.load("x", null, "2026-11"));
    }
  }

  @Test
  void journalLinesAreSelfDescribingText(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", "acme", "2026-11-24", 1500, 42);
      String text = Files.readString(currentJournal(dir), StandardCharsets.UTF_8);
      assertTrue(text.startsWith("daily\t=acme\t2026-11-24\t1500\t42\t"), text);
      assertTrue(text.endsWith("\n"));
    }
  }

  @Test
  void noneLedgerRemembersNothing() {
    Ledger none = Ledger.none();
    none.record("a", null, "2026-11", 5, 5);
    assertEquals(Totals.ZERO, none.load("a", null, "2026-11"));
  }
}
