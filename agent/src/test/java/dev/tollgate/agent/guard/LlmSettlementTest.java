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
    List<JsonNode> out = new ArrayList<>();
    ObjectMapper m = new ObjectMapper();
    log.flush();
    for (String line : Files.readAllLines(dir.resolve("log.jsonl"))) {
      JsonNode e = m.readTree(line);
      if ("llm.call".equals(e.path("event").asText()) && e.has("usage")) {
        out.add(e);
      }
    }
    return out;
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
}
