package dev.tollgate.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.agent.llm.Endpoints;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.MeteredInputStream;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.Ledger;
import dev.tollgate.policy.engine.PolicyEngine;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LLM calls through the real guard, governor and log, their responses read the way apps and SDKs read them: what is
 * settled, and how the log says it was.
 */
class LlmSettlementTest {
  private static final String POLICY = """
      version: 1
      budgets:
        - { name: all, scope: process, max_usd: 100 }
      """;
  private static final String ANTHROPIC = "https://api.anthropic.com/v1/messages";
  private static final byte[] ANTHROPIC_REQUEST = ("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8);
  @TempDir
  Path dir;
  private EnforcementLog log;

  @AfterEach
  void closeLog() {
    if (log != null) {
      log.close();
    }
  }

  private PolicyGuard guard() throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    Policy policy = PolicyLoader.parse(POLICY, "t.yaml");
    LlmGovernor governor = new LlmGovernor(policy, Clock.systemUTC(), Ledger.none());
    return new PolicyGuard(new PolicyEngine(policy, Clock.systemUTC()), log, false, governor,
        new Endpoints(List.of()));
  }

  private List<JsonNode> settled() throws Exception {
    return events("llm.call").stream().filter(e -> e.has("usage")).toList();
  }

  private List<JsonNode> events(String name) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    ObjectMapper m = new ObjectMapper();
    log.flush();
    for (String line : Files.readAllLines(dir.resolve("log.jsonl"))) {
      JsonNode e = m.readTree(line);
      if (name.equals(e.path("event").asText())) {
        out.add(e);
      }
    }
    return out;
  }

  /** The Anthropic request (max_tokens 1024) answered with {@code body} as sent, read to its end. */
  private JsonNode answered(String contentType, String contentEncoding, byte[] body) throws Exception {
    PolicyGuard guard = guard();
    LlmExchange exchange = (LlmExchange) guard.llmEnter("okhttp", "POST", ANTHROPIC, ANTHROPIC_REQUEST,
        ANTHROPIC_REQUEST.length);
    exchange.response(200, contentType, contentEncoding);
    try (InputStream in = new MeteredInputStream(new ByteArrayInputStream(body), exchange, -1)) {
      in.readAllBytes();
    }
    List<JsonNode> calls = settled();
    assertEquals(1, calls.size(), calls.toString());
    return calls.get(0);
  }

  private static byte[] fixture(String name) throws Exception {
    try (InputStream in = Objects.requireNonNull(LlmSettlementTest.class.getResourceAsStream("/llm/" + name))) {
      return in.readAllBytes();
    }
  }

  /**
   * A non-streamed response of unknown length (chunked, or gunzipped by the client: OkHttp drops Content-Length when
   * it does, and the Anthropic and OpenAI Java SDKs read with Jackson) is parsed up to its closing brace and closed:
   * the end of the stream is never asked for. The provider's whole usage was read; it is what the call costs.
   */
  @Test
  void aJsonResponseParsedToItsClosingBraceAndClosedIsSettledWithItsReportedUsage() throws Exception {
    PolicyGuard guard = guard();
    Object entered = guard.llmEnter("okhttp", "POST", ANTHROPIC, ANTHROPIC_REQUEST, ANTHROPIC_REQUEST.length);
    assertTrue(entered instanceof LlmExchange, String.valueOf(entered));
    LlmExchange exchange = (LlmExchange) entered;
    exchange.response(200, "application/json", null);
    byte[] body = fixture("anthropic.json");
    try (InputStream in = new MeteredInputStream(new ByteArrayInputStream(body), exchange, -1)) {
      JsonNode message = new ObjectMapper().readTree(in);
      assertEquals(50, message.path("usage").path("output_tokens").asInt());
    }
    List<JsonNode> calls = settled();
    assertEquals(1, calls.size(), calls.toString());
    JsonNode call = calls.get(0);
    assertEquals("reported", call.path("usage").asText(), call.toString());
    assertEquals(406, call.path("input_tokens").asLong(), call.toString());
    assertEquals(50, call.path("output_tokens").asLong(), call.toString());
  }

  /** Prose runs at about 4.5 bytes a token: an estimate from the text (bytes / 3) would charge half as much again. */
  @Test
  void aLongAnswerParsedToItsClosingBraceIsChargedTheOutputTheProviderReported() throws Exception {
    PolicyGuard guard = guard();
    LlmExchange exchange = (LlmExchange) guard.llmEnter("okhttp", "POST", ANTHROPIC, ANTHROPIC_REQUEST,
        ANTHROPIC_REQUEST.length);
    exchange.response(200, "application/json", null);
    String text = "The quick brown fox jumps over the lazy dog. ".repeat(12);
    byte[] body = ("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}],\"stop_reason\":\"end_turn\","
        + "\"usage\":{\"input_tokens\":406,\"output_tokens\":120}}").getBytes(StandardCharsets.UTF_8);
    try (InputStream in = new MeteredInputStream(new ByteArrayInputStream(body), exchange, -1)) {
      new ObjectMapper().readTree(in);
    }
    JsonNode call = settled().get(0);
    assertEquals("reported", call.path("usage").asText(), call.toString());
    assertEquals(120, call.path("output_tokens").asLong(), call.toString());
    assertEquals(0.003018, call.path("cost_usd").asDouble(), 1e-9, call.toString()); // 406 × $3 + 120 × $15 per MTok
  }

  /**
   * A body the meter cannot read (a Content-Encoding it does not decode, such as the brotli or zstd an app may ask
   * for) says nothing of how much was generated: the call is charged what its hold reserved for the output, the
   * request's max_tokens, not the nothing it saw, and an llm.unmetered event says so.
   */
  @ParameterizedTest
  @ValueSource(strings = {"br", "zstd"})
  void aResponseInAnEncodingTheMeterCannotReadIsChargedTheOutputItsHoldReserved(String encoding) throws Exception {
    byte[] compressed = {(byte) 0x1b, (byte) 0xa3, 0x02, 0x00, (byte) 0x8c, (byte) 0x94, 0x6e, (byte) 0xde, 0x2a};
    JsonNode call = answered("application/json", encoding, compressed);
    assertEquals("estimated", call.path("usage").asText(), call.toString());
    assertEquals(1024, call.path("output_tokens").asLong(), call.toString());
    List<JsonNode> unmetered = events("llm.unmetered");
    assertEquals(1, unmetered.size(), unmetered.toString());
    assertEquals("unsupported content-encoding: usage not read", unmetered.get(0).path("problem").asText());
    assertEquals(1024, unmetered.get(0).path("output_tokens").asLong(), unmetered.toString());
    assertEquals(call.path("cost_usd").asDouble(), unmetered.get(0).path("cost_usd").asDouble(), 1e-12);
  }

  /** Malformed JSON and a corrupt gzip body are no more readable: the same worst case, the same event. */
  @ParameterizedTest
  @ValueSource(strings = {"invalid JSON", "corrupt gzip", "not JSON or SSE"})
  void otherBodiesWhoseUsageCannotBeReadAreChargedTheSameWorstCase(String fault) throws Exception {
    byte[] body = switch (fault) {
      case "invalid JSON" -> "{\"usage\":{\"input_tokens\":5,,}}".getBytes(StandardCharsets.UTF_8);
      case "corrupt gzip" -> "{\"usage\":{\"input_tokens\":5}}".getBytes(StandardCharsets.UTF_8);
      default -> "<html>gateway says hello</html>".getBytes(StandardCharsets.UTF_8);
    };
    JsonNode call = answered("application/json", fault.equals("corrupt gzip") ? "gzip" : null, body);
    assertEquals(1024, call.path("output_tokens").asLong(), call.toString());
    assertEquals(1, events("llm.unmetered").size(), call.toString());
  }

  /** A well-formed body that reports no usage was read whole: its text bounds the output, as before. */
  @Test
  void aReadableResponseWithoutUsageIsStillChargedFromItsText() throws Exception {
    byte[] body = "{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}]}"
        .getBytes(StandardCharsets.UTF_8);
    JsonNode call = answered("application/json", null, body);
    assertEquals("estimated", call.path("usage").asText(), call.toString());
    assertEquals(2, call.path("output_tokens").asLong(), call.toString()); // "Hello": 5 bytes / 3, rounded up
    assertTrue(events("llm.unmetered").isEmpty());
  }
}
