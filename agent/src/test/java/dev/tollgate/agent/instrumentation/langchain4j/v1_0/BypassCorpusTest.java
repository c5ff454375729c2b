package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.tollgate.agent.spi.InstrumentationModule;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.tollgate.agent.testing.WovenPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names a model might use to slip past {@code deny: ["delete_*"]}. The name Tollgate decides on is the name
 * the framework resolved to a registered tool, so a model cannot rename a tool; what the app itself registers
 * is the policy author's to cover. (Nested tools, overloads, lambdas and MCP names: see the other tests, and
 * the bypass table in README.md.)
 */
class BypassCorpusTest {
  private static WovenPolicy woven;
  @TempDir
  static Path dir;
  static final List<String> RAN = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void weave() throws Exception {
    woven = WovenPolicy.weave("""
        version: 1
        tools:
          deny: ["delete_*"]
        """, dir, new LangChain4jInstrumentationModule());
  }

  @AfterAll
  static void unweave() {
    woven.close();
  }

  @BeforeEach
  void clear() {
    RAN.clear();
  }

  interface Agent {
    String chat(String message);
  }

  public static class Tools {
    @Tool
    public String delete_file(String path) {
      RAN.add("delete_file");
      return "deleted";
    }
  }

  public static class UpperCaseTools {
    @Tool(name = "Delete_File")
    public String deleteFile(String path) {
      RAN.add("Delete_File");
      return "deleted";
    }
  }

  /** Asks once for the named tool, then answers. */
  static ChatModel askingFor(String name) {
    return new ChatModel() {
      boolean asked;

      @Override
      public ChatResponse doChat(ChatRequest request) {
        if (!asked) {
          asked = true;
          return ChatResponse.builder().aiMessage(AiMessage.from(ToolExecutionRequest.builder().id("1").name(name)
              .arguments("{\"arg0\":\"/x\"}").build())).build();
        }
        return ChatResponse.builder().aiMessage(AiMessage.from("done")).build();
      }
    };
  }

  @Test
  void aModelCannotRenameADeniedToolByCaseOrLookAlikeLetters() {
    for (String alias : List.of("DELETE_FILE", "Delete_file", "d\u0435lete_file" /* Cyrillic e */, "delete_file ")) {
      Agent agent = AiServices.builder(Agent.class).chatModel(askingFor(alias)).tools(new Tools()).build();
      // LangChain4j resolves tool names exactly; an unknown name is a hallucination (an error by default)
      assertThrows(RuntimeException.class, () -> agent.chat("go"), alias);
    }
    assertTrue(RAN.isEmpty(), RAN.toString());
  }

  @Test
  void theRegisteredNameIsWhatIsDecidedAndDenyGlobsAreCaseSensitive() {
    Agent exact = AiServices.builder(Agent.class).chatModel(askingFor("delete_file")).tools(new Tools()).build();
    exact.chat("go");
    assertEquals(List.of(), RAN, "the registered name delete_file is denied");

    // documented: an app that registers Delete_File needs a glob that says so ("Delete_*" or "*elete_*")
    Agent upper = AiServices.builder(Agent.class).chatModel(askingFor("Delete_File")).tools(new UpperCaseTools())
        .build();
    upper.chat("go");
    assertEquals(List.of("Delete_File"), RAN);
  }
}
