package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.tollgate.agent.testing.WovenPolicy;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Typed matchers through LangChain4j's real tool executor. Each governed tool has an ungoverned twin
 * ({@code *_probe}) with the same signature, so a test shows what the {@code @Tool} method would have received
 * for a hostile spelling, and that the governed one never ran.
 */
class TypedMatchersThroughTheExecutorTest {
  private static WovenPolicy woven;
  @TempDir
  static Path dir;
  static final List<String> RAN = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void weave() throws Exception {
    Files.createDirectories(dir.resolve("workspace"));
    woven = WovenPolicy.weave("""
        version: 1
        tools:
          rules:
            - { tool: transfer, args: { arg0: { above: 1000 } }, decision: deny }
            - { tool: fetch, args: { arg0: { url_host: [metadata, link_local, private, loopback] } }, decision: deny }
            - { tool: run, args: { arg0: { command_prefix: ["rm", "curl"] } }, decision: deny }
            - { tool: write, args: { arg0: { path_not_under: ["%s/workspace"] } }, decision: deny }
        """.formatted(dir), dir, new LangChain4jInstrumentationModule());
  }

  @AfterAll
  static void unweave() {
    woven.close();
  }

  @BeforeEach
  void clear() {
    RAN.clear();
  }

  public static class Tools {
    @Tool
    public String transfer(long amount) {
      RAN.add("transfer " + amount);
      return "sent";
    }

    @Tool
    public String transfer_probe(long amount) {
      RAN.add("transfer_probe " + amount);
      return "sent";
    }

    @Tool
    public String fetch(String url) {
      RAN.add("fetch " + url);
      return "fetched";
    }

    @Tool
    public String run(String command) {
      RAN.add("run " + command);
      return "ran";
    }

    @Tool
    public String write(String path) {
      RAN.add("write " + path);
      return "written";
    }
  }

  static String call(String tool, String arguments) throws Exception {
    Method method = null;
    for (Method m : Tools.class.getMethods()) {
      if (m.getName().equals(tool)) {
        method = m;
      }
    }
    DefaultToolExecutor executor = new DefaultToolExecutor(new Tools(), method);
    return executor.execute(ToolExecutionRequest.builder().id("x").name(tool).arguments(arguments).build(), null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"5000", "\"5000\"", "\" 5000\"", "5000.0", "5e3", "\"5e3\""})
  void aSpellingTheFrameworkPassesAsAnAmountOverTheBoundIsDenied(String amount) throws Exception {
    call("transfer_probe", "{\"arg0\": " + amount + "}");
    assertEquals(List.of("transfer_probe 5000"), RAN, "LangChain4j hands the method 5000 for " + amount);
    RAN.clear();
    String answer = call("transfer", "{\"arg0\": " + amount + "}");
    assertTrue(answer.startsWith("blocked by policy: tools.rules[0]"), answer);
    assertEquals(List.of(), RAN);
  }

  @Test
  void amountsAtOrBelowTheBoundRun() throws Exception {
    call("transfer", "{\"arg0\": 1000}");
    call("transfer", "{\"arg0\": \"1e3\"}");
    assertEquals(List.of("transfer 1000", "transfer 1000"), RAN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://2852039166/latest", "HTTP://[::ffff:169.254.169.254]/", "http://a@169.254.169.254/",
      "http://0x7f.1/", "http://a@b@169.254.169.254/"})
  void metadataAndLoopbackSpellingsNeverReachTheTool(String url) throws Exception {
    String answer = call("fetch", "{\"arg0\": \"" + url + "\"}");
    assertTrue(answer.startsWith("blocked by policy: tools.rules[1]"), answer);
    assertEquals(List.of(), RAN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bash -c 'rm -rf /'", "ls; rm -rf /", "'rm' -rf /", "/bin/rm -rf /", "echo $(curl x)"})
  void wrappedCommandsNeverReachTheTool(String command) throws Exception {
    String answer = call("run", "{\"arg0\": \"" + command.replace("'", "'") + "\"}");
    assertTrue(answer.startsWith("blocked by policy: tools.rules[2]"), answer);
    assertEquals(List.of(), RAN);
  }

  @Test
  void pathsOutsideTheWorkspaceNeverReachTheToolAndInsideOnesDo() throws Exception {
    String escaped = call("write", "{\"arg0\": \"" + dir + "/workspace/../../etc/passwd\"}");
    assertTrue(escaped.startsWith("blocked by policy: tools.rules[3]"), escaped);
    call("write", "{\"arg0\": \"" + dir + "/workspace/./notes.md\"}");
    assertEquals(List.of("write " + dir + "/workspace/./notes.md"), RAN);
  }
}
