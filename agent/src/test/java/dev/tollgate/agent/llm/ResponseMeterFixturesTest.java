package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.budget.Usage;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResponseMeterFixturesTest {

  /** fixture, format, expected usage (input, cacheRead, cacheWrite, output, reasoning), response model. */
  static Stream<Arguments> fixtures() {
    return Stream.of(
        Arguments.of("openai-chat.json", ApiFormat.OPENAI_CHAT, new Usage(1117, 0, 0, 46, 0), "gpt-5.4"),
        Arguments.of("openai-chat-cached.json", ApiFormat.OPENAI_CHAT, new Usage(300, 1200, 500, 300, 256), "gpt-5.6"),
        Arguments.of("openai-chat-include-usage.sse", ApiFormat.OPENAI_CHAT, new Usage(10, 0, 0, 5, 0),
            "gpt-3.5-turbo-0125"),
        Arguments.of("openai-chat-no-usage.sse", ApiFormat.OPENAI_CHAT, null, "gpt-4o-mini"),
        Arguments.of("openai-responses.json", ApiFormat.OPENAI_RESPONSES, new Usage(36, 0, 0, 87, 0), "gpt-5.4"),
        Arguments.of("openai-responses.sse", ApiFormat.OPENAI_RESPONSES, new Usage(13, 0, 0, 12, 0),
            "gpt-3.5-turbo-0125"),
        Arguments.of("openai-embeddings.json", ApiFormat.OPENAI_EMBEDDINGS, new Usage(8, 0, 0, 0, 0),
            "text-embedding-ada-002"),
        Arguments.of("anthropic.json", ApiFormat.ANTHROPIC_MESSAGES, new Usage(406, 0, 0, 50, 0),
            "claude-sonnet-4-5-20250929"),
        // final = message_start overwritten by the cumulative message_delta: 6, not 1 + 6
        Arguments.of("anthropic-basic.sse", ApiFormat.ANTHROPIC_MESSAGES, new Usage(11, 0, 0, 6, 0),
            "claude-3-opus-latest"),
        Arguments.of("anthropic-cache.sse", ApiFormat.ANTHROPIC_MESSAGES, new Usage(9, 2048, 17102, 65, 0),
            "claude-haiku-4-5"),
        Arguments.of("anthropic-new-delta.sse", ApiFormat.ANTHROPIC_MESSAGES, new Usage(31, 0, 0, 547, 120),
            "claude-opus-4-7"),
        Arguments.of("gemini.json", ApiFormat.GEMINI_GENERATE, new Usage(34, 0, 0, 856, 438),
            "gemini-3-flash-preview"),
        Arguments.of("gemini.sse", ApiFormat.GEMINI_GENERATE, new Usage(138, 0, 0, 15, 0), "gemini-2.5-flash"),
        Arguments.of("gemini-array.json", ApiFormat.GEMINI_GENERATE, new Usage(400, 600, 0, 57, 50),
            "gemini-2.5-pro"),
        Arguments.of("ollama-chat.ndjson", ApiFormat.OLLAMA_CHAT, new Usage(26, 0, 0, 298, 0), "llama3.2"),
        Arguments.of("groq.sse", ApiFormat.OPENAI_CHAT, new Usage(18, 0, 0, 439, 0), "gemma2-9b-it"),
        // xAI: usage on every chunk, cumulative: the last one, never the sum
        Arguments.of("xai.sse", ApiFormat.OPENAI_CHAT, new Usage(16, 4, 0, 3, 0), "grok-3"),
        Arguments.of("deepseek.json", ApiFormat.OPENAI_CHAT, new Usage(36, 64, 0, 40, 30), "deepseek-reasoner"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void readsTheProvidersUsageIntoDisjointBuckets(String name, ApiFormat format, Usage expected, String model) {
    MeterResult r = Fixtures.meter(format, Fixtures.bytes(name), Fixtures.contentType(name), null);
    assertEquals(expected, r.usage());
    assertEquals(model, r.responseModel());
    assertNull(r.problem());
    assertTrue(r.complete());
  }

  @ParameterizedTest(name = "{0} gzip")
  @MethodSource("fixtures")
  void readsTheSameThroughGzip(String name, ApiFormat format, Usage expected, String model) {
    byte[] gz = Fixtures.gzip(Fixtures.bytes(name));
    MeterResult r = Fixtures.meter(format, gz, Fixtures.contentType(name), "gzip");
    assertEquals(expected, r.usage());
    assertEquals(model, r.responseModel());
    assertNull(r.problem());
    // and byte by byte: the gzip header, body and trailer split anywhere
    ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(format), null, 200, Fixtures.contentType(name), "gzip");
    for (int i = 0; i < gz.length; i++) {
      m.accept(gz, i, 1);
    }
    MeterResult bytewise = m.finish(true);
    assertEquals(r, bytewise);
  }

  @Test
  void streamWithoutIncludeUsageIsEstimatedFromTheTextSeen() {
    MeterResult r = Fixtures.meter(ApiFormat.OPENAI_CHAT, Fixtures.bytes("openai-chat-no-usage.sse"),
        "text/event-stream", null);
    assertNull(r.usage());
    assertEquals(2, r.estimatedOutputTokens()); // "Hello": 5 bytes / 3, rounded up
  }

  @Test
  void estimatesCountOnlyGeneratedText() {
    // Responses stream: the delta, not the .done text nor the completed response's copy
    MeterResult r = Fixtures.meter(ApiFormat.OPENAI_RESPONSES, Fixtures.bytes("openai-responses.sse"),
        "text/event-stream", null);
    assertEquals(("Greetings, hello, hi, hey, salutations!".length() + 2) / 3, r.estimatedOutputTokens());
    MeterResult gemini = Fixtures.meter(ApiFormat.GEMINI_GENERATE, Fixtures.bytes("gemini.sse"),
        "text/event-stream", null);
    long utf8 = "今日の東京の天気".getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        + "は曇りで、気温は22度です。\\n".getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    assertEquals((utf8 + 2) / 3, gemini.estimatedOutputTokens());
  }

  @Test
  void abandonedAnthropicStreamKeepsTheInputReportedAtStart() {
    byte[] body = Fixtures.bytes("anthropic-basic.sse");
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    int cut = text.indexOf("event: message_delta");
    ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(ApiFormat.ANTHROPIC_MESSAGES), null, 200,
        "text/event-stream", null);
    m.accept(body, 0, cut + 40); // into the message_delta event
    MeterResult r = m.finish(false);
    assertEquals(new Usage(11, 0, 0, 1, 0), r.usage());
    assertEquals(2, r.estimatedOutputTokens());
    assertEquals(false, r.complete());
    assertNull(r.problem());
    assertEquals(r, m.finish(true)); // idempotent: the first verdict stands
  }

  @Test
  void errorStatusIsNotMetered() {
    byte[] body = "{\"error\":{\"message\":\"Rate limit\",\"type\":\"rate_limit_exceeded\"}}".getBytes();
    ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, 429, "application/json",
        null);
    m.accept(body, 0, body.length);
    MeterResult r = m.finish(true);
    assertNull(r.usage());
    assertEquals(0, r.estimatedOutputTokens());
  }

  @Test
  void byteBufferPositionAndLimitAreLeftAlone() {
    byte[] body = Fixtures.bytes("openai-chat.json");
    ByteBuffer heap = ByteBuffer.wrap(body, 3, body.length - 3);
    ByteBuffer direct = ByteBuffer.allocateDirect(body.length);
    direct.put(body).flip();
    ByteBuffer readOnly = ByteBuffer.wrap(body).asReadOnlyBuffer();
    for (ByteBuffer b : new ByteBuffer[] {direct, readOnly}) {
      int pos = b.position();
      int limit = b.limit();
      ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, 200,
          "application/json", null);
      m.accept(b);
      assertEquals(pos, b.position());
      assertEquals(limit, b.limit());
      assertEquals(new Usage(1117, 0, 0, 46, 0), m.finish(true).usage());
    }
    ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, 200, "application/json",
        null);
    m.accept(ByteBuffer.wrap(body, 0, 3));
    m.accept(heap);
    assertEquals(3, heap.position());
    assertEquals(new Usage(1117, 0, 0, 46, 0), m.finish(true).usage());
  }

  @Test
  void sseLineEndingsAndMultiLineDataAreAllUnderstood() {
    String usage = "{\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}";
    String split = "data: {\"choices\":[],\ndata: \"usage\":{\"prompt_tokens\":7,\ndata:\"completion_tokens\":3}}";
    for (String body : new String[] {
        ": keep-alive\n\ndata: " + usage + "\n\ndata: [DONE]\n\n",
        "event: x\r\ndata: " + usage + "\r\n\r\ndata: [DONE]\r\n\r\n",
        "data: " + usage + "\r\rdata: [DONE]\r\r",
        split + "\n\n",
        "id: 1\nretry: 100\n: OPENROUTER PROCESSING\ndata: " + usage + "\n", // no final blank line
    }) {
      MeterResult r = Fixtures.meter(ApiFormat.OPENAI_CHAT, body.getBytes(), "text/event-stream", null);
      assertEquals(new Usage(7, 0, 0, 3, 0), r.usage(), body);
      assertNull(r.problem(), body);
    }
  }

  @Test
  void deflateBodiesAreRead() throws Exception {
    byte[] plain = Fixtures.bytes("openai-chat.json");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (var z = new java.util.zip.DeflaterOutputStream(out)) {
      z.write(plain);
    }
    MeterResult r = Fixtures.meter(ApiFormat.OPENAI_CHAT, out.toByteArray(), "application/json", "deflate");
    assertEquals(new Usage(1117, 0, 0, 46, 0), r.usage());
  }
}
