package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tollgate.policy.testing.TestClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone (or a model's file tool) who can write into {@code ledger.dir} tries to give the budgets back their
 * money. Every forgery stops the load with a located error instead of being skipped, and the ledger never follows
 * a symbolic link, never leaves its files readable by others, and never lets go of its lock while it is open.
 */
class FileLedgerForgeryTest {
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

  private static String crc(String body) {
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    String hex = Long.toHexString(crc.getValue());
    return "00000000".substring(hex.length()) + hex;
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Spends $10 today; the reopen compacts it into the snapshot. */
  private void spend(Path dir) throws IOException {
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-11-24", 5_000_000_000L, 1000);
      ledger.record("daily", null, "2026-11-24", 5_000_000_000L, 1000);
    }
    open(dir).close();
  }

  @Test
  void aForgedJournalLineWithNegativeSpendStopsTheLoad(@TempDir Path dir) throws Exception {
    spend(dir);
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-11-24", 1, 1);
    }
    Path journal = currentJournal(dir);
    String body = "daily\t\t2026-11-24\t-10000000000\t-2000";
    Files.writeString(journal, body + "\t" + crc(body) + "\n", java.nio.file.StandardOpenOption.APPEND);
    IOException e = assertThrows(IOException.class, () -> open(dir));
    assertTrue(e.getMessage().contains(journal.getFileName() + ":2:"), e.getMessage());
  }

  @Test
  void oneChangedDigitInTheSnapshotStopsTheLoad(@TempDir Path dir) throws Exception {
    spend(dir);
    Path snapshot = dir.resolve("snapshot");
    String text = Files.readString(snapshot);
    assertTrue(text.contains("\t10000000000\t"), text);
    Files.writeString(snapshot, text.replace("\t10000000000\t", "\t00000000000\t"));
    IOException e = assertThrows(IOException.class, () -> open(dir));
    assertTrue(e.getMessage().contains("snapshot"), e.getMessage());
  }

  @Test
  void aCopiedOrMovedJournalLineStopsTheLoad(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-11-24", 100, 1);
      ledger.record("daily", null, "2026-11-24", 200, 2);
    }
    try (FileLedger ledger = open(dir)) {
      ledger.record("daily", null, "2026-11-24", 400, 4);
      ledger.record("daily", null, "2026-11-24", 800, 8);
      Path journal = currentJournal(dir);
      List<String> lines = new ArrayList<>(Files.readAllLines(journal));
      lines.remove(0); // dropping the first record of the journal moves the second to its place
      Files.write(journal, lines);
    }
    IOException e = assertThrows(IOException.class, () -> open(dir));
    assertTrue(e.getMessage().contains(":1:"), e.getMessage());
  }

  @Test
  void negativeAndOutOfRangeAmountsAreRefused(@TempDir Path dir) throws Exception {
    try (FileLedger ledger = open(dir)) {
      assertThrows(IllegalArgumentException.class, () -> ledger.record("daily", null, "2026-11-24", -1, 0));
      assertThrows(IllegalArgumentException.class, () -> ledger.record("daily", null, "2026-11-24", 0, -1));
      assertThrows(IllegalArgumentException.class,
          () -> ledger.record("daily", null, "2026-11-24", Long.MAX_VALUE, 0));
      assertEquals(Totals.ZERO, ledger.load("daily", null, "2026-11-24"));
    }
  }

  @Test
  void aSymlinkInTheLedgerDirectoryIsNeverFollowed(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ledger");
    spend(dir);
    Path victim = Files.writeString(tmp.resolve("victim.txt"), "precious");
    Files.createSymbolicLink(dir.resolve("snapshot.tmp"), victim);
    try (FileLedger ledger = open(dir)) {
      assertEquals(new Totals(10_000_000_000L, 2000), ledger.load("daily", null, "2026-11-24"));
    }
    assertEquals("precious", Files.readString(victim), "the compaction wrote through the link");
  }

  @Test
  void aSymlinkedJournalOrSnapshotStopsTheLoad(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ledger");
    spend(dir);
    Path elsewhere = tmp.resolve("other-snapshot");
    Files.move(dir.resolve("snapshot"), elsewhere);
    Files.createSymbolicLink(dir.resolve("snapshot"), elsewhere);
    IOException e = assertThrows(IOException.class, () -> open(dir));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
  }

  @Test
  void aSymlinkedLedgerDirectoryIsRefused(@TempDir Path tmp) throws Exception {
    Path real = Files.createDirectories(tmp.resolve("real"));
    Path dir = Files.createSymbolicLink(tmp.resolve("ledger"), real);
    IOException e = assertThrows(IOException.class, () -> open(dir));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
  }

  @Test
  void filesAreReadableByTheUserOnly(@TempDir Path tmp) throws Exception {
    assumeTrue(posix());
    Path dir = tmp.resolve("ledger");
    spend(dir);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f,
            LinkOption.NOFOLLOW_LINKS)), f.toString());
      }
    }
  }

  @Test
  void aLedgerWrittenWithAnotherKeyStopsTheLoad(@TempDir Path dir) throws Exception {
    spend(dir);
    Files.writeString(dir.resolve("ledger.key"), "00".repeat(32) + "\n");
    IOException e = assertThrows(IOException.class, () -> open(dir));
    assertTrue(e.getMessage().contains("snapshot"), e.getMessage());
  }

  @Test
  void aSecondOpenInOneJvmSharesTheLedgerAndItsLock(@TempDir Path dir) throws Exception {
    try (FileLedger first = open(dir)) {
      try (FileLedger second = open(dir)) {
        second.record("daily", null, "2026-11-24", 300, 3);
        assertEquals(new Totals(300, 3), first.load("daily", null, "2026-11-24"), "one ledger, not two");
      }
      first.record("daily", null, "2026-11-24", 100, 1);
      assertFalse(anotherJvmCanOpen(dir), "closing the second handle let go of the first one's lock");
    }
    try (FileLedger again = open(dir)) {
      assertEquals(new Totals(400, 4), again.load("daily", null, "2026-11-24"));
    }
  }

  private static boolean anotherJvmCanOpen(Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LedgerOpenMain.class.getName(), dir.toString()).redirectErrorStream(true).start();
    String out;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      out = String.join("\n", r.lines().toList());
    }
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    return out.contains("opened");
  }

  @Test
  void theKeyCanLiveOutsideTheDirectoryAndMustBeTheUsersAlone(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ledger");
    Path keyFile = tmp.resolve("secrets/ledger.key");
    Files.createDirectories(keyFile.getParent());
    try (FileLedger ledger = FileLedger.open(dir, clock, UTC, keyFile)) {
      ledger.record("daily", null, "2026-11-24", 1, 1);
    }
    assertFalse(Files.exists(dir.resolve("ledger.key")), "no key next to the ledger");
    assertTrue(Files.readString(keyFile).strip().matches("[0-9a-f]{64}"));
    try (FileLedger ledger = FileLedger.open(dir, clock, UTC, keyFile)) {
      assertEquals(new Totals(1, 1), ledger.load("daily", null, "2026-11-24"));
    }
    IOException wrongKey = assertThrows(IOException.class, () -> open(dir));
    assertTrue(wrongKey.getMessage().contains("another ledger key"), wrongKey.getMessage());
    if (posix()) {
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
      IOException e = assertThrows(IOException.class, () -> FileLedger.open(dir, clock, UTC, keyFile));
      assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
      assertFalse(e.getMessage().contains(Files.readString(keyFile).strip()), "the key is never in a message");
    }
  }

  @Test
  void anOlderUnauthenticatedSnapshotIsNotTrusted(@TempDir Path dir) throws Exception {
    spend(dir);
    Files.writeString(dir.resolve("snapshot"), "tollgate-ledger v1 gen=1\n");
    IOException e = assertThrows(IOException.class, () -> open(dir));
    assertTrue(e.getMessage().contains(":1: not a Tollgate ledger snapshot of this version"), e.getMessage());
  }

  @Test
  void anOpenLedgerDirectoryIsTightenedButASharedOneIsRefusedNotChanged(@TempDir Path tmp) throws Exception {
    assumeTrue(posix());
    Path own = tmp.resolve("own");
    spend(own);
    Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxr-xr-x"));
    open(own).close();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own)));

    Path shared = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(shared.resolve("application.yml"), "x: 1");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    IOException e = assertThrows(IOException.class, () -> open(shared));
    assertTrue(e.getMessage().contains("give the ledger a directory of its own"), e.getMessage());
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
  }
}
