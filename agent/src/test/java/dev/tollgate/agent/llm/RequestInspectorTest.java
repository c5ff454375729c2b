package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RequestInspectorTest {
  private static LlmRequest inspect(ApiFormat format, String body) {
    return RequestInspector.inspect(Fixtures.endpoint(format), body.getBytes(StandardCharsets.UTF_8), -1);
  }

  private static long ceil3(String body) {
    return (body.getBytes(StandardCharsets.UTF_8).length + 2) / 3;
  }

  @Test
  void openAiChatPrefersMaxCompletionTokensAndMultipliesNothing() {
    String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"model\":\"nested\"}],"
        + "\"max_tokens\":100,\"max_completion_tokens\":500,\"n\":3,\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true}}";
    assertEquals(new LlmRequest("gpt-4o", 500, 3, true, true, ceil3(body)), inspect(ApiFormat.OPENAI_CHAT, body));
    String legacy = "{\"max_tokens\":100,\"model\":\"gpt-4o-mini\",\"stream\":true}";
    assertEquals(new LlmRequest("gpt-4o-mini", 100, 1, true, false, ceil3(legacy)),
        inspect(ApiFormat.OPENAI_CHAT, legacy));
    String none = "{\"model\":\"gpt-4o-mini\",\"messages\":[]}";
    assertEquals(new LlmRequest("gpt-4o-mini", -1, 1, false, true, ceil3(none)),
        inspect(ApiFormat.OPENAI_CHAT, none));
  }

  @Test
  void eachFormatsOwnCapField() {
    assertEquals(2048, inspect(ApiFormat.OPENAI_RESPONSES,
        "{\"model\":\"o3\",\"max_output_tokens\":2048,\"max_tokens\":1}").maxOutputTokens());
    assertEquals(0, inspect(ApiFormat.OPENAI_EMBEDDINGS, "{\"model\":\"e\",\"input\":[\"a\",\"b\"]}")
        .maxOutputTokens());
    LlmRequest anthropic = inspect(ApiFormat.ANTHROPIC_MESSAGES,
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,\"system\":[{\"cache_control\":{}}]}");
    assertEquals(1024, anthropic.maxOutputTokens());
    assertEquals(true, anthropic.stream());
    assertEquals(true, anthropic.includeUsage());
    LlmRequest ollama = inspect(ApiFormat.OLLAMA_CHAT,
        "{\"model\":\"llama3.2\",\"options\":{\"temperature\":0.1,\"num_predict\":128,\"stop\":[\"x\"]}}");
    assertEquals(128, ollama.maxOutputTokens());
    assertEquals(true, ollama.stream()); // Ollama streams by default
    assertEquals(-1, inspect(ApiFormat.OLLAMA_GENERATE,
        "{\"model\":\"llama3.2\",\"stream\":false,\"options\":{\"num_predict\":-1}}").maxOutputTokens());
  }

  @Test
  void geminiTakesModelAndStreamFromThePath() {
    Endpoint e = new Endpoint("gemini", ApiFormat.GEMINI_GENERATE, "gemini-2.5-pro", true);
    String body = "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],"
        + "\"generationConfig\":{\"maxOutputTokens\":4096,\"candidateCount\":2,\"stopSequences\":[\"x\"]}}";
    assertEquals(new LlmRequest("gemini-2.5-pro", 4096, 2, true, true, ceil3(body)),
        RequestInspector.inspect(e, body.getBytes(StandardCharsets.UTF_8), -1));
  }

  @Test
  void azureDeploymentIsTheModelWhenTheBodyHasNone() {
    Endpoint e = new Endpoint("azure-openai", ApiFormat.OPENAI_CHAT, "my-gpt4o-prod", false);
    assertEquals("my-gpt4o-prod", RequestInspector.inspect(e, "{\"messages\":[]}".getBytes(), -1).model());
  }

  @Test
  void unreadableBodyIsEstimatedFromContentLength() {
    assertEquals(new LlmRequest(null, -1, 1, false, true, 334),
        RequestInspector.inspect(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, 1000));
    assertEquals(-1, RequestInspector.inspect(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, -1)
        .promptTokensEstimate());
  }

  @Test
  void malformedJsonStillGetsAnEstimate() {
    for (String body : new String[] {"{\"model\":\"gpt-4o\",\"max_tokens\":", "[1,2]", "not json", "",
        "{\"model\":\"gpt-4o\"} trailing", "{\"model\":\"gpt-4o\",\"max_tokens\":\"lots\"", "\u0000\u0001"}) {
      LlmRequest r = inspect(ApiFormat.OPENAI_CHAT, body);
      assertNull(r.model(), body);
      assertEquals(ceil3(body), r.promptTokensEstimate(), body);
    }
  }

  @Test
  void negativeAndNonNumericCapsAreUnknown() {
    assertEquals(-1, inspect(ApiFormat.OPENAI_CHAT, "{\"max_tokens\":-5}").maxOutputTokens());
    assertEquals(-1, inspect(ApiFormat.OPENAI_CHAT, "{\"max_tokens\":\"5\"}").maxOutputTokens());
    assertEquals(7, inspect(ApiFormat.OPENAI_CHAT, "{\"max_tokens\":7.0}").maxOutputTokens());
    assertEquals(1, inspect(ApiFormat.OPENAI_CHAT, "{\"n\":0}").choices());
  }

  @Test
  void twentyMegabyteBodyIsReadWithoutATree() {
    byte[] big = new byte[20 * 1024 * 1024];
    byte[] head = "{\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes();
    byte[] tail = "\"}],\"model\":\"gpt-4.1\",\"max_tokens\":64}".getBytes();
    Arrays.fill(big, (byte) 'a');
    System.arraycopy(head, 0, big, 0, head.length);
    System.arraycopy(tail, 0, big, big.length - tail.length, tail.length);
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    LlmRequest r = RequestInspector.inspect(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), big, big.length);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertEquals(new LlmRequest("gpt-4.1", 64, 1, false, true, (big.length + 2) / 3), r);
    // the 20 MB string is skipped, never materialised (that alone would be 40 MB of chars)
    assertEquals(true, allocated < 2 * 1024 * 1024, "allocated " + allocated);
  }

  @Test
  void bedrockConverseCapsOutputWithInferenceConfigAndTakesTheModelFromThePath() {
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}],"
        + "\"inferenceConfig\":{\"maxTokens\":512,\"temperature\":0.2},\"toolConfig\":{\"tools\":[]}}";
    Endpoint converse = new Endpoint("aws", ApiFormat.BEDROCK_CONVERSE, "amazon.nova-pro-v1:0", false);
    assertEquals(new LlmRequest("amazon.nova-pro-v1:0", 512, 1, false, true, ceil3(body)),
        RequestInspector.inspect(converse, body.getBytes(StandardCharsets.UTF_8), -1));
    Endpoint stream = new Endpoint("aws", ApiFormat.BEDROCK_CONVERSE, "amazon.nova-pro-v1:0", true);
    assertEquals(new LlmRequest("amazon.nova-pro-v1:0", -1, 1, true, true, 1),
        RequestInspector.inspect(stream, "{}".getBytes(StandardCharsets.UTF_8), -1));
  }
}
