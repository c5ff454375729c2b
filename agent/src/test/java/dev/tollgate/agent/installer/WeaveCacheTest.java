package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.bootstrap.Guard;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeaveCacheTest {
  private static final byte[] ORIGINAL = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61};
  private static final byte[] CONFIG = "agent=1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final byte[] WOVEN = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 42};

  @TempDir
  Path dir;

  @Test
  void aStoredOutcomeIsFoundByTheNextStartAndMarksTheCacheWarm() throws IOException {
    WeaveCache first = new WeaveCache(dir.resolve("weave-cache"), "agent=1");
    assertFalse(first.warm());
    String key = first.key("10", "a/B", ORIGINAL);
    first.store(key, "10", "a/B", ORIGINAL, new WeaveCache.Entry(WOVEN, List.of("langchain4j|tool dispatch")));
    first.store(first.key("10", "a/C", ORIGINAL), "10", "a/C", ORIGINAL, new WeaveCache.Entry(null, List.of()));

    WeaveCache next = new WeaveCache(dir.resolve("weave-cache"), "agent=1");
    assertTrue(next.warm());
    assertFalse(new WeaveCache(dir.resolve("weave-cache"), "agent=2").warm(), "another build's entries");
    assertTrue(new WeaveCache(dir.resolve("weave-cache"), "").warm(), "any build's entries");
    WeaveCache.Entry found = next.find(key, "10", "a/B", ORIGINAL);
    assertArrayEquals(WOVEN, found.woven());
    assertEquals(List.of("langchain4j|tool dispatch"), found.wovenBy());
    WeaveCache.Entry unchanged = next.find(next.key("10", "a/C", ORIGINAL), "10", "a/C", ORIGINAL);
    assertNotNull(unchanged);
    assertNull(unchanged.woven(), "left as it was");
    assertNull(next.find(key, "10", "a/Other", ORIGINAL), "an entry is only ever the class it was stored for");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("weave-cache"))));
    try (var files = Files.list(dir.resolve("weave-cache"))) {
      for (Path f : files.toList()) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
      }
    }
  }

  @Test
  void everyInputOfTheOutcomeIsInTheKey() {
    WeaveCache cache = new WeaveCache(dir, "agent=1");
    String key = cache.key("10", "a/B", ORIGINAL);
    assertEquals(key, new WeaveCache(dir, "agent=1").key("10", "a/B", ORIGINAL.clone()));
    Set<String> keys = new HashSet<>(List.of(key,
        new WeaveCache(dir, "agent=2").key("10", "a/B", ORIGINAL),
        cache.key("11", "a/B", ORIGINAL),
        cache.key("10", "a/C", ORIGINAL),
        cache.key("10", "a/B", WOVEN),
        cache.key("1", "0a/B", ORIGINAL)));
    assertEquals(6, keys.size());
  }

  /**
   * The key holds the bytes' length and CRC-32C, not the bytes: two versions of a class whose checksums collide get
   * the same key, and the entry (which holds the bytes it was stored for) must then answer only its own version.
   */
  @Test
  void anEntryAnswersOnlyTheBytesItWasStoredForEvenUnderACollidingKey() throws IOException {
    WeaveCache cache = new WeaveCache(dir.resolve("weave-cache"), "agent=1");
    byte[] other = ORIGINAL.clone();
    other[7] = 62; // another class file version, same length
    String key = cache.key("10", "a/B", ORIGINAL);
    cache.store(key, "10", "a/B", ORIGINAL, new WeaveCache.Entry(WOVEN, List.of("m|t")));
    assertNotNull(cache.find(key, "10", "a/B", ORIGINAL));
    assertNull(cache.find(key, "10", "a/B", other), "the same file name asked for other bytes (a checksum collision)");
    assertNull(cache.find(key, "10", "a/B", java.util.Arrays.copyOf(ORIGINAL, 7)), "shorter bytes");
    assertNotEquals(key, cache.key("10", "a/B", other));
  }

  /**
   * The file name is a checksum of the inputs, not a hash: an entry found under it answers only the configuration and
   * conditions (instrumentations that apply, supertypes) it was stored for, as it answers only its own bytes.
   */
  @Test
  void anEntryAnswersOnlyTheConfigAndConditionsItWasStoredFor() throws IOException {
    WeaveCache cache = new WeaveCache(dir.resolve("weave-cache"), "agent=1");
    String key = cache.key("10\nx/Super", "a/B", ORIGINAL);
    cache.store(key, "10\nx/Super", "a/B", ORIGINAL, new WeaveCache.Entry(WOVEN, List.of("m|t")));
    assertNotNull(cache.find(key, "10\nx/Super", "a/B", ORIGINAL));
    assertNull(cache.find(key, "11\nx/Super", "a/B", ORIGINAL), "another module applies: the same file name");
    assertNull(cache.find(key, "10\nx/Other", "a/B", ORIGINAL), "other supertypes: the same file name");
    assertNull(new WeaveCache(dir.resolve("weave-cache"), "agent=2").find(key, "10\nx/Super", "a/B", ORIGINAL),
        "another agent build: the same file name");
    assertEquals(16, key.length(), key);
  }

  @Test
  void anAlteredOrTornEntryIsNeverDefined() throws IOException {
    byte[] file = WeaveCache.encode(CONFIG, "10", "a/B", ORIGINAL, new WeaveCache.Entry(WOVEN, List.of("m|t")));
    assertNotNull(WeaveCache.decode(file, CONFIG, "10", "a/B", ORIGINAL));
    for (int i = 0; i < file.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] altered = file.clone();
        altered[i] ^= (byte) (1 << bit);
        assertNull(WeaveCache.decode(altered, CONFIG, "10", "a/B", ORIGINAL), "byte " + i + " bit " + bit);
      }
    }
    for (int length = 0; length < file.length; length++) {
      assertNull(WeaveCache.decode(java.util.Arrays.copyOf(file, length), CONFIG, "10", "a/B", ORIGINAL), "cut at " + length);
    }
  }

  @Test
  void aDirectoryOthersMayWriteToOrAnotherUserOwnsIsNotUsed() throws IOException {
    assertNull(WeaveCache.unsafe(dir.resolve("not-yet")));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    assertNull(WeaveCache.unsafe(dir));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertTrue(WeaveCache.unsafe(dir).startsWith("others may write to it (rwxrwxrwx)"), WeaveCache.unsafe(dir));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void aCacheThatCannotBeWrittenOnlyReads() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    WeaveCache cache = new WeaveCache(file.resolve("weave-cache"), "agent=1");
    cache.store("k", "10", "a/B", ORIGINAL, new WeaveCache.Entry(WOVEN, List.of())); // reported on stderr, not thrown
    assertNull(cache.find("k", "10", "a/B", ORIGINAL));
    assertFalse(cache.warm());
  }

  @Test
  void theNextStartWeavesFromTheCacheWithoutByteBuddyAndTheCrossCheckCatchesADifference() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Supplier<ClassFileTransformer> byteBuddy = byteBuddyWeaving(WOVEN, calls);
    Supplier<ClassFileTransformer> none = () -> {
      throw new AssertionError("ByteBuddy set up although the cache has the class");
    };
    Path cacheDir = dir.resolve("weave-cache");
    CachingWeaver cold = start(cacheDir, byteBuddy);
    assertArrayEquals(WOVEN, cold.transform(null, getClass().getClassLoader(), "a/B", null, null, ORIGINAL));
    assertEquals(1, calls.get());
    assertEquals(1, cold.stored());

    CachingWeaver warm = start(cacheDir, none);
    assertArrayEquals(WOVEN, warm.transform(null, getClass().getClassLoader(), "a/B", null, null, ORIGINAL));
    assertEquals(1, warm.hits());

    // the cross-check (every test JVM): ByteBuddy runs too, and a different outcome is loud and counted
    System.setProperty("tollgate.weave.cross-check", "true");
    try {
      byte[] other = ORIGINAL.clone();
      Supplier<ClassFileTransformer> differs = byteBuddyWeaving(other, new AtomicInteger());
      CachingWeaver checked = start(cacheDir, differs);
      long before = Guard.suppressedCount();
      assertArrayEquals(other, checked.transform(null, getClass().getClassLoader(), "a/B", null, null, ORIGINAL),
          "ByteBuddy's outcome wins");
      assertEquals(before + 1, Guard.suppressedCount());
    } finally {
      System.clearProperty("tollgate.weave.cross-check");
    }
  }

  /**
   * A class whose own bytes are unchanged but whose supertypes are not what they were (here: its superclass's class
   * file is gone) is not answered from the cache: the type matchers read supertypes' names too.
   */
  @Test
  void theSupertypesOfAClassAreInItsKey() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Supplier<ClassFileTransformer> byteBuddy = byteBuddyWeaving(WOVEN, calls);
    Class<?> app = dev.tollgate.fixtures.targets.Hierarchy.AppDispatcher.class;
    String name = app.getName().replace('.', '/');
    byte[] bytes = classFile(app);
    String base = dev.tollgate.fixtures.targets.Hierarchy.BaseDispatcher.class.getName().replace('.', '/') + ".class";
    ClassLoader normal = getClass().getClassLoader();
    ClassLoader withoutBase = new ClassLoader(normal) {
      @Override
      public java.net.URL getResource(String resource) {
        return resource.equals(base) ? null : super.getResource(resource);
      }

      @Override
      public InputStream getResourceAsStream(String resource) {
        return resource.equals(base) ? null : super.getResourceAsStream(resource);
      }
    };
    Path cacheDir = dir.resolve("weave-cache");
    start(cacheDir, byteBuddy)
        .transform(null, normal, name, null, null, bytes);
    start(cacheDir, byteBuddy)
        .transform(null, normal, name, null, null, bytes);
    assertEquals(1, calls.get(), "the same class and supertypes: from the cache");
    start(cacheDir, byteBuddy)
        .transform(null, withoutBase, name, null, null, bytes);
    assertEquals(2, calls.get(), "other supertypes: woven again");
  }

  /**
   * Whether a module applies in a loader (its marker classes looked up there: most are misses that search the whole
   * class path) is asked only for modules whose anchors the class is or is below: the others' matchers cannot match
   * it, so their applicability is not in its key either, and a change in it leaves the class answered from the cache.
   */
  @Test
  void onlyTheModulesWhoseAnchorsAClassReachesAreAskedWhetherTheyApply() throws Exception {
    Class<?> app = dev.tollgate.fixtures.targets.Hierarchy.AppDispatcher.class;
    String name = app.getName().replace('.', '/');
    byte[] bytes = classFile(app);
    String base = dev.tollgate.fixtures.targets.Hierarchy.BaseDispatcher.class.getName();
    InstrumentationModule reached = module("reached", List.of(base), List.of(String.class.getName()));
    InstrumentationModule elsewhere = module("elsewhere", List.of("no.such.Anchor"), List.of("no.such.Marker"));
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    boolean[] markerThere = {false};
    ClassLoader normal = getClass().getClassLoader();
    class Counting extends ClassLoader {
      Counting() {
        super(normal);
      }

      @Override
      public java.net.URL getResource(String resource) {
        asked.add(resource);
        if (resource.equals("no/such/Marker.class") && markerThere[0]) {
          return normal.getResource(name + ".class");
        }
        return super.getResource(resource);
      }
    }
    AtomicInteger calls = new AtomicInteger();
    Path cacheDir = dir.resolve("weave-cache");
    List<InstrumentationModule> modules = List.of(elsewhere, reached);
    CachingWeaver first = new CachingWeaver(new WeaveCache(cacheDir, "agent=1"), new TargetIndex(List.of()), modules,
        AgentInstaller.applies(modules, null), null, null, byteBuddyWeaving(WOVEN, calls));
    first.transform(null, new Counting(), name, null, null, bytes);
    assertTrue(asked.contains("java/lang/String.class"), "the reached module's marker: " + asked);
    assertFalse(asked.contains("no/such/Marker.class"), "the other module's marker is not looked up: " + asked);
    assertEquals(1, calls.get());

    markerThere[0] = true; // the other module now applies in that loader: nothing it could weave in this class
    CachingWeaver next = new CachingWeaver(new WeaveCache(cacheDir, "agent=1"), new TargetIndex(List.of()), modules,
        AgentInstaller.applies(modules, null), null, null, byteBuddyWeaving(WOVEN, calls));
    assertArrayEquals(WOVEN, next.transform(null, new Counting(), name, null, null, bytes));
    assertEquals(1, calls.get(), "answered from the cache");
    assertEquals(1, next.hits());
  }

  private static InstrumentationModule module(String name, List<String> anchors, List<String> markers) {
    return new InstrumentationModule() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<String> markerClasses() {
        return markers;
      }

      @Override
      public List<String> versionResources() {
        return List.of();
      }

      @Override
      public List<String> anchors() {
        return anchors;
      }

      @Override
      public List<dev.tollgate.agent.spi.TypeInstrumentation> typeInstrumentations() {
        return List.of();
      }
    };
  }

  @Test
  void declaresMethodAgreesWithReflection() throws IOException {
    for (Class<?> c : List.of(String.class, java.util.ArrayList.class, java.util.concurrent.ConcurrentHashMap.class,
        Thread.class, WeaveCache.class, CachingWeaver.class, TargetIndex.class)) {
      byte[] bytes = classFile(c);
      for (Method m : c.getDeclaredMethods()) {
        assertTrue(TargetIndex.ClassFileHeader.declaresMethod(bytes, m.getName()), c + "#" + m.getName());
      }
      assertTrue(TargetIndex.ClassFileHeader.declaresMethod(bytes, "<init>"), c + " constructor");
      assertFalse(TargetIndex.ClassFileHeader.declaresMethod(bytes, "noSuchMethodAnywhere"), c.toString());
      assertNotEquals(0, c.getDeclaredMethods().length);
    }
    assertFalse(TargetIndex.ClassFileHeader.declaresMethod(new byte[] {1, 2, 3}, "x"));
    assertFalse(TargetIndex.ClassFileHeader.declaresMethod(null, "x"));
  }

  /** A start's weaver over the cache in {@code cacheDir}, no instrumentations, {@code byteBuddy} standing in. */
  private static CachingWeaver start(Path cacheDir, Supplier<ClassFileTransformer> byteBuddy) {
    return new CachingWeaver(new WeaveCache(cacheDir, "agent=1"), new TargetIndex(List.of()), List.of(), List.of(),
        null, null, byteBuddy);
  }

  /** Stands in for ByteBuddy's transformer: answers {@code woven} for every class and counts the calls. */
  private static Supplier<ClassFileTransformer> byteBuddyWeaving(byte[] woven, AtomicInteger calls) {
    return () -> new ClassFileTransformer() {
      @Override
      public byte[] transform(Module m, ClassLoader l, String name, Class<?> redefined,
          java.security.ProtectionDomain d, byte[] bytes) {
        calls.incrementAndGet();
        return woven;
      }
    };
  }

  private static byte[] classFile(Class<?> c) throws IOException {
    String resource = c.getName().replace('.', '/') + ".class";
    try (InputStream in = c.getClassLoader() == null ? ClassLoader.getSystemResourceAsStream(resource)
        : c.getClassLoader().getResourceAsStream(resource)) {
      return in.readAllBytes();
    }
  }
}
