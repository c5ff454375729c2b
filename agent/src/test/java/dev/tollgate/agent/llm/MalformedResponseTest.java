package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tollgate.policy.budget.Usage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad bodies never throw out of the meter, and its problem never repeats body text. */
class MalformedResponseTest {
  private static final String SECRET = "sk-SECRET-1234";

  /** name, format, encoding, body, expected usage (null: none), problem expected? */
  static Stream<Arguments> corpus() {
    return Stream.of(
        Arguments.of("truncated JSON", ApiFormat.OPENAI_CHAT, null,
            "{\"model\":\"" + SECRET + "\",\"usage\":{\"prompt_tokens\":5,\"compl", null, true),
        Arguments.of("not JSON at all", ApiFormat.OPENAI_CHAT, null, "<html>" + SECRET + "</html>", null, true),
        Arguments.of("invalid JSON", ApiFormat.ANTHROPIC_MESSAGES, null,
            "{\"usage\":{\"input_tokens\":5,,}" + SECRET + "}", null, true),
        Arguments.of("negative usage", ApiFormat.OPENAI_CHAT, null,
            "{\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":7}}", new Usage(0, 0, 0, 7, 0), true),
        Arguments.of("string usage", ApiFormat.OPENAI_CHAT, null,
            "{\"usage\":{\"prompt_tokens\":\"" + SECRET + "\",\"completion_tokens\":7}}", new Usage(0, 0, 0, 7, 0),
            false),
        Arguments.of("usage not a number", ApiFormat.GEMINI_GENERATE, null,
            "{\"usageMetadata\":{\"promptTokenCount\":1e999999,\"candidatesTokenCount\":3}}",
            new Usage(0, 0, 0, 3, 0), true),
        Arguments.of("truncated SSE event", ApiFormat.OPENAI_CHAT, null,
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5\n\n", null, true),
        Arguments.of("interleaved garbage SSE", ApiFormat.OPENAI_CHAT, null,
            "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: {garbage " + SECRET + "\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n",
            new Usage(5, 0, 0, 1, 0), true),
        Arguments.of("stream error after 200", ApiFormat.ANTHROPIC_MESSAGES, null,
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\""
                + SECRET + "\"}}\n\n", null, true),
        Arguments.of("gzip header wrong", ApiFormat.OPENAI_CHAT, "gzip", "{\"usage\":{\"prompt_tokens\":1}}", null,
            true),
        Arguments.of("unsupported encoding", ApiFormat.OPENAI_CHAT, "br", "\u0000\u0001" + SECRET, null, true),
        Arguments.of("wrong content in json mode", ApiFormat.OLLAMA_CHAT, null,
            "{\"done\":false}\n{broken line " + SECRET + "\n{\"done\":true,\"prompt_eval_count\":3,\"eval_count\":4}\n",
            new Usage(3, 0, 0, 4, 0), true),
        Arguments.of("deep nesting", ApiFormat.OPENAI_CHAT, null, "[".repeat(100_000), null, true),
        Arguments.of("unbalanced close", ApiFormat.OPENAI_CHAT, null, "}]}" + SECRET, null, true),
        Arguments.of("empty body", ApiFormat.OPENAI_CHAT, null, "", null, false),
        Arguments.of("only [DONE]", ApiFormat.OPENAI_CHAT, null, "data: [DONE]\n\n", null, false),
        Arguments.of("huge number", ApiFormat.OPENAI_CHAT, null,
            "{\"usage\":{\"prompt_tokens\":99999999999999999999999,\"completion_tokens\":1}}",
            new Usage(0, 0, 0, 1, 0), true),
        Arguments.of("control bytes and bad UTF-8", ApiFormat.GEMINI_GENERATE, null,
            "data: {\"modelVersion\":\"\u00ff\u00fe\",\"usageMetadata\":{\"promptTokenCount\":2}}\r\n\r\n",
            new Usage(2, 0, 0, 0, 0), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void neverThrowsAndNeverLeaksBodyText(String name, ApiFormat format, String encoding, String body, Usage usage,
      boolean problem) {
    byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
    MeterResult r = assertDoesNotThrow(() -> {
      ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(format), null, 200, "text/event-stream", encoding);
      for (int i = 0; i < bytes.length; i += 7) {
        m.accept(bytes, i, Math.min(7, bytes.length - i));
      }
      return m.finish(true);
    });
    assertEquals(usage, r.usage());
    if (problem) {
      assertNotNull(r.problem(), name);
      assertFalse(r.problem().contains("SECRET"), r.problem());
    } else {
      assertNull(r.problem(), name);
    }
  }

  @Test
  void truncatedGzipIsAProblemOnlyWhenTheBodyWasSaidToBeComplete() {
    byte[] gz = Fixtures.gzip(Fixtures.bytes("openai-chat.json"));
    byte[] cut = Arrays.copyOf(gz, gz.length - 5);
    ResponseMeter complete = ResponseMeter.start(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, 200,
        "application/json", "gzip");
    complete.accept(cut, 0, cut.length);
    assertEquals("gzip: truncated", complete.finish(true).problem());
    ResponseMeter abandoned = ResponseMeter.start(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, 200,
        "application/json", "gzip");
    abandoned.accept(cut, 0, cut.length);
    assertNull(abandoned.finish(false).problem());
  }

  @Test
  void badArgumentsAndNullEndpointDoNotThrow() {
    ResponseMeter m = ResponseMeter.start(null, null, 200, null, null);
    m.accept(new byte[3], 2, 5);
    m.accept((java.nio.ByteBuffer) null);
    m.accept(null, 0, 0);
    MeterResult r = m.finish(true);
    assertNull(r.usage());
    assertEquals(0, r.estimatedOutputTokens());
  }

  @Test
  void wrongContentTypeIsSniffedPast() {
    MeterResult r = Fixtures.meter(ApiFormat.ANTHROPIC_MESSAGES, Fixtures.bytes("anthropic-basic.sse"),
        "application/json", null);
    assertEquals(new Usage(11, 0, 0, 6, 0), r.usage());
  }
}
