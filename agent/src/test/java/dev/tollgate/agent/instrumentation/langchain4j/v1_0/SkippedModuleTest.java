package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.agent.testing.WovenPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module whose requirements the library in a class loader does not meet is not woven there: no advice that could
 * throw {@code NoSuchMethodError} into a tool, and a {@code coverage} event that says which member was missing.
 */
class SkippedModuleTest {
  @TempDir
  Path dir;

  public static class Tools {
    static final List<String> ran = new CopyOnWriteArrayList<>();

    @Tool("deletes a file")
    public String delete_file(String path) {
      ran.add(path);
      return "deleted";
    }
  }

  /** The real LangChain4j module, asking for one method this LangChain4j does not have. */
  static final class Demanding implements InstrumentationModule {
    private final LangChain4jInstrumentationModule real = new LangChain4jInstrumentationModule();

    @Override
    public String name() {
      return real.name();
    }

    @Override
    public List<String> markerClasses() {
      return real.markerClasses();
    }

    @Override
    public List<String> versionResources() {
      return real.versionResources();
    }

    @Override
    public List<String> anchors() {
      return real.anchors();
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
      return real.typeInstrumentations();
    }

    @Override
    public List<String> requiredMembers() {
      List<String> members = new ArrayList<>(real.requiredMembers());
      members.add("dev.langchain4j.service.tool.ToolExecutor#executeInTheFuture");
      return members;
    }
  }

  @Test
  void aLoaderMissingARequiredMemberIsSkippedAndSaysWhy() throws Exception {
    Tools.ran.clear();
    try (WovenPolicy woven = WovenPolicy.weave("version: 1\ntools: { deny: [\"delete_*\"] }\n", dir, new Demanding())) {
      DefaultToolExecutor executor = new DefaultToolExecutor(new Tools(),
          Tools.class.getMethod("delete_file", String.class));
      String result = executor.execute(ToolExecutionRequest.builder().id("1").name("delete_file")
          .arguments("{\"arg0\": \"/tmp/x\"}").build(), "default");

      assertEquals("deleted", result, "not woven, so not governed");
      assertEquals(List.of("/tmp/x"), Tools.ran);
      String log = woven.log();
      assertFalse(log.contains("\"tool.call\""), log);
      assertTrue(log.contains("\"skipped\":[{\"framework\":\"langchain4j\",\"version\":\"1.19.0\",\"reason\":"
          + "\"missing dev.langchain4j.service.tool.ToolExecutor#executeInTheFuture (version 1.19.0)\""), log);
    }
  }

  @Test
  void theRealModuleWeavesTheSameLoader() throws Exception {
    Tools.ran.clear();
    try (WovenPolicy woven = WovenPolicy.weave("version: 1\ntools: { deny: [\"delete_*\"] }\n", dir,
        new LangChain4jInstrumentationModule())) {
      DefaultToolExecutor executor = new DefaultToolExecutor(new Tools(),
          Tools.class.getMethod("delete_file", String.class));
      String result = executor.execute(ToolExecutionRequest.builder().id("1").name("delete_file")
          .arguments("{\"arg0\": \"/tmp/x\"}").build(), "default");

      assertTrue(result.startsWith("blocked by policy"), result);
      assertEquals(List.of(), Tools.ran);
      assertFalse(woven.log().contains("\"skipped\""));
    }
  }
}
