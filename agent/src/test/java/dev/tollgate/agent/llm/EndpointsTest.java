package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EndpointsTest {
  private static final Endpoints ENDPOINTS = new Endpoints(List.of(
      new ConfiguredProvider("corp-gateway", "https://llm.corp.example/openai/", "openai"),
      new ConfiguredProvider("corp-claude", "https://llm.corp.example/openai/claude", "anthropic"),
      new ConfiguredProvider("gpu-box", "http://gpu-box:8080/ollama", "ollama")));

  /** method, URL, expected provider | format | pathModel | streamByPath, or "-" for not an LLM call. */
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = ' ', value = {
      // OpenAI and compatible
      "POST https://api.openai.com/v1/chat/completions openai|OPENAI_CHAT||false",
      "POST https://api.openai.com/v1/responses openai|OPENAI_RESPONSES||false",
      "POST https://api.openai.com/v1/embeddings openai|OPENAI_EMBEDDINGS||false",
      "POST https://api.deepseek.com/chat/completions openai-compatible|OPENAI_CHAT||false",
      "POST https://api.groq.com/openai/v1/chat/completions openai-compatible|OPENAI_CHAT||false",
      "POST https://openrouter.ai/api/v1/chat/completions openai-compatible|OPENAI_CHAT||false",
      "POST https://openrouter.ai/api/v1/responses openai-compatible|OPENAI_RESPONSES||false",
      "POST https://api.mistral.ai/v1/embeddings openai-compatible|OPENAI_EMBEDDINGS||false",
      "POST http://localhost:4000/chat/completions openai-compatible|OPENAI_CHAT||false",
      "post https://api.openai.com/v1/chat/completions openai|OPENAI_CHAT||false",
      "POST http://localhost:11434/v1/chat/completions ollama|OPENAI_CHAT||false",
      "POST https://generativelanguage.googleapis.com/v1beta/openai/chat/completions gemini|OPENAI_CHAT||false",
      // Azure
      "POST https://res.openai.azure.com/openai/deployments/my-gpt4o-prod/chat/completions?api-version=2024-10-21 azure-openai|OPENAI_CHAT|my-gpt4o-prod|false",
      "POST https://res.openai.azure.com/openai/deployments/emb-small/embeddings?api-version=2024-10-21 azure-openai|OPENAI_EMBEDDINGS|emb-small|false",
      "POST https://res.openai.azure.com/openai/deployments/o4/responses azure-openai|OPENAI_RESPONSES|o4|false",
      "POST https://apim.contoso.net/openai/deployments/gpt4o/chat/completions azure-openai|OPENAI_CHAT|gpt4o|false",
      "POST https://res.openai.azure.com/openai/v1/chat/completions azure-openai|OPENAI_CHAT||false",
      "POST https://res.cognitiveservices.azure.com/openai/v1/responses azure-openai|OPENAI_RESPONSES||false",
      // Anthropic
      "POST https://api.anthropic.com/v1/messages anthropic|ANTHROPIC_MESSAGES||false",
      "POST https://gateway.ai.cloudflare.com/v1/acct/gw/anthropic/v1/messages anthropic-compatible|ANTHROPIC_MESSAGES||false",
      // Gemini and Vertex
      "POST https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent gemini|GEMINI_GENERATE|gemini-2.5-flash|false",
      "POST https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse gemini|GEMINI_GENERATE|gemini-2.5-flash|true",
      "POST https://generativelanguage.googleapis.com/v1/models/gemini-2.0-flash:generateContent?key=k gemini|GEMINI_GENERATE|gemini-2.0-flash|false",
      "POST https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent gemini|GEMINI_GENERATE|gemini-2.5-pro|true",
      "POST https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-3-pro-preview:generateContent gemini|GEMINI_GENERATE|gemini-3-pro-preview|false",
      "POST https://aiplatform.eu.rep.googleapis.com/v1/projects/p/locations/eu/publishers/google/models/gemini-2.5-flash:generateContent gemini|GEMINI_GENERATE|gemini-2.5-flash|false",
      "POST http://localhost:8089/v1beta/models/gemini-2.5-flash:generateContent gemini-compatible|GEMINI_GENERATE|gemini-2.5-flash|false",
      // Ollama native: only where Ollama is known to be
      "POST http://localhost:11434/api/chat ollama|OLLAMA_CHAT||false",
      "POST http://127.0.0.1:11434/api/generate ollama|OLLAMA_GENERATE||false",
      "POST https://ollama.com/api/chat ollama|OLLAMA_CHAT||false",
      "POST http://gpu-box:8080/ollama/api/chat gpu-box|OLLAMA_CHAT||false",
      // configured base URLs take precedence, the most specific first, on segment boundaries
      "POST https://llm.corp.example/openai/v1/chat/completions corp-gateway|OPENAI_CHAT||false",
      "POST https://llm.corp.example:443/openai/claude/v1/messages corp-claude|ANTHROPIC_MESSAGES||false",
      "POST https://llm.corp.example/openaix/v1/chat/completions openai-compatible|OPENAI_CHAT||false",
      "POST https://llm.corp.example/openai/embeddings corp-gateway|OPENAI_EMBEDDINGS||false",
      "POST http://llm.corp.example/openai/v1/chat/completions openai-compatible|OPENAI_CHAT||false",
      // not LLM calls
      "GET https://api.openai.com/v1/chat/completions -",
      "GET https://api.openai.com/v1/responses/resp_123 -",
      "POST https://api.openai.com/v1/responses/resp_123/cancel -",
      "POST https://api.openai.com/v1/responses/input_tokens -",
      "POST https://api.openai.com/v1/models -",
      "POST https://api.anthropic.com/v1/messages/count_tokens -",
      "POST https://api.anthropic.com/v1/messages/batches -",
      "POST https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens -",
      "POST https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5:generateContent -",
      "POST http://localhost:3001/mcp -",
      "POST http://localhost:3001/sse -",
      "POST http://localhost:3001/message?sessionId=abc -",
      "POST http://localhost:3001/messages/?session_id=abc -",
      "POST https://myapp.example/api/chat -",
      "POST https://myapp.example/api/generate -",
      "POST https://survey.example/forms/42/responses -",
      "POST https://search.example/index/embeddings -",
      "POST https://example.com/ -",
      "POST https://example.com/messages -",
      "DELETE https://api.anthropic.com/v1/messages -",
  })
  void recognisesLlmCallsByPathShape(String method, String url, String expected) {
    Endpoint e = ENDPOINTS.recognize(method, URI.create(url));
    if (expected.equals("-")) {
      assertNull(e, url);
      return;
    }
    String[] f = expected.split("\\|", -1);
    assertEquals(new Endpoint(f[0], ApiFormat.valueOf(f[1]), f[2].isEmpty() ? null : f[2],
        Boolean.parseBoolean(f[3])), e, url);
  }

  @Test
  void nullsAndShortPathsAreNotCalls() {
    assertNull(ENDPOINTS.recognize(null, URI.create("https://api.openai.com/v1/chat/completions")));
    assertNull(ENDPOINTS.recognize("POST", null));
    assertNull(ENDPOINTS.recognize("POST", URI.create("https://api.openai.com")));
    assertNull(ENDPOINTS.recognize("POST", URI.create("mailto:someone@example.com")));
    assertNull(new Endpoints(null).recognize("POST", URI.create("https://x.example/a")));
  }

  @Test
  void percentEncodedModelIsDecoded() {
    Endpoint e = ENDPOINTS.recognize("POST",
        URI.create("https://generativelanguage.googleapis.com/v1beta/models/tuned%2Dmodel:generateContent"));
    assertEquals("tuned-model", e.pathModel());
  }

  @Test
  void badConfigurationSaysWhatIsWrong() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Endpoints(List.of(new ConfiguredProvider("x", "not a url", "openai"))));
    assertEquals(true, e.getMessage().contains("provider x"));
    assertThrows(IllegalArgumentException.class,
        () -> new Endpoints(List.of(new ConfiguredProvider("x", "https://h/", "bedrock"))));
  }

  /** method, URL, expected provider | format | pathModel | streamByPath, or "-": what the AWS SDK seam asks. */
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = ' ', value = {
      "POST https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
          + " aws|BEDROCK_CONVERSE|anthropic.claude-3-5-sonnet-20240620-v1:0|false",
      "POST https://bedrock-runtime.eu-west-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse-stream"
          + " aws|BEDROCK_CONVERSE|amazon.nova-pro-v1:0|true",
      "POST http://127.0.0.1:4010/model/us.anthropic.claude-3-5-sonnet-20241022-v2:0/converse"
          + " aws|BEDROCK_CONVERSE|us.anthropic.claude-3-5-sonnet-20241022-v2:0|false",
      "POST https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1234"
          + "%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse aws|BEDROCK_CONVERSE|"
          + "arn:aws:bedrock:us-east-1:1234:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0|false",
      "POST https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
          + " aws|ANTHROPIC_MESSAGES|anthropic.claude-3-haiku-20240307-v1:0|false",
      "POST https://bedrock-runtime.us-east-1.amazonaws.com/model/meta.llama3-8b-instruct-v1%3A0/invoke -",
      "POST https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0"
          + "/invoke-with-response-stream -",
      "GET https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse -",
      "POST https://bedrock.us-east-1.amazonaws.com/foundation-models -",
      "POST https://llm.corp.example/openai/model/amazon.nova-lite-v1%3A0/converse"
          + " corp-gateway|BEDROCK_CONVERSE|amazon.nova-lite-v1:0|false"})
  void theAwsSdkSeamRecognisesBedrockRuntimeOperations(String method, String url, String expected) {
    Endpoint e = ENDPOINTS.recognizeBedrock(method, URI.create(url));
    if (expected.equals("-")) {
      assertNull(e);
      return;
    }
    assertEquals(expected, e.provider() + "|" + e.format() + "|" + e.pathModel() + "|" + e.streamByPath());
  }

  @Test
  void plainHttpClientsNeverCountBedrockCallsAgain() {
    // the SDK's seam governs them; the Apache or Netty client underneath must not count the same request twice
    assertNull(ENDPOINTS.recognize("POST",
        URI.create("https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse")));
    assertNull(ENDPOINTS.recognize("POST",
        URI.create("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke")));
  }
}
