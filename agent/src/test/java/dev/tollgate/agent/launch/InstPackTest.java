package dev.tollgate.agent.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.installer.InstPackWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's classes and resources in one stored jar entry: every entry the writer packs is found by its name and
 * read back byte for byte, whether the writer deflated it or kept it as it was; names it did not pack are not
 * found (whatever their hash); a damaged pack is an error naming the jar; the agent's class loader defines
 * classes and serves resources (streams and URLs, so {@code ServiceLoader} works) from it.
 */
class InstPackTest {
  @TempDir Path dir;

  @Test
  void everyEntryReadsBackAsWrittenAndOthersAreNotFound() throws IOException {
    Random random = new Random(42);
    List<String> names = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 3000; i++) { // enough for collisions in the table
      names.add("p" + (i % 17) + "/C" + i + ".class");
      byte[] b = new byte[random.nextInt(3000)];
      if (i % 3 == 0) {
        random.nextBytes(b); // does not deflate: kept as it was
      } else {
        java.util.Arrays.fill(b, (byte) i); // deflates
      }
      contents.add(b);
    }
    names.add("META-INF/services/x.Y");
    contents.add("a.B\n".getBytes(StandardCharsets.UTF_8));
    names.add("Aa");
    contents.add(new byte[] {1});
    names.add("BB");
    contents.add(new byte[] {2});
    names.add("empty");
    contents.add(new byte[0]);
    names.add("dir/ünïcode-name.txt");
    contents.add("ü".getBytes(StandardCharsets.UTF_8));
    try (JarFile jar = jarWith(pack(names, contents), true)) {
      InstPack pack = InstPack.open(jar);
      assertTrue(pack.readsTheFile(), "a stored pack is read at its offset in the jar file");
      for (int i = 0; i < names.size(); i++) {
        int record = pack.find(names.get(i));
        assertTrue(record >= 0, names.get(i));
        assertArrayEquals(contents.get(i), pack.read(record), names.get(i));
      }
      assertEquals(-1, pack.find("p0/C1.class")); // C1 is in p1
      assertEquals(-1, pack.find("nope"));
      assertEquals(-1, pack.find(""));
      assertEquals(-1, pack.find("META-INF/services/x.Z"));
      assertEquals("Aa".hashCode(), "C#".hashCode());
      assertTrue(pack.find("Aa") >= 0 && pack.find("BB") >= 0);
      assertEquals(-1, pack.find("C#"), "same hash as two packed names, not packed");
    }
  }

  @Property(tries = 50)
  void anyDistinctNamesAreFoundAndTheirBytesRead(
      @ForAll @Size(min = 1, max = 40) @UniqueElements List<@Size(max = 30) String> names) throws IOException {
    List<byte[]> contents = new ArrayList<>();
    for (String n : names) {
      contents.add((n + n + n).getBytes(StandardCharsets.UTF_8));
    }
    Path root = Files.createTempDirectory("pack");
    Path path = root.resolve("agent.jar");
    writeJar(path, pack(names, contents), true);
    try (JarFile jar = new JarFile(path.toFile(), false)) {
      InstPack pack = InstPack.open(jar);
      for (int i = 0; i < names.size(); i++) {
        int record = pack.find(names.get(i));
        assertTrue(record >= 0, names.get(i));
        assertArrayEquals(contents.get(i), pack.read(record));
      }
      assertEquals(-1, pack.find(String.join("/", names) + "/not-packed"));
    } finally {
      Files.delete(path);
      Files.delete(root);
    }
  }

  /**
   * The pack inflates every entry with one inflater (class loads on the app's threads and the agent's own run at
   * once): any number of threads reading any mix of entries, deflated and stored, each gets its own entry's bytes.
   */
  @Property(tries = 20)
  void threadsReadingAtOnceEachGetTheirEntrysBytes(@ForAll @IntRange(min = 2, max = 8) int threads,
      @ForAll @IntRange(min = 1, max = 60) int entries, @ForAll long seed) throws Exception {
    Random random = new Random(seed);
    List<String> names = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      names.add("p/E" + i + ".class");
      byte[] b = new byte[random.nextInt(20_000)];
      if (random.nextBoolean()) {
        random.nextBytes(b); // kept as it was
      } else {
        java.util.Arrays.fill(b, (byte) i); // deflated
      }
      contents.add(b);
    }
    Path root = Files.createTempDirectory("pack"); // (jqwik runs no JUnit @TempDir)
    Path path = root.resolve("agent.jar");
    writeJar(path, pack(names, contents), true);
    try (JarFile jar = new JarFile(path.toFile(), false)) {
      InstPack pack = InstPack.open(jar);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int first = t;
          done.add(pool.submit(() -> {
            go.await();
            for (int round = 0; round < 3; round++) {
              for (int k = 0; k < entries; k++) {
                int i = (first + k * (first + 1)) % entries;
                assertArrayEquals(contents.get(i), pack.read(pack.find(names.get(i))), names.get(i));
              }
            }
            return null;
          }));
        }
        go.countDown();
        for (java.util.concurrent.Future<?> f : done) {
          f.get(); // rethrows a thread's failed assertion
        }
      } finally {
        pool.shutdownNow();
      }
    } finally {
      Files.delete(path);
      Files.delete(root);
    }
  }

  @Test
  void aPackTheJarDeflatedStillReads() throws IOException {
    try (JarFile jar = jarWith(pack(List.of("a", "b/c.class"), List.of(new byte[] {1, 2}, new byte[500])), false)) {
      InstPack pack = InstPack.open(jar);
      assertFalse(pack.readsTheFile(), "a deflated jar entry has no offset of its bytes: read through its stream");
      assertArrayEquals(new byte[500], pack.read(pack.find("b/c.class")));
      assertArrayEquals(new byte[] {1, 2}, pack.read(pack.find("a")));
    }
  }

  /**
   * The pack found in a jar whose pack is neither first nor last and which has a comment, through the zip's end
   * record; read on an interrupted thread (any app thread may load an agent class), which neither fails nor spoils
   * later reads, and leaves the thread interrupted.
   */
  @Test
  void aStoredPackIsFoundInAnyJarAndReadOnAnInterruptedThread() throws IOException {
    byte[] pack = pack(List.of("a", "b/c.class"), List.of(new byte[] {1, 2}, new byte[500]));
    Path path = dir.resolve("commented.jar");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(path))) {
      out.setComment("a comment \u0050\u004b\u0005\u0006 with the end record's signature in it");
      out.putNextEntry(new ZipEntry("first.txt"));
      out.write(new byte[3000]);
      ZipEntry entry = storedPackEntry(pack);
      entry.setExtra(new byte[] {(byte) 0xfe, (byte) 0xca, 2, 0, 7, 7}); // an extra field in the local header
      out.putNextEntry(entry);
      out.write(pack);
      out.putNextEntry(new ZipEntry("last.txt"));
      out.write(new byte[10]);
    }
    try (JarFile jar = new JarFile(path.toFile(), false)) {
      InstPack p = InstPack.open(jar);
      assertTrue(p.readsTheFile());
      Thread.currentThread().interrupt();
      try {
        assertArrayEquals(new byte[500], p.read(p.find("b/c.class")));
        assertTrue(Thread.currentThread().isInterrupted());
      } finally {
        Thread.interrupted();
      }
      assertArrayEquals(new byte[] {1, 2}, p.read(p.find("a")));
    }
  }

  /** Entries the writer is told to keep raw are not deflated, however well they would deflate; they read back. */
  @Test
  void entriesKeptRawAreStoredAsTheyAre() throws IOException {
    List<String> names = List.of("raw/A.class", "other/B.class");
    List<byte[]> contents = List.of(new byte[40_000], new byte[40_000]);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InstPackWriter.write(names, contents, out, n -> n.startsWith("raw/"));
    byte[] bytes = out.toByteArray();
    assertTrue(bytes.length > 40_000 && bytes.length < 41_000, bytes.length + " bytes: one entry raw, one deflated");
    try (JarFile jar = jarWith(bytes, true)) {
      InstPack p = InstPack.open(jar);
      assertArrayEquals(contents.get(0), p.read(p.find("raw/A.class")));
      assertArrayEquals(contents.get(1), p.read(p.find("other/B.class")));
    }
  }

  @Test
  void aDamagedOrMissingPackIsAnErrorNamingTheJar() throws IOException {
    byte[] good = pack(List.of("a"), List.of(new byte[] {1}));
    byte[] badMagic = good.clone();
    badMagic[0] = 'X';
    try (JarFile jar = jarWith(badMagic, true)) {
      IOException e = assertThrows(IOException.class, () -> InstPack.open(jar));
      assertTrue(e.getMessage().contains(jar.getName()) && e.getMessage().contains("bad header"), e.getMessage());
    }
    byte[] truncated = java.util.Arrays.copyOf(good, 20);
    try (JarFile jar = jarWith(truncated, true)) {
      IOException e = assertThrows(IOException.class, () -> InstPack.open(jar));
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
    // a record whose stored length reaches past the pack: an error, not a 2 GB array
    byte[] longRecord = good.clone();
    int slots = InstPack.intAt(good, 4);
    int record = InstPack.intAt(good, InstPack.HEADER) - 1; // the only entry's record, from its slot or the next
    for (int i = 0; record < 0 && i < slots; i++) {
      record = InstPack.intAt(good, InstPack.HEADER + 4 * i) - 1;
    }
    int lengthAt = InstPack.HEADER + record + 6 + 1 + 4; // hash, name length, the name "a", data offset
    longRecord[lengthAt] = 0x7f;
    try (JarFile jar = jarWith(longRecord, true)) {
      InstPack pack = InstPack.open(jar);
      IOException e = assertThrows(IOException.class, () -> pack.read(pack.find("a")));
      assertTrue(e.getMessage().contains(jar.getName()) && e.getMessage().contains("damaged record"), e.getMessage());
    }
    Path plain = dir.resolve("plain.jar");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(plain))) {
      out.putNextEntry(new ZipEntry("x"));
    }
    try (JarFile jar = new JarFile(plain.toFile())) {
      IOException e = assertThrows(IOException.class, () -> InstPack.open(jar));
      assertTrue(e.getMessage().contains("has no inst.pack"), e.getMessage());
    }
  }

  @Test
  void theAgentsLoaderDefinesClassesAndServesResourcesFromThePack() throws Exception {
    String self = "dev/tollgate/agent/launch/InstPackTest$Service.class";
    String impl = "dev/tollgate/agent/launch/InstPackTest$Impl.class";
    String service = "META-INF/services/" + Service.class.getName();
    byte[] serviceFile = (Impl.class.getName() + "\n").getBytes(StandardCharsets.UTF_8);
    List<String> names = List.of(self, impl, service);
    List<byte[]> contents = List.of(classBytes(self), classBytes(impl), serviceFile);
    Path jarPath = dir.resolve("agent.jar");
    writeJar(jarPath, pack(names, contents), true);
    InstClassLoader loader = new InstClassLoader(jarPath.toFile(), ClassLoader.getPlatformClassLoader(), false);
    Class<?> type = loader.loadClass(Service.class.getName());
    assertEquals(loader, type.getClassLoader(), "defined by the agent's loader, not the test's");
    try (InputStream in = loader.getResourceAsStream(service)) {
      assertNotNull(in);
      assertArrayEquals(serviceFile, in.readAllBytes());
    }
    URL url = loader.getResource(service);
    assertNotNull(url);
    assertEquals("tollgate-inst", url.getProtocol());
    try (InputStream in = url.openStream()) {
      assertArrayEquals(serviceFile, in.readAllBytes());
    }
    assertEquals(1, Collections.list(loader.getResources(service)).size());
    assertNull(loader.getResource("not/there.txt"));
    Object found = ServiceLoader.load(type, loader).findFirst().orElseThrow();
    assertEquals(Impl.class.getName(), found.getClass().getName());
    assertEquals(loader, found.getClass().getClassLoader());
  }

  public interface Service {}

  public static final class Impl implements Service {}

  /**
   * The CLI's loader serves the bootstrap classes from the jar's root; the agent's never does, so an agent class that
   * needs one before premain has defined them in the boot loader fails instead of linking a second, private copy.
   */
  @Test
  void onlyTheCliLoaderServesTheBootstrapClassesItself() throws Exception {
    String name = "dev.tollgate.bootstrap.Refusal";
    String resource = name.replace('.', '/') + ".class";
    byte[] bytes = classBytes(resource);
    Path jarPath = dir.resolve("agent-with-bootstrap.jar");
    byte[] pack = pack(List.of(), List.of());
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jarPath))) {
      out.putNextEntry(storedPackEntry(pack));
      out.write(pack);
      out.closeEntry();
      out.putNextEntry(new ZipEntry(resource));
      out.write(bytes);
      out.closeEntry();
    }
    InstClassLoader agent = new InstClassLoader(jarPath.toFile(), ClassLoader.getPlatformClassLoader(), false);
    assertThrows(ClassNotFoundException.class, () -> agent.loadClass(name));
    InstClassLoader cli = new InstClassLoader(jarPath.toFile(), ClassLoader.getPlatformClassLoader(), true);
    assertEquals(cli, cli.loadClass(name).getClassLoader());
  }

  private static byte[] classBytes(String resource) throws IOException {
    try (InputStream in = InstPackTest.class.getClassLoader().getResourceAsStream(resource)) {
      return in.readAllBytes();
    }
  }

  private static byte[] pack(List<String> names, List<byte[]> contents) throws IOException {
    assertEquals(InstPackWriter.MAGIC, InstPack.MAGIC);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InstPackWriter.write(names, contents, out);
    return out.toByteArray();
  }

  private JarFile jarWith(byte[] pack, boolean stored) throws IOException {
    Path path = Files.createTempFile(dir, "agent", ".jar");
    writeJar(path, pack, stored);
    return new JarFile(path.toFile(), false);
  }

  /** The pack's jar entry, stored (not deflated), as the build writes it. */
  private static ZipEntry storedPackEntry(byte[] pack) {
    ZipEntry entry = new ZipEntry(InstPack.ENTRY);
    CRC32 crc = new CRC32();
    crc.update(pack);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(pack.length);
    entry.setCompressedSize(pack.length);
    entry.setCrc(crc.getValue());
    return entry;
  }

  private static void writeJar(Path path, byte[] pack, boolean stored) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(path))) {
      out.putNextEntry(new ZipEntry("dev/tollgate/agent/launch/Launcher.class"));
      out.putNextEntry(stored ? storedPackEntry(pack) : new ZipEntry(InstPack.ENTRY));
      out.write(pack);
      out.closeEntry();
    }
  }
}
