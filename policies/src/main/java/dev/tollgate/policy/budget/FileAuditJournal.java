package dev.tollgate.policy.budget;

import dev.tollgate.policy.store.AuditJournal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The file store's audit journal: {@code audit.log} in the ledger directory (0600, never through a link), appended
 * under an exclusive lock on {@code audit.lock} by the CLI and by running JVMs alike. A last line without its newline
 * (a write cut short) is not a record yet.
 */
public final class FileAuditJournal extends AuditJournal {
  public static final String FILE = "audit.log";
  static final String LOCK = "audit.lock";
  private static final long MAX_BYTES = 64L << 20;
  private static final java.util.concurrent.ConcurrentHashMap<Path, Object> WRITERS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Path file;
  private final Path lockFile;

  private FileAuditJournal(Path dir, LedgerKey key) {
    super(key);
    this.file = dir.resolve(FILE);
    this.lockFile = dir.resolve(LOCK);
  }

  /** The journal in the ledger directory {@code dir}, authenticated with the ledger's key. */
  public static FileAuditJournal open(Path dir, Path keyFile) throws IOException {
    LedgerFiles.prepareDirectory(dir);
    return new FileAuditJournal(dir, LedgerKey.resolve(dir, keyFile, System::getenv));
  }

  @Override
  public String where() {
    return file.toAbsolutePath().toString();
  }

  /**
   * Where this instance's last read ended: the complete lines' count and their bytes, in the file known by
   * {@code readFile} (its file key); -1 before the first read. The journal is only ever appended to (a torn last line
   * is cut before the next append, and it lies past these bytes), so a follower's next read ({@code from} equal to
   * that count) reads only what was appended since, not the whole file at every poll. A file that was replaced or
   * shrank is read whole again.
   */
  private long readCount = -1;
  private long readBytes;
  private Object readFile;

  @Override
  protected synchronized List<String> lines(long from) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      readCount = -1;
      return List.of();
    }
    Object key = fileKey();
    if (from > 0 && from == readCount && key != null && key.equals(readFile)) {
      Read tail = readFrom(readBytes);
      if (tail != null) {
        readCount += tail.lines().size();
        readBytes += tail.bytes();
        return tail.lines();
      }
    }
    Read all = readFrom(0);
    readCount = all.lines().size();
    readBytes = all.bytes();
    readFile = key;
    List<String> lines = all.lines();
    return from >= lines.size() ? List.of() : new ArrayList<>(lines.subList((int) from, lines.size()));
  }

  private Object fileKey() throws IOException {
    return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .fileKey();
  }

  /** Complete lines (each ended by a newline) and their bytes. */
  private record Read(List<String> lines, long bytes) {}

  /**
   * The complete lines from byte {@code offset} on (0: the whole file, at most {@link #MAX_BYTES}); null when the
   * file is now shorter than {@code offset} (replaced or cut: read it whole).
   */
  private Read readFrom(long offset) throws IOException {
    byte[] bytes = LedgerFiles.readFrom(file, offset, MAX_BYTES);
    if (bytes == null) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int end = 0; end < bytes.length; end++) {
      if (bytes[end] == '\n') {
        lines.add(new String(bytes, start, end - start, StandardCharsets.UTF_8));
        start = end + 1;
      }
    }
    return new Read(lines, start);
  }

  @Override
  protected boolean appendIfCount(long count, String line) throws IOException {
    if (Files.isSymbolicLink(lockFile) || Files.isSymbolicLink(file)) {
      throw new IOException("the audit journal in " + file.getParent() + " is a symbolic link; Tollgate never follows "
          + "links in ledger.dir (remove it)");
    }
    // a file lock is held by the whole JVM: threads of one JVM take turns on a monitor first
    Object monitor = WRITERS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new Object());
    synchronized (monitor) {
      return appendLocked(count, line);
    }
  }

  private boolean appendLocked(long count, String line) throws IOException {
    try (FileChannel lockChannel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), LedgerFiles.ownerOnly(lockFile));
        FileLock ignored = lockChannel.lock()) {
      Read now = Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? readFrom(0) : new Read(List.of(), 0);
      if (now.lines().size() != count) {
        return false;
      }
      long completeBytes = now.bytes();
      try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), LedgerFiles.ownerOnly(file))) {
        out.truncate(completeBytes); // a torn last line (a writer killed mid-write) is dropped, not continued
        out.position(completeBytes);
        ByteBuffer bytes = ByteBuffer.wrap((line + '\n').getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(false);
      }
      LedgerFiles.restrict(file);
      return true;
    }
  }
}
