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
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Ledger} in a directory: an append-only journal plus a compacted snapshot, every record authenticated.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code journal-<gen>.log}: one line per {@link #record}: {@code budget TAB partition TAB period TAB nanos
 *       TAB tokens TAB code}, where {@code code} is the HMAC-SHA256 ({@link LedgerKey}) of the journal's generation,
 *       the line's number and the line, written with a single unbuffered {@code write} to a channel opened for
 *       append. Once {@code write} returns, the line is in the operating system's page cache, so it survives
 *       {@code kill -9} of the JVM at any instant; a kill during the write loses at most that one line (a torn last
 *       line, which the next load ignores). A write that fails (a full disk) may leave such a line too, or none
 *       where the next line's code expects one: the next record then compacts instead of appending, so no record
 *       follows it. There is no fsync per record: after a power loss or kernel crash the lines written since the
 *       last compaction that the OS had not yet written back (typically up to 30 seconds) can be lost;
 *       {@link #sync()} forces them out if a caller wants that.</li>
 *   <li>{@code snapshot}: the totals of every key after compacting, with the journal generation they include, and
 *       a last line with the HMAC of everything before it. Written to {@code snapshot.tmp}, fsynced, and atomically
 *       renamed, so it is either the old or the new snapshot, never a mix. Journals up to that generation are
 *       deleted only after the rename; a crash between the two leaves journals the next load skips by generation,
 *       so nothing is counted twice.</li>
 *   <li>{@code ledger.key}: the key, unless {@code ledger.key_file} or {@value LedgerKey#ENV} says otherwise.</li>
 *   <li>{@code ledger.lock}: locked with {@link FileChannel#tryLock()} for as long as the ledger is open.
 *       <b>One JVM per directory</b>: a second JVM is refused with an {@link IOException} that says so. A second
 *       {@code open} in the same JVM shares the first one's ledger (the same totals, the same lock); the lock is
 *       released when the last of them is closed.</li>
 * </ul>
 *
 * <h2>Integrity (fail closed)</h2>
 * A record whose code does not verify, whose fields do not parse, whose amounts are negative or out of range, or a
 * snapshot that was changed, stops {@link #open} with an {@link IOException} naming the file and line: governed
 * calls are then refused, or the agent refuses to start, as {@code fail-mode} says. Only a torn last line of a
 * journal (no newline: a write cut short) is ignored. Files are 0600 in a 0700 directory owned by the user;
 * symbolic links are never followed (a link where a ledger file should be stops the load). What a code cannot
 * prevent is deleting files: a model whose file tool can write into {@code ledger.dir} could delete the ledger, so
 * keep the directory out of every tool's reach.
 *
 * <h2>Loading and compaction</h2>
 * {@link #open} reads the snapshot and replays newer journals, then compacts at once, so appends always go to a
 * fresh journal and never follow a torn line. Compaction runs again every {@code compactEvery} records and drops
 * periods that can no longer be current: days before yesterday and months before last month (in the ledger's time
 * zone).
 */
public final class FileLedger implements Ledger {
  /** Records between compactions by default. */
  public static final int DEFAULT_COMPACT_EVERY = 10_000;
  /** Largest amount one record or one total may hold: 10^18 nano-USD (a billion dollars), 10^15 tokens. */
  static final long MAX_NANOS = 1_000_000_000_000_000_000L;
  static final long MAX_TOKENS = 1_000_000_000_000_000L;
  /** Largest ledger file read. */
  static final long MAX_FILE_BYTES = 1L << 30;
  private static final String SNAPSHOT = "snapshot";
  /** The amounts of a reset record: the key's totals are zero from there on. */
  private static final String RESET = "=0";
  private static final String SNAPSHOT_HEADER = "tollgate-ledger v2 gen=";
  private static final String SNAPSHOT_CODE = "code\t";
  /** The ledgers open in this JVM, by real directory path. */
  private static final Map<Path, Shared> OPEN = new HashMap<>();

  private final Shared shared;
  private boolean closed;

  private FileLedger(Shared shared) {
    this.shared = shared;
  }

  /** Opens (creating when missing) the ledger in {@code dir}, compacting every {@link #DEFAULT_COMPACT_EVERY}. */
  public static FileLedger open(Path dir, Clock clock, ZoneId zone) throws IOException {
    return open(dir, clock, zone, DEFAULT_COMPACT_EVERY);
  }

  /** Opens the ledger in {@code dir} with its key from {@value LedgerKey#ENV} or {@code keyFile} (null: the default). */
  public static FileLedger open(Path dir, Clock clock, ZoneId zone, Path keyFile) throws IOException {
    return open(dir, clock, zone, DEFAULT_COMPACT_EVERY, keyFile);
  }

  /**
   * Opens the ledger in {@code dir}.
   *
   * @throws IOException when the directory cannot be created or read, another JVM holds it, or a record or the
   *                     snapshot fails verification (the message names file and line)
   */
  public static FileLedger open(Path dir, Clock clock, ZoneId zone, int compactEvery) throws IOException {
    return open(dir, clock, zone, compactEvery, null);
  }

  static FileLedger open(Path dir, Clock clock, ZoneId zone, int compactEvery, Path keyFile) throws IOException {
    if (compactEvery < 1) {
      throw new IllegalArgumentException("compactEvery must be >= 1");
    }
    LedgerFiles.prepareDirectory(dir);
    Path real = dir.toRealPath();
    synchronized (OPEN) {
      Shared existing = OPEN.get(real);
      if (existing != null) {
        existing.references++;
        return new FileLedger(existing);
      }
      LedgerKey key = LedgerKey.resolve(dir, keyFile, System::getenv);
      Shared shared = Shared.open(dir, real, clock, zone, compactEvery, key);
      OPEN.put(real, shared);
      return new FileLedger(shared);
    }
  }

  /** Another JVM holds the ledger. */
  public static final class InUseException extends IOException {
    InUseException(String message) {
      super(message);
    }
  }

  /** One key of the ledger and its totals, as {@link #peek} reads them. */
  public record Entry(String budget, String partition, String period, Totals totals) {}

  /**
   * The totals in {@code dir} as they are now, verified like {@link #open} does, read without taking the ledger (a
   * running JVM may hold it) and without compacting: for {@code status} and {@code budget reset}. Empty when there is
   * no ledger there.
   */
  public static List<Entry> peek(Path dir, Path keyFile) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    LedgerKey key = LedgerKey.resolve(dir, keyFile, System::getenv);
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Shared s = new Shared(dir, dir.toRealPath(), Clock.systemUTC(), ZoneId.of("UTC"), DEFAULT_COMPACT_EVERY, key);
      try {
        s.load();
      } catch (NoSuchFileException e) {
        last = e; // a running JVM compacted between listing and reading: read again
        continue;
      }
      List<Entry> out = new ArrayList<>();
      s.totals.forEach((k, t) -> out.add(new Entry(k.budget(), k.partition(), k.period(), t)));
      return out;
    }
    throw last;
  }

  @Override
  public Totals load(String budget, String partition, String period) {
    synchronized (shared) {
      return shared.totals.getOrDefault(new Key(budget, partition, period), Totals.ZERO);
    }
  }

  /**
   * Appends the record to the journal (one write) and adds it to the totals.
   *
   * @throws IllegalArgumentException when an amount is negative or beyond {@link #MAX_NANOS} / {@link #MAX_TOKENS}
   * @throws UncheckedIOException     when the journal cannot be written; the totals in memory still include it
   */
  @Override
  public void record(String budget, String partition, String period, long nanos, long tokens) {
    if (nanos < 0 || nanos > MAX_NANOS || tokens < 0 || tokens > MAX_TOKENS) {
      throw new IllegalArgumentException("a ledger record holds 0 to " + MAX_NANOS + " nano-USD and 0 to " + MAX_TOKENS
          + " tokens, got " + nanos + " and " + tokens);
    }
    synchronized (shared) {
      if (closed) {
        throw new IllegalStateException("ledger is closed");
      }
      shared.record(new Key(budget, partition, period), nanos, tokens);
    }
  }

  /**
   * Appends a reset record (amounts {@code =0}): the key's totals are zero from here on, when this JVM reloads the
   * ledger too.
   */
  @Override
  public void reset(String budget, String partition, String period) {
    synchronized (shared) {
      if (closed) {
        throw new IllegalStateException("ledger is closed");
      }
      shared.reset(new Key(budget, partition, period));
    }
  }

  /** Forces the journal to the storage device (for callers who want power-loss durability up to now). */
  public void sync() throws IOException {
    synchronized (shared) {
      shared.journal.force(false);
    }
  }

  /**
   * Writes every total to a new snapshot and starts a new journal; drops periods before yesterday (days) and
   * before last month (months).
   */
  public void compact() throws IOException {
    synchronized (shared) {
      shared.compact();
    }
  }

  /** Last journal lines without their newline (a write cut short by a crash), ignored on load. */
  public int tornLines() {
    synchronized (shared) {
      return shared.tornLines;
    }
  }

  /** The directory of this ledger. */
  public Path dir() {
    return shared.dir;
  }

  /** Closes this handle; the ledger's files and lock are released when the last handle in this JVM is closed. */
  @Override
  public void close() {
    synchronized (OPEN) {
      synchronized (shared) {
        if (closed) {
          return;
        }
        closed = true;
        if (--shared.references == 0) {
          OPEN.remove(shared.real);
          shared.close();
        }
      }
    }
  }

  private record Key(String budget, String partition, String period) {}

  /** One open ledger directory, shared by every handle on it in this JVM; guarded by its own monitor. */
  private static final class Shared {
    final Path dir;
    final Path real;
    final Clock clock;
    final ZoneId zone;
    final int compactEvery;
    final LedgerKey key;
    final Map<Key, Totals> totals = new HashMap<>();
    FileChannel lockChannel;
    FileLock lock;
    FileChannel journal;
    long generation;
    long lineNumber;
    int sinceCompaction;
    int tornLines;
    int references = 1;
    /** A journal write failed: the journal may end in a torn or missing line, which no record may follow. */
    boolean broken;

    private Shared(Path dir, Path real, Clock clock, ZoneId zone, int compactEvery, LedgerKey key) {
      this.dir = dir;
      this.real = real;
      this.clock = clock;
      this.zone = zone;
      this.compactEvery = compactEvery;
      this.key = key;
    }

    static Shared open(Path dir, Path real, Clock clock, ZoneId zone, int compactEvery, LedgerKey key)
        throws IOException {
      Shared s = new Shared(dir, real, clock, zone, compactEvery, key);
      Path lockFile = dir.resolve("ledger.lock");
      if (Files.isSymbolicLink(lockFile)) {
        throw new IOException("ledger.lock in the ledger directory " + dir.toAbsolutePath() + " is a symbolic link; "
            + "Tollgate never follows links in ledger.dir (remove it)");
      }
      s.lockChannel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), LedgerFiles.ownerOnly(lockFile));
      try {
        LedgerFiles.restrict(lockFile);
        s.lock = s.lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        s.lock = null; // cannot happen: this JVM's opens share one Shared
      } catch (IOException e) {
        s.lockChannel.close();
        throw e;
      }
      if (s.lock == null) {
        s.lockChannel.close();
        throw new InUseException("the Tollgate ledger in " + dir.toAbsolutePath() + " is in use by another JVM; "
            + "each JVM needs its own ledger.dir");
      }
      try {
        s.load();
        s.compact();
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    }

    void record(Key key, long nanos, long tokens) {
      totals.merge(key, new Totals(nanos, tokens), (a, b) -> a.plus(b.nanos(), b.tokens()));
      append(key, String.valueOf(nanos), String.valueOf(tokens));
    }

    void reset(Key key) {
      totals.remove(key);
      append(key, RESET, RESET);
    }

    /**
     * Journals the change just made to the totals; after a failed write, a compaction instead (its snapshot holds the
     * change, and appends go on in a fresh journal): the next line's code counts the lost line, so it would not verify.
     */
    private void append(Key key, String nanos, String tokens) {
      try {
        if (broken) {
          compact();
          broken = false;
          return;
        }
        ByteBuffer line = ByteBuffer.wrap(journalLine(key, nanos, tokens).getBytes(StandardCharsets.UTF_8));
        try {
          while (line.hasRemaining()) {
            journal.write(line);
          }
        } catch (IOException e) {
          broken = true;
          throw e;
        }
        if (++sinceCompaction >= compactEvery) {
          compact();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the Tollgate ledger in " + dir, e);
      }
    }

    void compact() throws IOException {
      long covered = generation;
      Path nextFile = dir.resolve(journalName(covered + 1));
      FileChannel next = LedgerFiles.createNew(nextFile, StandardOpenOption.APPEND);
      FileChannel previous = journal;
      journal = next;
      generation = covered + 1;
      lineNumber = 0;
      sinceCompaction = 0;
      if (previous != null) {
        previous.close();
      }
      prune();
      StringBuilder text = new StringBuilder(SNAPSHOT_HEADER).append(covered).append('\n');
      List<String> lines = new ArrayList<>();
      totals.forEach((k, t) -> lines.add(body(k, t.nanos(), t.tokens())));
      lines.sort(null);
      lines.forEach(l -> text.append(l).append('\n'));
      String code = key.code("snapshot\n" + text);
      text.append(SNAPSHOT_CODE).append(code).append('\n');
      Path tmp = dir.resolve(SNAPSHOT + ".tmp");
      Files.deleteIfExists(tmp); // a leftover (or a planted link): deleting never follows it
      try (FileChannel out = LedgerFiles.createNew(tmp)) {
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

    void close() {
      try {
        if (journal != null) {
          journal.close();
        }
      } catch (IOException ignored) {
        // nothing buffered: every record was written when it was made
      }
      try {
        if (lock != null) {
          lock.release();
        }
      } catch (IOException ignored) {
        // closing the channel releases it too
      }
      try {
        lockChannel.close();
      } catch (IOException ignored) {
        // the OS releases the lock when the process ends
      }
    }

    // ---- loading -------------------------------------------------------------------------------------------

    private void load() throws IOException {
      long snapshotGen = 0;
      Path snapshot = dir.resolve(SNAPSHOT);
      if (Files.exists(snapshot, LinkOption.NOFOLLOW_LINKS)) {
        snapshotGen = loadSnapshot(snapshot);
      }
      long last = snapshotGen;
      for (long gen : journalGenerations()) {
        if (gen > snapshotGen) {
          Path file = dir.resolve(journalName(gen));
          replayJournal(file, gen, new String(LedgerFiles.read(file, MAX_FILE_BYTES), StandardCharsets.UTF_8));
          LedgerFiles.restrict(file);
        }
        last = Math.max(last, gen);
      }
      generation = last;
    }

    private long loadSnapshot(Path snapshot) throws IOException {
      String text = new String(LedgerFiles.read(snapshot, MAX_FILE_BYTES), StandardCharsets.UTF_8);
      String where = "ledger snapshot " + snapshot.toAbsolutePath();
      if (!text.startsWith(SNAPSHOT_HEADER)) {
        throw new IOException(where + ":1: not a Tollgate ledger snapshot of this version (expected \""
            + SNAPSHOT_HEADER + "N\"; a snapshot of an earlier version has no authentication: move the directory "
            + "aside to start afresh)");
      }
      int codeAt = text.lastIndexOf("\n" + SNAPSHOT_CODE);
      if (codeAt < 0 || !text.endsWith("\n")) {
        throw new IOException(where + ": the snapshot has no authentication code (it was cut short or edited)");
      }
      String signed = text.substring(0, codeAt + 1);
      String code = text.substring(codeAt + 1 + SNAPSHOT_CODE.length(), text.length() - 1);
      if (!key.verify("snapshot\n" + signed, code)) {
        throw new IOException(where + ": the snapshot's authentication code does not match: it was changed, or "
            + "written with another ledger key; Tollgate does not load it (move the directory aside to start "
            + "afresh, losing this period's spend)");
      }
      String[] lines = signed.split("\n", -1);
      long gen;
      try {
        gen = Long.parseLong(lines[0].substring(SNAPSHOT_HEADER.length()));
      } catch (NumberFormatException e) {
        throw new IOException(where + ":1: the generation is not a number");
      }
      for (int i = 1; i < lines.length - 1; i++) {
        String problem = apply(lines[i]);
        if (problem != null) {
          throw new IOException(where + ":" + (i + 1) + ": " + problem);
        }
      }
      LedgerFiles.restrict(snapshot);
      return gen;
    }

    private void replayJournal(Path file, long gen, String text) throws IOException {
      int start = 0;
      long number = 0;
      while (start < text.length()) {
        int end = text.indexOf('\n', start);
        if (end < 0) {
          tornLines++;
          return;
        }
        String line = text.substring(start, end);
        start = end + 1;
        number++;
        int lastTab = line.lastIndexOf('\t');
        String where = "ledger journal " + file.toAbsolutePath() + ":" + number + ": ";
        if (lastTab < 0) {
          throw new IOException(where + "not a ledger record");
        }
        String body = line.substring(0, lastTab);
        if (!key.verify(journalData(gen, number - 1, body), line.substring(lastTab + 1))) {
          throw new IOException(where + "the record's authentication code does not match: it was forged, changed or "
              + "moved, or written with another ledger key; Tollgate does not load it");
        }
        String problem = apply(body);
        if (problem != null) {
          throw new IOException(where + problem);
        }
      }
    }

    /** Adds one record body to the totals; the problem with it, or null. */
    private String apply(String body) {
      String[] f = body.split("\t", -1);
      if (f.length != 5) {
        return "a record has 5 fields, this one " + f.length;
      }
      long nanos;
      long tokens;
      boolean reset = f[3].equals(RESET) && f[4].equals(RESET);
      try {
        nanos = reset ? 0 : Long.parseLong(f[3]);
        tokens = reset ? 0 : Long.parseLong(f[4]);
      } catch (NumberFormatException e) {
        return "the amounts are not whole numbers";
      }
      if (nanos < 0 || nanos > MAX_NANOS || tokens < 0 || tokens > MAX_TOKENS) {
        return "the amounts are out of range (" + nanos + " nano-USD, " + tokens + " tokens)";
      }
      Key key;
      try {
        key = new Key(unescape(f[0]), f[1].isEmpty() ? null : unescape(f[1].substring(1)), unescape(f[2]));
      } catch (RuntimeException e) {
        return "a name is not escaped correctly";
      }
      if (reset) {
        totals.remove(key);
        return null;
      }
      Totals sum = totals.getOrDefault(key, Totals.ZERO);
      if (sum.nanos() > MAX_NANOS - nanos || sum.tokens() > MAX_TOKENS - tokens) {
        return "the totals would go beyond " + MAX_NANOS + " nano-USD or " + MAX_TOKENS + " tokens";
      }
      totals.put(key, new Totals(sum.nanos() + nanos, sum.tokens() + tokens));
      return null;
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

    private void prune() {
      LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
      String oldestDay = today.minusDays(1).toString();
      String oldestMonth = Periods.month(today.minusMonths(1));
      totals.keySet().removeIf(k -> {
        String p = k.period();
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

    private String journalLine(Key k, String nanos, String tokens) {
      String body = body(k, nanos, tokens);
      return body + '\t' + key.code(journalData(generation, lineNumber++, body)) + '\n';
    }
  }

  // ---- line format -----------------------------------------------------------------------------------------

  static String journalName(long gen) {
    // not String.format: its first use (Formatter, its pattern, the locale's symbols) is ~5 ms of premain's path
    String digits = Long.toString(gen);
    return "journal-" + "0".repeat(Math.max(0, 12 - digits.length())) + digits + ".log";
  }

  /** What a journal line's code covers: its journal and position as well as its text, so it cannot be moved. */
  private static String journalData(long gen, long index, String body) {
    return "journal\n" + gen + "\n" + index + "\n" + body;
  }

  private static String body(Key key, Object nanos, Object tokens) {
    return escape(key.budget()) + '\t' + (key.partition() == null ? "" : "=" + escape(key.partition())) + '\t'
        + escape(key.period()) + '\t' + nanos + '\t' + tokens;
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
