package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.fixtures.targets.Hierarchy;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
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
}
