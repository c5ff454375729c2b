package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.fixtures.targets.Hierarchy;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TargetIndexTest {
  private static final String DISPATCHER = Hierarchy.Dispatcher.class.getName();

  private static byte[] classFile(Class<?> c) throws IOException {
    try (InputStream in = c.getClassLoader().getResourceAsStream(c.getName().replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  private static String internal(Class<?> c) {
    return c.getName().replace('.', '/');
  }

  /**
   * The JDK's own packages outside {@code java.}, {@code javax.}, {@code sun.}, {@code com.sun.} and {@code jdk.} that
   * the index skips are packages of the JDK's modules: an app cannot define a class in a named module's package, so
   * no class there can be an instrumentation's.
   */
  @Test
  void theSkippedJdkPackagesAreTheJdkModules() {
    java.util.Set<String> jdkPackages = new java.util.HashSet<>();
    for (Module m : ModuleLayer.boot().modules()) {
      jdkPackages.addAll(m.getPackages());
    }
    for (String prefix : List.of("org.xml.sax.", "org.w3c.dom.", "org.jcp.xml.dsig.internal.", "org.ietf.jgss.")) {
      assertTrue(TargetIndex.IGNORED_LIBRARIES.contains(prefix), prefix);
      assertTrue(jdkPackages.stream().anyMatch(p -> (p + ".").startsWith(prefix)), prefix + " is no JDK package");
    }
    TargetIndex index = new TargetIndex(List.of(DISPATCHER));
    assertTrue(index.isSkipped("org/xml/sax/helpers/DefaultHandler"));
    assertTrue(index.isSkipped("io/quarkus/runner/recorded/Step1$proxy"));
    assertFalse(index.isSkipped("io/quarkus/rest/client/reactive/runtime/RestClientBase"));
    assertFalse(index.isSkipped("org/springframework/retry/support/RetryTemplate"));
  }

  @Test
  void headerGivesSuperClassAndInterfaces() throws IOException {
    assertArrayEquals(new String[] {"java/lang/Object", "java/lang/Runnable", "java/lang/Comparable"},
        TargetIndex.ClassFileHeader.supertypes(classFile(Hierarchy.Unrelated.class)));
    assertArrayEquals(new String[] {internal(Hierarchy.BaseDispatcher.class)},
        TargetIndex.ClassFileHeader.supertypes(classFile(Hierarchy.AppDispatcher.class)));
    assertNull(TargetIndex.ClassFileHeader.supertypes(new byte[] {1, 2, 3}));
  }

  @Test
  void subtypesOfAnAnchorAreCandidatesThroughClassFilesNotYetLoaded() throws IOException {
    TargetIndex index = new TargetIndex(List.of(DISPATCHER));
    ClassLoader loader = getClass().getClassLoader();
    // AppDispatcher's own class file names only BaseDispatcher; BaseDispatcher's is read from the loader
    assertTrue(index.isCandidate(loader, internal(Hierarchy.AppDispatcher.class),
        classFile(Hierarchy.AppDispatcher.class), null));
    assertTrue(index.isCandidate(loader, internal(Hierarchy.Dispatcher.class), null, null));
    assertFalse(index.isCandidate(loader, internal(Hierarchy.Unrelated.class),
        classFile(Hierarchy.Unrelated.class), null));
    // retransformation: the loaded class's supertypes answer
    assertTrue(index.isCandidate(loader, internal(Hierarchy.AppDispatcher.class), null,
        Hierarchy.AppDispatcher.class));
    assertFalse(index.isCandidate(loader, internal(Hierarchy.Unrelated.class), null, Hierarchy.Unrelated.class));
  }

  @Test
  void theJdkTheAgentAndIgnoredLibrariesAreNeverCandidatesButTheJdkHttpClientIs() {
    TargetIndex index = new TargetIndex(List.of("jdk.internal.net.http.HttpClientImpl"));
    assertTrue(index.isCandidate(null, "jdk/internal/net/http/HttpClientImpl", null, null));
    assertFalse(index.isCandidate(null, "jdk/internal/net/http/Http1Exchange", new byte[0], null));
    assertFalse(index.isCandidate(null, "java/util/ArrayList", new byte[0], null));
    assertFalse(index.isCandidate(null, "com/fasterxml/jackson/databind/ObjectMapper", new byte[0], null));
    assertFalse(index.isCandidate(null, "dev/tollgate/agent/installer/LoadGate", new byte[0], null));
  }

  /**
   * The per-package answer is the prefix test's, whatever the name: names built from the skipped prefixes' own
   * segments (cut anywhere, so near misses like {@code io/vertx/core/http/} beside {@code io/vertx/core/impl/} and
   * {@code kotlinx/coroutines/} beside its skipped sub-packages are drawn), asked in any order, each twice.
   */
  @Property(tries = 2000)
  void thePackageCacheAnswersAsThePrefixesDo(@ForAll("names") List<String> names) {
    TargetIndex index = new TargetIndex(List.of(DISPATCHER));
    for (int round = 0; round < 2; round++) {
      for (String name : names) {
        assertTrue(index.isSkipped(name) == index.skippedPrefix(name), name);
      }
    }
  }

  @Provide
  Arbitrary<List<String>> names() {
    List<String> segments = new ArrayList<>(List.of("io", "org", "com", "dev", "java", "javax", "jdk", "kotlin",
        "kotlinx", "sun", "x", "A", "Main", "Main$1", ""));
    List<String> prefixes = new ArrayList<>(TargetIndex.NEVER_WOVEN);
    prefixes.addAll(TargetIndex.IGNORED_LIBRARIES);
    for (String p : prefixes) {
      for (String segment : p.split("\\.")) {
        if (!segments.contains(segment)) {
          segments.add(segment);
        }
      }
    }
    Arbitrary<String> name = Arbitraries.of(segments).list().ofMinSize(1).ofMaxSize(6)
        .map(parts -> String.join("/", parts));
    Arbitrary<String> prefixed = Arbitraries.of(prefixes).flatMap(p -> name.map(n -> p.replace('.', '/') + n));
    Arbitrary<String> cut = prefixed.flatMap(n -> Arbitraries.integers().between(0, n.length()).map(
        i -> n.substring(0, i)));
    return Arbitraries.oneOf(name, prefixed, cut).list().ofMinSize(1).ofMaxSize(40);
  }
}
