package dev.tollgate.agent.installer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * What ByteBuddy made of each candidate class on an earlier start, kept on disk so that later starts weave without
 * loading ByteBuddy at all: one file per class, named by a SHA-256 of everything the outcome depends on — this agent
 * build and its instrumentations ({@link #WeaveCache(Path, String) config}), which instrumentations apply in the
 * class's loader, the class's name and its bytes. The file holds the woven bytes (or "left as it was") and which
 * instrumentations wove it, for the coverage report and their helper classes.
 *
 * <p>The directory is the ledger's own ({@code rwx------}, see {@code LedgerFiles}); entries are written to a
 * temporary file and moved into place, and each ends with a SHA-256 of its content, so a torn or altered entry is
 * ignored (and ByteBuddy weaves that class again) rather than defined. A cache that cannot be read or written is
 * never an error of the app's: the class is woven as if there were none.
 */
final class WeaveCache {
  private static final int MAGIC = 0x54475743; // "TGWC"
  private static final int FORMAT = 1;
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

  private final Path dir;
  private final byte[] config;
  private volatile boolean writable = true;
  private volatile boolean configWritten;

  /** {@code config}: this agent build and the instrumentations it weaves (see {@link #configOf}). */
  WeaveCache(Path dir, String config) {
    this.dir = dir;
    this.config = config.getBytes(StandardCharsets.UTF_8);
  }

  Path dir() {
    return dir;
  }

  /** The agent build, JVM and instrumentation set an entry is valid for. */
  static String configOf(String agentBuild, List<String> instrumentations) {
    return "agent=" + agentBuild + "\njvm=" + System.getProperty("java.vm.vendor") + " "
        + System.getProperty("java.vm.version") + "\ninstrumentations=" + String.join(",", instrumentations);
  }

  /**
   * Why the directory must not be used (writable by others, or owned by another user), or null: it may (or does not
   * exist yet; it is then made {@code rwx------}).
   */
  static String unsafe(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        return null;
      }
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
      if (view == null) {
        return null; // not POSIX: the directory's ACLs are the operator's
      }
      var attributes = view.readAttributes();
      Set<PosixFilePermission> p = attributes.permissions();
      if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
        return "others may write to it (" + PosixFilePermissions.toString(p) + "); make it rwx------";
      }
      String user = System.getProperty("user.name");
      if (user != null && !attributes.owner().getName().equals(user)) {
        return "it is owned by " + attributes.owner().getName() + ", not by " + user;
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "cannot read its permissions: " + e;
    }
  }

  /**
   * Whether an earlier start with this configuration stored entries here (then ByteBuddy need not be set up front):
   * the first entry stored also writes {@code <config digest>.config}, holding the configuration as text. With an
   * empty configuration: whether any start stored entries here.
   */
  boolean warm() {
    if (config.length > 0) {
      return Files.isRegularFile(dir.resolve(configId() + ".config"));
    }
    try (var entries = Files.newDirectoryStream(dir, "*.config")) {
      return entries.iterator().hasNext();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private String configId() {
    return HexFormat.of().formatHex(sha256().digest(config), 0, 16);
  }

  /** The key of a class: {@code loaderConditions} says which instrumentations apply in its loader. */
  String key(String loaderConditions, String className, byte[] classfile) {
    MessageDigest sha = sha256();
    sha.update(config);
    sha.update((byte) 0);
    sha.update(loaderConditions.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(className.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(classfile);
    return HexFormat.of().formatHex(sha.digest());
  }

  /** A stored outcome: the woven bytes (null: left as it was) and the instrumentations that wove it. */
  record Entry(byte[] woven, List<String> wovenBy) {}

  /** The entry stored under {@code key} for {@code className}, or null (none, unreadable, altered, another class). */
  Entry find(String key, String className) {
    byte[] file;
    try {
      file = Files.readAllBytes(dir.resolve(key + ".woven"));
    } catch (IOException | RuntimeException e) {
      return null; // none (NoSuchFileException) or unreadable: woven as if there were no cache
    }
    return decode(file, className);
  }

  static Entry decode(byte[] file, String className) {
    if (file.length < 32) {
      return null;
    }
    byte[] body = Arrays.copyOf(file, file.length - 32);
    if (!MessageDigest.isEqual(sha256().digest(body), Arrays.copyOfRange(file, file.length - 32, file.length))) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
      if (in.readInt() != MAGIC || in.readInt() != FORMAT || !in.readUTF().equals(className)) {
        return null;
      }
      int n = in.readInt();
      List<String> by = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        by.add(in.readUTF());
      }
      int length = in.readInt();
      byte[] woven = length < 0 ? null : in.readNBytes(length);
      if (woven != null && woven.length != length) {
        return null;
      }
      return new Entry(woven, List.copyOf(by));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static byte[] encode(String className, Entry entry) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeUTF(className);
      out.writeInt(entry.wovenBy().size());
      for (String s : entry.wovenBy()) {
        out.writeUTF(s);
      }
      out.writeInt(entry.woven() == null ? -1 : entry.woven().length);
      if (entry.woven() != null) {
        out.write(entry.woven());
      }
      out.write(sha256().digest(bytes.toByteArray()));
    } catch (IOException e) {
      throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Stores an outcome; a failure (full disk, read-only directory) is reported once and the cache then only reads.
   */
  void store(String key, String className, Entry entry) {
    if (!writable) {
      return;
    }
    try {
      createDirectory();
      put(key + ".woven", encode(className, entry));
      if (!configWritten) {
        put(configId() + ".config", config);
        configWritten = true;
      }
    } catch (IOException | RuntimeException e) {
      writable = false;
      System.err.println("[tollgate] WARNING cannot write the weave cache " + dir.toAbsolutePath() + " (" + e
          + "): later starts load ByteBuddy to weave again");
    }
  }

  /** Writes a file of the directory whole or not at all. */
  private void put(String name, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(dir, "entry", ".tmp"); // rw------- on POSIX
    try {
      Files.write(tmp, content);
      try {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void createDirectory() throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir);
    PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
    if (view != null) {
      view.setPermissions(DIR);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
