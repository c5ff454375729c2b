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

  @Override
  protected List<String> lines(long from) throws IOException {
    List<String> all = complete();
    return from >= all.size() ? List.of() : new ArrayList<>(all.subList((int) from, all.size()));
  }

  private List<String> complete() throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    String text = new String(LedgerFiles.read(file, MAX_BYTES), StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      lines.add(text.substring(start, end));
      start = end + 1;
    }
    return lines;
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
      List<String> lines = complete();
      if (lines.size() != count) {
        return false;
      }
      long completeBytes = 0;
      for (String l : lines) {
        completeBytes += l.getBytes(StandardCharsets.UTF_8).length + 1;
      }
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
