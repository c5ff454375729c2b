package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Ollama native side of the simulator: {@code POST /api/chat}, NDJSON by default. */
class OllamaSimulatorTest {

    private static HttpResponse<String> post(ProviderSimulator simulator, String body) throws Exception {
        return Http.post(simulator.ollamaBaseUrl() + "/api/chat", body);
    }

    @Test
    void streamsNdjsonByDefaultAndEndsWithDoneAndCounts() throws Exception {
        Script script = Script.builder().callTool("lookup", "key", "k1").answer("a longer answer").build();
        try (ProviderSimulator simulator = ProviderSimulator.builder(script).usage(26, 298).start()) {
            HttpResponse<String> calls = post(simulator, "{\"model\":\"llama3.2\",\"messages\":[]}");
            assertEquals("application/x-ndjson", calls.headers().firstValue("content-type").orElse(""));
            List<JsonNode> callLines = Http.ndjson(calls.body());
            JsonNode call = callLines.get(0).at("/message/tool_calls/0/function");
            assertEquals("lookup", call.path("name").asText());
            assertEquals("k1", call.at("/arguments/key").asText(), "arguments are an object");

            List<JsonNode> lines = Http.ndjson(post(simulator, "{\"model\":\"llama3.2\",\"messages\":[]}").body());
            assertTrue(lines.size() > 2, lines::toString);
            StringBuilder text = new StringBuilder();
            for (JsonNode line : lines.subList(0, lines.size() - 1)) {
                assertFalse(line.path("done").asBoolean());
                assertFalse(line.has("eval_count"));
                text.append(line.at("/message/content").asText());
            }
            assertEquals("a longer answer", text.toString());
            JsonNode last = lines.get(lines.size() - 1);
            assertTrue(last.path("done").asBoolean());
            assertEquals("stop", last.path("done_reason").asText());
            assertEquals(26, last.path("prompt_eval_count").asInt());
            assertEquals(298, last.path("eval_count").asInt());
            assertEquals("llama3.2", last.path("model").asText());
            assertTrue(simulator.requests().get(0).streaming(), "stream defaults to true");
        }
    }

    @Test
    void streamFalseIsOneObject() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.builder().answer("fine").build())) {
            HttpResponse<String> response = post(simulator, "{\"model\":\"llama3.2\",\"stream\":false,\"messages\":[]}");
            assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
            JsonNode json = Http.json(response.body());
            assertEquals("fine", json.at("/message/content").asText());
            assertTrue(json.path("done").asBoolean());
            assertTrue(json.path("prompt_eval_count").asInt() > 0);
            assertTrue(json.path("eval_count").asInt() > 0);
            assertFalse(simulator.requests().get(0).streaming());
        }
    }
}
