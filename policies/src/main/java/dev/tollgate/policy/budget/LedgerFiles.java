package dev.tollgate.policy.budget;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashSet;
import java.util.Set;

/**
 * How the ledger touches its directory: never through a symbolic link ({@link LinkOption#NOFOLLOW_LINKS} on every
 * open), files created 0600 and the directory 0700 where the file system has POSIX permissions, and reads bounded.
 */
final class LedgerFiles {
  private LedgerFiles() {}

  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

  /**
   * Creates {@code dir} (0700) when missing; refuses a symbolic link or a directory owned by someone else; takes
   * group and other permissions away from a directory that holds only ledger files, and refuses one that holds
   * other files too (the app's own directory, say) rather than change its permissions.
   */
  static void prepareDirectory(Path dir) throws IOException {
    if (Files.isSymbolicLink(dir)) {
      throw new IOException("the ledger directory " + dir.toAbsolutePath() + " is a symbolic link; give its real path "
          + "(Tollgate never follows links in ledger.dir)");
    }
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (posix(dir.toAbsolutePath().getParent())) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
      } else {
        Files.createDirectories(dir);
      }
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("the ledger directory " + dir.toAbsolutePath() + " is not a directory");
    }
    PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return;
    }
    UserPrincipal owner = view.getOwner();
    UserPrincipal me = currentUser(dir);
    if (me != null && !owner.equals(me)) {
      throw new IOException("the ledger directory " + dir.toAbsolutePath() + " is owned by " + owner.getName()
          + ", not by " + me.getName() + " who runs this JVM; give each user their own ledger.dir");
    }
    if (!view.readAttributes().permissions().equals(DIR)) {
      // tighten a directory of our own; never change the permissions of one the app shares with other files
      if (!holdsOnlyLedgerFiles(dir)) {
        throw new IOException("the ledger directory " + dir.toAbsolutePath() + " may be read by others ("
            + PosixFilePermissions.toString(view.readAttributes().permissions()) + ") and holds other files; give the "
            + "ledger a directory of its own (Tollgate makes it rwx------)");
      }
      view.setPermissions(DIR);
    }
  }

  /** True when every entry of {@code dir} is a file the ledger writes. */
  private static boolean holdsOnlyLedgerFiles(Path dir) throws IOException {
    try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!(name.startsWith("journal-") && name.endsWith(".log") || name.equals("snapshot")
            || name.equals("snapshot.tmp") || name.equals("ledger.lock") || name.equals(LedgerKey.DEFAULT_FILE)
            || name.equals(FileAuditJournal.FILE) || name.equals(FileAuditJournal.LOCK)
            || name.equals("weave-cache"))) { // the agent's (see ConfigKey.WEAVE_CACHE)
          return false;
        }
      }
    }
    return true;
  }

  /** The user running this JVM, as the file system names it; null when it cannot say. */
  private static UserPrincipal currentUser(Path dir) {
    try {
      return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(
          System.getProperty("user.name"));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  static boolean posix(Path path) {
    return path != null && path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The attribute that creates a file 0600 (none where the file system has no POSIX permissions). */
  static FileAttribute<?>[] ownerOnly(Path file) {
    return posix(file) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
  }

  /** The file's POSIX permissions, without following a link; null where there are none. */
  static Set<PosixFilePermission> permissions(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    return view == null ? null : view.readAttributes().permissions();
  }

  /** Takes group and other permissions away from an existing ledger file. */
  static void restrict(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (view != null && !view.readAttributes().permissions().equals(FILE)) {
      view.setPermissions(new HashSet<>(FILE));
    }
  }

  /** Opens for writing: {@code CREATE_NEW}, never through a link, 0600. */
  static FileChannel createNew(Path file, StandardOpenOption... more) throws IOException {
    Set<java.nio.file.OpenOption> options = new HashSet<>(Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
    options.addAll(Set.of(more));
    return FileChannel.open(file, options, ownerOnly(file));
  }

  /**
   * Reads a regular file from byte {@code offset} to its end, at most {@code max} bytes of it, never through a link;
   * null when the file is shorter than {@code offset}.
   */
  static byte[] readFrom(Path file, long offset, long max) throws IOException {
    regular(file);
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = in.size();
      if (size < offset) {
        return null;
      }
      if (size - offset > max) {
        throw new IOException(file.getFileName() + " in the ledger directory " + (offset == 0
            ? "is larger than " + max + " bytes" : "grew by more than " + max + " bytes since it was last read"));
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) (size - offset));
      in.position(offset);
      while (buffer.hasRemaining() && in.read(buffer) >= 0) {
        // read on
      }
      byte[] bytes = new byte[buffer.position()];
      buffer.flip().get(bytes);
      return bytes;
    } catch (FileSystemException e) {
      throw new IOException(file.getFileName() + " in the ledger directory cannot be opened without following a link "
          + "(" + e.getReason() + ")", e);
    }
  }

  private static void regular(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(file.getFileName() + " in the ledger directory is a symbolic link; Tollgate never follows "
          + "links in ledger.dir (remove it)");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(file.getFileName() + " in the ledger directory is not a regular file");
    }
  }

  /** Reads a whole regular file of at most {@code max} bytes, never through a link. */
  static byte[] read(Path file, long max) throws IOException {
    return readFrom(file, 0, max);
  }
}
