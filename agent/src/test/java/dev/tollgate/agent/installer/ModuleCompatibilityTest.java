package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ModuleCompatibilityTest {
  private static final ClassLoader LOADER = ModuleCompatibilityTest.class.getClassLoader();

  /** A LangChain4j-like module with the given range and members. */
  private static InstrumentationModule module(String min, String max, List<String> members) {
    return new InstrumentationModule() {
      @Override
      public String name() {
        return "test";
      }

      @Override
      public List<String> markerClasses() {
        return List.of("dev.langchain4j.service.tool.ToolExecutor");
      }

      @Override
      public List<String> versionResources() {
        return List.of("META-INF/maven/dev.langchain4j/langchain4j/pom.properties");
      }

      @Override
      public List<String> anchors() {
        return List.of();
      }

      @Override
      public List<TypeInstrumentation> typeInstrumentations() {
        return List.of();
      }

      @Override
      public String minVersion() {
        return min;
      }

      @Override
      public String maxVersionExclusive() {
        return max;
      }

      @Override
      public List<String> requiredMembers() {
        return members;
      }
    };
  }

  @Test
  void aLibraryInRangeWithEveryMemberIsWoven() {
    assertNull(ModuleCompatibility.problem(module("1.0.0", "2.0.0",
        List.of("dev.langchain4j.service.tool.ToolExecutor#execute", "dev.langchain4j.agent.tool.ToolExecutionRequest")),
        LOADER));
  }

  @Test
  void aMissingMethodOrClassSkipsTheLoaderAndSaysWhich() {
    String problem = ModuleCompatibility.problem(module(null, null,
        List.of("dev.langchain4j.service.tool.ToolExecutor#executeTwice", "dev.langchain4j.NoSuchType#x")), LOADER);
    assertTrue(problem.startsWith("missing dev.langchain4j.service.tool.ToolExecutor#executeTwice,"
        + " dev.langchain4j.NoSuchType (version 1."), problem);
  }

  @Test
  void aVersionOutsideTheRangeSkipsTheLoader() {
    String older = ModuleCompatibility.problem(module("99.0.0", null, List.of()), LOADER);
    assertTrue(older.matches("version 1\\.[0-9.]+ is older than the oldest supported, 99\\.0\\.0"), older);
    String newer = ModuleCompatibility.problem(module(null, "1.0.0", List.of()), LOADER);
    assertTrue(newer.matches("version 1\\.[0-9.]+ is not supported \\(supported: below 1\\.0\\.0\\)"), newer);
  }

  @Test
  void everyShippedModuleAcceptsTheLibrariesItIsTestedWith() {
    int checked = 0;
    for (InstrumentationModule m : ServiceLoader.load(InstrumentationModule.class, LOADER)) {
      if (new ClassLoaderHasClasses(m.markerClasses()).matches(LOADER)) {
        assertNull(ModuleCompatibility.problem(m, LOADER), m.name());
        checked++;
      }
    }
    assertTrue(checked >= 5, "modules whose library is on the test class path: " + checked);
  }

  @Test
  void versionsCompareByTheirNumbers() {
    assertTrue(ModuleCompatibility.compare("1.19.0", "1.8") > 0);
    assertEquals(0, ModuleCompatibility.compare("2.0.0-M1", "2.0.0"));
    assertTrue(ModuleCompatibility.compare("0.10.0", "1.0.0") < 0);
    assertEquals(0, ModuleCompatibility.compare("1.0", "1.0.0"));
  }

  /**
   * The hand split compares every pair of versions as the comparison it replaced did, which split them with
   * {@code String.split("[.-]")}.
   */
  @net.jqwik.api.Property(tries = 3000)
  void comparesAsTheRegexSplitDid(@net.jqwik.api.ForAll("versions") String a,
      @net.jqwik.api.ForAll("versions") String b) {
    assertEquals(byRegexSplit(a, b), ModuleCompatibility.compare(a, b), a + " vs " + b);
  }

  /** The comparison as it was before the hand split. */
  private static int byRegexSplit(String a, String b) {
    String[] x = a.split("[.-]");
    String[] y = b.split("[.-]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? ModuleCompatibility.number(x[i]) : 0;
      long q = i < y.length ? ModuleCompatibility.number(y[i]) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> versions() {
    return net.jqwik.api.Arbitraries.strings().withChars("019.-Mx").ofMaxLength(9);
  }
}
