package dev.tollgate.policy.budget;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A {@link Ledger} in a directory: an append-only journal plus a compacted snapshot.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code journal-<gen>.log}: one line per {@link #record}: {@code budget TAB partition TAB period TAB nanos
 *       TAB tokens TAB crc32}, written with a single unbuffered {@code write} to a channel opened for append. Once
 *       {@code write} returns, the line is in the operating system's page cache, so it survives {@code kill -9}
 *       of the JVM at any instant; a kill during the write loses at most that one line (a torn last line, which
 *       the next load ignores). There is no fsync per record: after a power loss or kernel crash the lines
 *       written since the last compaction that the OS had not yet written back (typically up to 30 seconds) can
 *       be lost; {@link #sync()} forces them out if a caller wants that.</li>
 *   <li>{@code snapshot}: the totals of every key after compacting, with the journal generation they include.
 *       Written to {@code snapshot.tmp}, fsynced, and atomically renamed, so it is either the old or the new
 *       snapshot, never a mix. Journals up to that generation are deleted only after the rename; a crash between
 *       the two leaves journals the next load skips by generation, so nothing is counted twice.</li>
 *   <li>{@code ledger.lock}: locked with {@link FileChannel#tryLock()} for as long as the ledger is open.
 *       <b>One JVM per directory</b>: a second JVM (or a second {@code open} in the same JVM) is refused with an
 *       {@link IOException} that says so, rather than sharing (two writers would each keep totals the other
 *       cannot see). Give each JVM its own {@code ledger.dir}.</li>
 * </ul>
 *
 * <h2>Loading and compaction</h2>
 * {@link #open} reads the snapshot and replays newer journals; a line whose checksum or fields do not parse is
 * skipped and counted ({@link #corruptLines()}; the last line of a journal without its newline is a torn write,
 * counted in {@link #tornLines()}). It then compacts at once, so appends always go to a fresh journal and never
 * follow a torn line. Compaction runs again every {@code compactEvery} records and drops periods that can no
 * longer be current: days before yesterday and months before last month (in the ledger's time zone).
 */
public final class FileLedger implements Ledger {
  /** Records between compactions by default. */
  public static final int DEFAULT_COMPACT_EVERY = 10_000;
  private static final String SNAPSHOT = "snapshot";
  private static final String SNAPSHOT_HEADER = "tollgate-ledger v1 gen=";

  private final Path dir;
  private final Clock clock;
  private final ZoneId zone;
  private final int compactEvery;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Map<Key, Totals> totals = new HashMap<>();
  private FileChannel journal;
  private long generation;
  private int sinceCompaction;
  private int corruptLines;
  private int tornLines;
  private boolean closed;

  private record Key(String budget, String partition, String period) {}

  private FileLedger(Path dir, Clock clock, ZoneId zone, int compactEvery, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.clock = clock;
    this.zone = zone;
    this.compactEvery = compactEvery;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Opens (creating when missing) the ledger in {@code dir}, compacting every {@link #DEFAULT_COMPACT_EVERY}. */
  public static FileLedger open(Path dir, Clock clock, ZoneId zone) throws IOException {
    return open(dir, clock, zone, DEFAULT_COMPACT_EVERY);
  }

  /**
   * Opens the ledger in {@code dir}.
   *
   * @throws IOException when the directory cannot be created or read, or another JVM (or another open ledger in
   *                     this one) holds it
   */
  public static FileLedger open(Path dir, Clock clock, ZoneId zone, int compactEvery) throws IOException {
    if (compactEvery < 1) {
      throw new IllegalArgumentException("compactEvery must be >= 1");
    }
    Files.createDirectories(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve("ledger.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      lockChannel.close();
      throw e;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException("the Tollgate ledger in " + dir.toAbsolutePath() + " is in use by another JVM (or is "
          + "already open in this one); each JVM needs its own ledger.dir");
    }
    FileLedger ledger = new FileLedger(dir, clock, zone, compactEvery, lockChannel, lock);
    try {
      ledger.load();
      ledger.compact();
    } catch (IOException | RuntimeException e) {
      ledger.close();
      throw e;
    }
    return ledger;
  }

  @Override
  public synchronized Totals load(String budget, String partition, String period) {
    return totals.getOrDefault(new Key(budget, partition, period), Totals.ZERO);
  }

  /**
   * Appends the record to the journal (one write) and adds it to the totals.
   *
   * @throws UncheckedIOException when the journal cannot be written; the totals in memory still include it
   */
  @Override
  public synchronized void record(String budget, String partition, String period, long nanos, long tokens) {
    if (closed) {
      throw new IllegalStateException("ledger is closed");
    }
    Key key = new Key(budget, partition, period);
    totals.merge(key, new Totals(nanos, tokens), (a, b) -> a.plus(b.nanos(), b.tokens()));
    try {
      ByteBuffer line = ByteBuffer.wrap(line(key, nanos, tokens).getBytes(StandardCharsets.UTF_8));
      while (line.hasRemaining()) {
        journal.write(line);
      }
      if (++sinceCompaction >= compactEvery) {
        compact();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Tollgate ledger in " + dir, e);
    }
  }

  /** Forces the journal to the storage device (for callers who want power-loss durability up to now). */
  public synchronized void sync() throws IOException {
    journal.force(false);
  }

  /**
   * Writes every total to a new snapshot and starts a new journal; drops periods before yesterday (days) and
   * before last month (months).
   */
  public synchronized void compact() throws IOException {
    long covered = generation;
    FileChannel next = FileChannel.open(dir.resolve(journalName(covered + 1)), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    FileChannel previous = journal;
    journal = next;
    generation = covered + 1;
    sinceCompaction = 0;
    if (previous != null) {
      previous.close();
    }
    prune();
    StringBuilder text = new StringBuilder(SNAPSHOT_HEADER).append(covered).append('\n');
    List<String> lines = new ArrayList<>();
    totals.forEach((key, t) -> lines.add(line(key, t.nanos(), t.tokens())));
    lines.sort(null);
    lines.forEach(text::append);
    Path tmp = dir.resolve(SNAPSHOT + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(true);
    }
    Files.move(tmp, dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory();
    for (long gen : journalGenerations()) {
      if (gen <= covered) {
        Files.deleteIfExists(dir.resolve(journalName(gen)));
      }
    }
  }

  /** Lines skipped on load because their checksum or fields were wrong. */
  public synchronized int corruptLines() {
    return corruptLines;
  }

  /** Last journal lines without their newline (a write cut short by a crash), ignored on load. */
  public synchronized int tornLines() {
    return tornLines;
  }

  /** The directory of this ledger. */
  public Path dir() {
    return dir;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (journal != null) {
        journal.close();
      }
    } catch (IOException ignored) {
      // nothing buffered: every record was written when it was made
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    try {
      lockChannel.close();
    } catch (IOException ignored) {
      // the OS releases the lock when the process ends
    }
  }

  // ---- loading ---------------------------------------------------------------------------------------------

  private void load() throws IOException {
    long snapshotGen = 0;
    Path snapshot = dir.resolve(SNAPSHOT);
    if (Files.exists(snapshot)) {
      String text = Files.readString(snapshot, StandardCharsets.ISO_8859_1);
      int newline = text.indexOf('\n');
      String header = newline < 0 ? text : text.substring(0, newline);
      if (!header.startsWith(SNAPSHOT_HEADER)) {
        throw new IOException("not a Tollgate ledger snapshot: " + snapshot.toAbsolutePath());
      }
      snapshotGen = Long.parseLong(header.substring(SNAPSHOT_HEADER.length()).trim());
      replay(newline < 0 ? "" : text.substring(newline + 1));
    }
    long last = snapshotGen;
    for (long gen : journalGenerations()) {
      if (gen > snapshotGen) {
        replay(Files.readString(dir.resolve(journalName(gen)), StandardCharsets.ISO_8859_1));
      }
      last = Math.max(last, gen);
    }
    generation = last;
  }

  /** Adds every well-formed line of {@code text} (ISO-8859-1 decoded bytes or UTF-8 text) to the totals. */
  private void replay(String text) {
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        tornLines++;
        return;
      }
      String raw = text.substring(start, end);
      start = end + 1;
      String line = raw.chars().anyMatch(c -> c > 0x7f)
          ? new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) : raw;
      if (!apply(line)) {
        corruptLines++;
      }
    }
  }

  private boolean apply(String line) {
    int lastTab = line.lastIndexOf('\t');
    if (lastTab < 0) {
      return false;
    }
    String body = line.substring(0, lastTab);
    if (!crc(body).equals(line.substring(lastTab + 1))) {
      return false;
    }
    String[] f = body.split("\t", -1);
    if (f.length != 5) {
      return false;
    }
    try {
      long nanos = Long.parseLong(f[3]);
      long tokens = Long.parseLong(f[4]);
      Key key = new Key(unescape(f[0]), f[1].isEmpty() ? null : unescape(f[1].substring(1)), unescape(f[2]));
      totals.merge(key, new Totals(nanos, tokens), (a, b) -> a.plus(b.nanos(), b.tokens()));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private List<Long> journalGenerations() throws IOException {
    List<Long> gens = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "journal-*.log")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        try {
          gens.add(Long.parseLong(name.substring("journal-".length(), name.length() - ".log".length())));
        } catch (NumberFormatException ignored) {
          // not ours
        }
      }
    } catch (NoSuchFileException e) {
      return gens;
    }
    gens.sort(null);
    return gens;
  }

  private static String journalName(long gen) {
    return String.format("journal-%012d.log", gen);
  }

  private void prune() {
    LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
    String oldestDay = today.minusDays(1).toString();
    String oldestMonth = YearMonth.from(today).minusMonths(1).toString();
    totals.keySet().removeIf(key -> {
      String p = key.period();
      return p.length() == 10 && p.charAt(4) == '-' && p.compareTo(oldestDay) < 0
          || p.length() == 7 && p.charAt(4) == '-' && p.compareTo(oldestMonth) < 0;
    });
  }

  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // not every platform can open a directory; the rename is still atomic
    }
  }

  // ---- line format -----------------------------------------------------------------------------------------

  private static String line(Key key, long nanos, long tokens) {
    String body = escape(key.budget()) + '\t' + (key.partition() == null ? "" : "=" + escape(key.partition())) + '\t'
        + escape(key.period()) + '\t' + nanos + '\t' + tokens;
    return body + '\t' + crc(body) + '\n';
  }

  private static String crc(String body) {
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    String hex = Long.toHexString(crc.getValue());
    return "00000000".substring(hex.length()) + hex;
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '\t' || c == '\n' || c == '\r') {
        out.append('%').append(String.format("%02X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
