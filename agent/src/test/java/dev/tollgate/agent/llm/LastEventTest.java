package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.budget.Usage;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * A stream's last event ends its metering as soon as it is read whole ({@link ResponseMeter#usageFinal()}), before
 * the body's end: a client hands that event to the app, which may send its next call while the connection is still
 * open, and that call must find this one settled. Fed one byte at a time, so the moment is exact.
 */
class LastEventTest {

  static Stream<Arguments> streams() {
    return Stream.of(
        Arguments.of("openai-chat-include-usage.sse", ApiFormat.OPENAI_CHAT),
        Arguments.of("openai-chat-no-usage.sse", ApiFormat.OPENAI_CHAT),
        Arguments.of("groq.sse", ApiFormat.OPENAI_CHAT),
        Arguments.of("xai.sse", ApiFormat.OPENAI_CHAT),
        Arguments.of("openai-responses.sse", ApiFormat.OPENAI_RESPONSES),
        Arguments.of("anthropic-basic.sse", ApiFormat.ANTHROPIC_MESSAGES),
        Arguments.of("anthropic-cache.sse", ApiFormat.ANTHROPIC_MESSAGES),
        Arguments.of("anthropic-new-delta.sse", ApiFormat.ANTHROPIC_MESSAGES),
        Arguments.of("ollama-chat.ndjson", ApiFormat.OLLAMA_CHAT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void theLastEventEndsTheMeteringWithTheWholeUsage(String name, ApiFormat format) {
    byte[] body = Fixtures.bytes(name);
    Usage whole = Fixtures.meter(format, body, Fixtures.contentType(name), null).usage();
    ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(format), null, 200, Fixtures.contentType(name), null);
    int at = -1;
    for (int i = 0; i < body.length && at < 0; i++) {
      m.accept(body, i, 1);
      if (m.usageFinal()) {
        at = i;
      }
    }
    assertTrue(at >= 0, "the last event was recognised");
    for (int i = at + 1; i < body.length; i++) {
      assertTrue(Character.isWhitespace(body[i]), "nothing but the last event's end came after it: " + at);
    }
    MeterResult r = m.finish(true);
    assertEquals(whole, r.usage());
    assertNull(r.problem());
  }

  @Test
  void geminiHasNoLastEventAndEndsWithItsBody() {
    ResponseMeter m = Fixtures.fed(ApiFormat.GEMINI_GENERATE, Fixtures.bytes("gemini.sse"), "text/event-stream", null);
    assertFalse(m.usageFinal());
  }

  static Stream<Arguments> notTheLast() {
    return Stream.of(
        Arguments.of("[DONE] with more data", ApiFormat.OPENAI_CHAT, "data: [DONE]x\n\n"),
        Arguments.of("[DONE] over two data lines", ApiFormat.OPENAI_CHAT, "data: [DONE]\ndata: more\n\n"),
        Arguments.of("[DONE] not yet dispatched", ApiFormat.OPENAI_CHAT, "data: [DONE]\n"),
        Arguments.of("[DON", ApiFormat.OPENAI_CHAT, "data: [DON\n\n"),
        Arguments.of("message_stop nested", ApiFormat.ANTHROPIC_MESSAGES,
            "event: content_block_delta\ndata: {\"delta\":{\"type\":\"message_stop\"}}\n\n"),
        Arguments.of("message_stop not yet closed", ApiFormat.ANTHROPIC_MESSAGES,
            "event: message_stop\ndata: {\"type\":\"message_stop\""),
        Arguments.of("message_stop in invalid JSON", ApiFormat.ANTHROPIC_MESSAGES,
            "event: message_stop\ndata: {\"type\":\"message_stop\",,}\n\n"),
        Arguments.of("ollama not done", ApiFormat.OLLAMA_CHAT, "{\"done\":false,\"eval_count\":3}\n"),
        Arguments.of("ollama done nested", ApiFormat.OLLAMA_CHAT, "{\"message\":{\"done\":true}}\n"),
        Arguments.of("ollama done as a string", ApiFormat.OLLAMA_CHAT, "{\"done\":\"true\"}\n"),
        Arguments.of("response.created", ApiFormat.OPENAI_RESPONSES,
            "event: response.created\ndata: {\"type\":\"response.created\"}\n\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notTheLast")
  void onlyAWholeLastEventEndsIt(String name, ApiFormat format, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(format), null, 200, "text/event-stream", null);
    for (int i = 0; i < bytes.length; i++) {
      m.accept(bytes, i, 1);
    }
    assertFalse(m.usageFinal(), name);
  }

  @Test
  void aGzippedStreamEndsAtItsLastEventEvenBeforeTheTrailer() {
    byte[] gz = Fixtures.gzip(Fixtures.bytes("anthropic-basic.sse"));
    // the gzip trailer (CRC and length, 8 bytes) has not arrived
    ResponseMeter m = Fixtures.fed(ApiFormat.ANTHROPIC_MESSAGES, java.util.Arrays.copyOf(gz, gz.length - 8),
        "text/event-stream", "gzip");
    assertTrue(m.usageFinal());
    MeterResult r = m.finish(true);
    assertEquals(new Usage(11, 0, 0, 6, 0), r.usage());
    assertNull(r.problem());
  }
}
