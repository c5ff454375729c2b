package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Anthropic Messages side of the simulator: {@code POST /v1/messages}, JSON and SSE. */
class AnthropicSimulatorTest {

    private static HttpResponse<String> post(ProviderSimulator simulator, String body) throws Exception {
        return Http.post(simulator.anthropicBaseUrl() + "/v1/messages", body,
                "x-api-key", "sk-ant-SECRET-123", "anthropic-version", "2023-06-01");
    }

    @Test
    void toolCallTurnIsToolUseBlocksAndAnswerIsText() throws Exception {
        Script script = Script.builder().callTools("lookup", "{\"key\":\"k1\"}", "lookup", "{\"key\":\"k2\"}")
                .answer("fine").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            HttpResponse<String> response = post(simulator, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[]}");
            assertEquals(200, response.statusCode(), response.body());
            JsonNode message = Http.json(response.body());
            assertEquals("message", message.path("type").asText());
            assertEquals("assistant", message.path("role").asText());
            assertEquals("claude-sonnet-4-5", message.path("model").asText());
            assertEquals("tool_use", message.path("stop_reason").asText());
            JsonNode second = message.path("content").path(1);
            assertEquals("tool_use", second.path("type").asText());
            assertEquals("toolu_1_1", second.path("id").asText());
            assertEquals("lookup", second.path("name").asText());
            assertEquals("k2", second.path("input").path("key").asText(), "input is an object, not a string");
            assertTrue(message.path("usage").path("input_tokens").asInt() > 0);
            assertTrue(message.path("usage").path("output_tokens").asInt() > 0);

            JsonNode answer = Http.json(post(simulator, "{\"max_tokens\":100,\"messages\":[]}").body());
            assertEquals("end_turn", answer.path("stop_reason").asText());
            assertEquals("text", answer.path("content").path(0).path("type").asText());
            assertEquals("fine", answer.path("content").path(0).path("text").asText());
            assertEquals(2, simulator.turnsServed());
            assertEquals(RecordedRequest.REDACTED, simulator.requests().get(0).header("x-api-key"));
        }
    }

    @Test
    void streamIsNamedEventsWithSplitInputJsonAndCumulativeUsage() throws Exception {
        Script script = Script.builder().callTools("lookup", "{\"key\":\"k1\"}", "delete_file", "{\"path\":\"/tmp/x\"}")
                .answer("a longer answer").build();
        try (ProviderSimulator simulator = ProviderSimulator.builder(script).usage(120, 33).start()) {
            HttpResponse<String> response = post(simulator, "{\"stream\":true,\"max_tokens\":100,\"messages\":[]}");
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            List<Http.Event> events = Http.events(response.body());
            for (Http.Event event : events) {
                assertEquals(event.type(), event.data().path("type").asText(), "every event has an event: line");
            }
            assertEquals("message_start", events.get(0).type());
            JsonNode startUsage = events.get(0).data().at("/message/usage");
            assertEquals(120, startUsage.path("input_tokens").asInt());
            assertEquals(1, startUsage.path("output_tokens").asInt());
            assertEquals("message_stop", events.get(events.size() - 1).type());
            Http.Event delta = events.get(events.size() - 2);
            assertEquals("message_delta", delta.type());
            assertEquals("tool_use", delta.data().at("/delta/stop_reason").asText());
            assertEquals(33, delta.data().at("/usage/output_tokens").asInt(), "cumulative, not 33 - 1");

            StringBuilder[] json = {new StringBuilder(), new StringBuilder()};
            int pieces = 0;
            for (Http.Event event : events) {
                JsonNode data = event.data();
                if (event.type().equals("content_block_start")) {
                    assertEquals("tool_use", data.at("/content_block/type").asText());
                    assertEquals(Script.callId(1, data.path("index").asInt()).replace("call_", "toolu_"),
                            data.at("/content_block/id").asText());
                } else if (event.type().equals("content_block_delta")) {
                    assertEquals("input_json_delta", data.at("/delta/type").asText());
                    json[data.path("index").asInt()].append(data.at("/delta/partial_json").asText());
                    pieces++;
                }
            }
            assertEquals(Http.json("{\"key\":\"k1\"}"), Http.json(json[0].toString()));
            assertEquals(Http.json("{\"path\":\"/tmp/x\"}"), Http.json(json[1].toString()));
            assertTrue(pieces > 2, "partial JSON is split across deltas");

            List<Http.Event> text = Http.events(post(simulator, "{\"stream\":true,\"max_tokens\":100,\"messages\":[]}").body());
            StringBuilder answer = new StringBuilder();
            text.stream().filter(e -> e.type().equals("content_block_delta"))
                    .forEach(e -> answer.append(e.data().at("/delta/text").asText()));
            assertEquals("a longer answer", answer.toString());
            assertEquals("end_turn", text.get(text.size() - 2).data().at("/delta/stop_reason").asText());
            assertTrue(text.stream().anyMatch(e -> e.type().equals("ping")));
            assertTrue(simulator.requests().get(1).streaming());
        }
    }

    @Test
    void toolResultBlocksAreToolResultsKeyedByToolUseId() throws Exception {
        Script script = Script.builder().callTool("delete_file", "path", "/tmp/x").callTool("lookup", "key", "k1").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            post(simulator, "{\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
            String history = """
                    {"role":"user","content":"go"},
                    {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1_0","name":"delete_file","input":{"path":"/tmp/x"}}]},
                    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1_0","is_error":true,
                                               "content":"blocked by policy: x"}]}""";
            post(simulator, "{\"max_tokens\":10,\"messages\":[" + history + "]}");
            String more = history + """
                    ,{"role":"assistant","content":[{"type":"tool_use","id":"toolu_2_0","name":"lookup","input":{"key":"k1"}}]},
                    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2_0",
                                               "content":[{"type":"text","text":"v"},{"type":"text","text":"1"}]}]}""";
            post(simulator, "{\"max_tokens\":10,\"messages\":[" + more + "]}");

            assertEquals(2, simulator.toolResults().size(), simulator.toolResults()::toString);
            assertEquals("toolu_1_0", simulator.toolResults().get(0).toolCallId());
            assertEquals("blocked by policy: x", simulator.toolResult("toolu_1_0").orElseThrow());
            assertEquals("blocked by policy: x", simulator.toolResult(Script.callId(1, 0)).orElseThrow(),
                    "the scripted id finds the Anthropic result too");
            assertEquals("v1", simulator.toolResult("toolu_2_0").orElseThrow());
            assertFalse(simulator.toolResult(Script.callId(3, 0)).isPresent());
        }
    }

    @Test
    void badBodyIsAnAnthropicError() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.empty())) {
            HttpResponse<String> response = post(simulator, "not json");
            assertEquals(400, response.statusCode());
            JsonNode error = Http.json(response.body());
            assertEquals("error", error.path("type").asText());
            assertEquals("invalid_request_error", error.at("/error/type").asText());
            assertEquals(0, simulator.turnsServed());
        }
    }
}
