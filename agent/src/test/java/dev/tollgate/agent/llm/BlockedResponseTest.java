package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BlockedResponseTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MESSAGE = "budget \"team-a\" exceeded: spent $4.98 of $5.00 (scope run)";

  private static Map<String, Object> facts() {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("budget", "team-a");
    facts.put("scope", "run");
    facts.put("spent_usd", 4.98);
    facts.put("limit_usd", 5);
    facts.put("enforced", true);
    facts.put("note", "quote \" backslash \\ newline \n </script>");
    return facts;
  }

  private static JsonNode body(ApiFormat format) throws Exception {
    return JSON.readTree(BlockedResponse.body(Fixtures.endpoint(format), MESSAGE, facts()));
  }

  private static void assertFacts(JsonNode tollgate) {
    assertEquals("team-a", tollgate.get("budget").asText());
    assertEquals(4.98, tollgate.get("spent_usd").asDouble());
    assertEquals(5, tollgate.get("limit_usd").asInt());
    assertEquals(true, tollgate.get("enforced").asBoolean());
    assertEquals("quote \" backslash \\ newline \n </script>", tollgate.get("note").asText());
  }

  @Test
  void openAiShapeHasAllFourRequiredErrorKeys() throws Exception {
    for (ApiFormat f : new ApiFormat[] {ApiFormat.OPENAI_CHAT, ApiFormat.OPENAI_RESPONSES,
        ApiFormat.OPENAI_EMBEDDINGS}) {
      JsonNode error = body(f).get("error");
      assertEquals(MESSAGE, error.get("message").asText());
      assertEquals("budget_exceeded", error.get("type").asText());
      assertEquals(true, error.get("param").isNull());
      assertEquals("budget_exceeded", error.get("code").asText());
      assertFacts(error.get("tollgate"));
    }
  }

  @Test
  void anthropicShape() throws Exception {
    JsonNode b = body(ApiFormat.ANTHROPIC_MESSAGES);
    assertEquals("error", b.get("type").asText());
    assertEquals("budget_exceeded", b.get("error").get("type").asText());
    assertEquals(MESSAGE, b.get("error").get("message").asText());
    assertFacts(b.get("error").get("tollgate"));
  }

  @Test
  void geminiShape() throws Exception {
    JsonNode error = body(ApiFormat.GEMINI_GENERATE).get("error");
    assertEquals(402, error.get("code").asInt());
    assertEquals("FAILED_PRECONDITION", error.get("status").asText());
    assertEquals(MESSAGE, error.get("message").asText());
    assertFacts(error.get("tollgate"));
  }

  @Test
  void ollamaShape() throws Exception {
    JsonNode b = body(ApiFormat.OLLAMA_CHAT);
    assertEquals(MESSAGE, b.get("error").asText());
    assertFacts(b.get("tollgate"));
  }

  @Test
  void headersForbidRetriesAndNameNoDelay() {
    assertEquals(Map.of("content-type", "application/json", "x-should-retry", "false"), BlockedResponse.headers());
    assertEquals(402, BlockedResponse.STATUS);
  }
}
