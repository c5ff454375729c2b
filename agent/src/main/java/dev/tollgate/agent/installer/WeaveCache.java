package dev.tollgate.agent.installer;

import static dev.tollgate.agent.installer.TargetIndex.ClassFileHeader.u2;
import static dev.tollgate.agent.installer.TargetIndex.ClassFileHeader.u4;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * What ByteBuddy made of each candidate class on an earlier start, kept on disk so that later starts weave without
 * loading ByteBuddy at all: one file per class, holding everything the outcome depends on — this agent build and its
 * instrumentations ({@link #WeaveCache(Path, String) config}), which instrumentations apply in the class's loader and
 * the class's supertypes (the {@code conditions}), the class's name and its bytes as they were stored — then the woven
 * bytes (or "left as it was") and which instrumentations wove it, for the coverage report and their helper classes. An
 * entry is used only when all of that is what it was stored for (compared whole), so its file name need not be a
 * cryptographic hash: it is a CRC-32C and a CRC-32 of the same inputs (64 bits, the bytes by their length and CRC-32C);
 * two inputs whose checksums collide share a file name, never an outcome.
 *
 * <p>Checksums, not SHA-256 (as the first two formats used): a start hashed every candidate class (1–4 MB), which ran
 * in the interpreter and then had the JIT compile the JDK's SHA-256 (~60 ms of a compiler thread's CPU on the
 * LangChain4j app, measured with async-profiler), and asking the JDK for SHA-256 at all loads its security providers
 * (~28 ms of wall time on premain's second thread, measured the same way), on the path to the gate opening; the JDK's
 * CRC-32C and CRC-32 are intrinsics from the first call and need no provider.
 *
 * <p>The directory is the ledger's own ({@code rwx------}, see {@code LedgerFiles}); entries are written to a
 * temporary file and moved into place, and each ends with a CRC-32C of its content, so a torn or corrupted entry is
 * ignored (and ByteBuddy weaves that class again) rather than defined. (Neither checksum nor hash keeps out someone
 * who may write to the directory, which is why a directory others may write to is not used at all: see
 * {@link #unsafe}.) A cache that cannot be read or written is never an error of the app's: the class is woven as if
 * there were none.
 */
final class WeaveCache {
  private static final int MAGIC = 0x54475743; // "TGWC"
  private static final int FORMAT = 3;

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
    // File.list, not a glob directory stream: this runs in premain, and the glob's matcher spins lambda classes
    String[] names;
    try {
      names = dir.toFile().list();
    } catch (RuntimeException e) { // not the default file system
      return false;
    }
    if (names != null) {
      for (String name : names) {
        if (name.endsWith(".config")) {
          return true;
        }
      }
    }
    return false;
  }

  private String configId() {
    CRC32C a = new CRC32C();
    CRC32 b = new CRC32();
    a.update(config);
    b.update(config);
    return hex(a.getValue(), b.getValue());
  }

  /**
   * The file name of a class's entry: {@code conditions} says which instrumentations apply in its loader and what its
   * supertypes are. The entry itself holds all of these and is compared with them whole ({@link #decode}).
   */
  String key(String conditions, String className, byte[] classfile) {
    CRC32C a = new CRC32C();
    CRC32 b = new CRC32();
    byte[] sizeAndSum = ByteBuffer.allocate(8).putInt(classfile.length).putInt(crc32c(classfile, classfile.length))
        .array();
    for (byte[] part : new byte[][] {config, conditions.getBytes(StandardCharsets.UTF_8),
        className.getBytes(StandardCharsets.UTF_8), sizeAndSum}) {
      a.update(part);
      a.update(0);
      b.update(part);
      b.update(0);
    }
    return hex(a.getValue(), b.getValue());
  }

  private static String hex(long crc32c, long crc32) {
    HexFormat hex = HexFormat.of();
    return hex.toHexDigits((int) crc32c) + hex.toHexDigits((int) crc32);
  }

  private static int crc32c(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  /** A stored outcome: the woven bytes (null: left as it was) and the instrumentations that wove it. */
  record Entry(byte[] woven, List<String> wovenBy) {}

  /**
   * The entry stored under {@code key} for these bytes of {@code className}, or null (none, unreadable, corrupted,
   * another class, other bytes, another agent build or other conditions).
   */
  Entry find(String key, String conditions, String className, byte[] classfile) {
    byte[] file;
    try {
      file = Files.readAllBytes(dir.resolve(key + ".woven"));
    } catch (IOException | RuntimeException e) {
      return null; // none (NoSuchFileException) or unreadable: woven as if there were no cache
    }
    return decode(file, config, conditions, className, classfile);
  }

  /**
   * The outcome a file holds if it was stored for exactly these inputs (and is whole), else null. Read in place, not
   * through a {@code DataInputStream}: that copied the stored class bytes (up to ~100 kB) only to compare them, and its
   * first {@code readInt} sets up the JDK's {@code ByteArray} var handles, on the loading app thread (~2 ms per
   * LangChain4j start in async-profiler, docs/benchmarks.md, "Start-up, twentieth pass"). The layout is
   * {@link #encode}'s.
   */
  static Entry decode(byte[] file, byte[] config, String conditions, String className, byte[] classfile) {
    if (file.length < 4) {
      return null;
    }
    int body = file.length - 4;
    if (crc32c(file, body) != u4(file, body)) {
      return null;
    }
    try {
      if (body < 8 || u4(file, 0) != MAGIC || u4(file, 4) != FORMAT) {
        return null;
      }
      int p = same(file, 8, body, config);
      p = p < 0 ? p : same(file, p, body, conditions.getBytes(StandardCharsets.UTF_8));
      if (p < 0 || p + 2 > body) {
        return null;
      }
      int nameLength = u2(file, p);
      p += 2;
      if (p + nameLength > body || !utf(file, p, nameLength).equals(className)) {
        return null;
      }
      p = same(file, p + nameLength, body, classfile);
      if (p < 0 || p + 4 > body) {
        return null;
      }
      int n = u4(file, p);
      p += 4;
      if (n < 0 || n > body) {
        return null;
      }
      List<String> by = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (p + 2 > body) {
          return null;
        }
        int length = u2(file, p);
        p += 2;
        if (p + length > body) {
          return null;
        }
        by.add(utf(file, p, length));
        p += length;
      }
      if (p + 4 > body) {
        return null;
      }
      int length = u4(file, p);
      p += 4;
      if (length < -1 || (length >= 0 && p + length != body) || (length < 0 && p != body)) {
        return null;
      }
      byte[] woven = length < 0 ? null : Arrays.copyOfRange(file, p, p + length);
      return new Entry(woven, List.copyOf(by));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Where the file goes on after {@code expected}, stored as its length (4 bytes) and its bytes at {@code p}, or -1
   * when something else is stored there (or the file ends before {@code end}).
   */
  private static int same(byte[] file, int p, int end, byte[] expected) {
    if (p + 4 > end || u4(file, p) != expected.length || p + 4 + expected.length > end
        || !Arrays.equals(file, p + 4, p + 4 + expected.length, expected, 0, expected.length)) {
      return -1;
    }
    return p + 4 + expected.length;
  }

  /** A string {@code DataOutputStream.writeUTF} wrote ({@code length} bytes at {@code p}, after its length). */
  private static String utf(byte[] b, int p, int length) throws IOException {
    for (int i = p; i < p + length; i++) {
      if (b[i] < 0) { // not ASCII (never, for class and module names): the JDK's modified UTF-8 reader
        byte[] framed = new byte[2 + length];
        framed[0] = (byte) (length >>> 8);
        framed[1] = (byte) length;
        System.arraycopy(b, p, framed, 2, length);
        return DataInputStream.readUTF(new DataInputStream(new java.io.ByteArrayInputStream(framed)));
      }
    }
    return new String(b, p, length, StandardCharsets.ISO_8859_1);
  }

  static byte[] encode(byte[] config, String conditions, String className, byte[] classfile, Entry entry) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeInt(config.length);
      out.write(config);
      byte[] conditionBytes = conditions.getBytes(StandardCharsets.UTF_8);
      out.writeInt(conditionBytes.length);
      out.write(conditionBytes);
      out.writeUTF(className);
      out.writeInt(classfile.length);
      out.write(classfile);
      out.writeInt(entry.wovenBy().size());
      for (String s : entry.wovenBy()) {
        out.writeUTF(s);
      }
      out.writeInt(entry.woven() == null ? -1 : entry.woven().length);
      if (entry.woven() != null) {
        out.write(entry.woven());
      }
      out.writeInt(crc32c(bytes.toByteArray(), bytes.size()));
    } catch (IOException e) {
      throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Stores an outcome; a failure (full disk, read-only directory) is reported once and the cache then only reads.
   */
  void store(String key, String conditions, String className, byte[] classfile, Entry entry) {
    if (!writable) {
      return;
    }
    try {
      createDirectory();
      put(key + ".woven", encode(config, conditions, className, classfile, entry));
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
      view.setPermissions(PosixFilePermissions.fromString("rwx------")); // here, not in a constant: premain makes
      // this class, and the permissions' parse sets up EnumSet's class data on its thread (~0.5 ms per start)
    }
  }
}
