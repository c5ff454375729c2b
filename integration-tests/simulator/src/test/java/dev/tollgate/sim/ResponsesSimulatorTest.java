package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAI Responses side of the simulator: {@code POST /v1/responses}, JSON and SSE. */
class ResponsesSimulatorTest {

    private static HttpResponse<String> post(ProviderSimulator simulator, String body) throws Exception {
        return Http.post(simulator.baseUrl() + "/responses", body, "Authorization", "Bearer sk-SECRET-123");
    }

    @Test
    void toolCallTurnIsFunctionCallItemsAndAnswerIsAMessage() throws Exception {
        Script script = Script.builder().callTool("lookup", "key", "k1").answer("fine").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            HttpResponse<String> response = post(simulator, "{\"model\":\"gpt-5.4\",\"input\":\"go\"}");
            assertEquals(200, response.statusCode(), response.body());
            JsonNode json = Http.json(response.body());
            assertEquals("response", json.path("object").asText());
            assertEquals("completed", json.path("status").asText());
            assertEquals("gpt-5.4", json.path("model").asText());
            JsonNode call = json.path("output").path(0);
            assertEquals("function_call", call.path("type").asText());
            assertEquals("call_1_0", call.path("call_id").asText());
            assertEquals("lookup", call.path("name").asText());
            assertEquals("{\"key\":\"k1\"}", call.path("arguments").asText(), "arguments are a JSON string");
            JsonNode usage = json.path("usage");
            assertEquals(usage.path("input_tokens").asInt() + usage.path("output_tokens").asInt(),
                    usage.path("total_tokens").asInt());
            assertTrue(usage.path("input_tokens_details").has("cached_tokens"));
            assertTrue(usage.path("output_tokens_details").has("reasoning_tokens"));

            JsonNode answer = Http.json(post(simulator, "{\"input\":\"go\"}").body()).path("output").path(0);
            assertEquals("message", answer.path("type").asText());
            assertEquals("output_text", answer.at("/content/0/type").asText());
            assertEquals("fine", answer.at("/content/0/text").asText());
        }
    }

    @Test
    void streamIsNamedEventsEndingWithCompletedCarryingTheOnlyUsage() throws Exception {
        Script script = Script.builder().callTool("lookup", "key", "k1").answer("a longer answer").build();
        try (ProviderSimulator simulator = ProviderSimulator.builder(script).usage(200, 50).cachedTokens(150)
                .reasoningTokens(20).start()) {
            List<Http.Event> calls = Http.events(post(simulator, "{\"stream\":true,\"input\":\"go\"}").body());
            for (int i = 0; i < calls.size(); i++) {
                assertEquals(calls.get(i).type(), calls.get(i).data().path("type").asText());
                assertEquals(i, calls.get(i).data().path("sequence_number").asInt());
            }
            assertEquals("response.created", calls.get(0).type());
            assertTrue(calls.get(0).data().at("/response/usage").isNull());
            assertEquals("response.output_item.added", calls.get(2).type());
            assertEquals("function_call", calls.get(2).data().at("/item/type").asText());
            StringBuilder arguments = new StringBuilder();
            calls.stream().filter(e -> e.type().equals("response.function_call_arguments.delta"))
                    .forEach(e -> arguments.append(e.data().path("delta").asText()));
            assertEquals("{\"key\":\"k1\"}", arguments.toString());
            Http.Event completed = calls.get(calls.size() - 1);
            assertEquals("response.completed", completed.type());
            assertEquals("call_1_0", completed.data().at("/response/output/0/call_id").asText());
            JsonNode usage = completed.data().at("/response/usage");
            assertEquals(200, usage.path("input_tokens").asInt());
            assertEquals(150, usage.at("/input_tokens_details/cached_tokens").asInt());
            assertEquals(50, usage.path("output_tokens").asInt());
            assertEquals(20, usage.at("/output_tokens_details/reasoning_tokens").asInt());
            assertEquals(250, usage.path("total_tokens").asInt());
            assertEquals(1, calls.stream().filter(e -> !e.data().at("/response/usage").isMissingNode()
                    && !e.data().at("/response/usage").isNull()).count());

            String body = post(simulator, "{\"stream\":true,\"input\":\"go\"}").body();
            assertFalse(body.contains("[DONE]"));
            List<Http.Event> text = Http.events(body);
            StringBuilder answer = new StringBuilder();
            text.stream().filter(e -> e.type().equals("response.output_text.delta"))
                    .forEach(e -> answer.append(e.data().path("delta").asText()));
            assertEquals("a longer answer", answer.toString());
            assertTrue(text.stream().filter(e -> e.type().equals("response.output_text.delta")).count() > 1);
            assertEquals("a longer answer", text.get(text.size() - 1).data().at("/response/output/0/content/0/text").asText());
        }
    }

    @Test
    void functionCallOutputItemsAreToolResults() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.empty())) {
            post(simulator, """
                    {"input":[{"role":"user","content":"go"},
                              {"type":"function_call","call_id":"call_1_0","name":"lookup","arguments":"{}"},
                              {"type":"function_call_output","call_id":"call_1_0","output":"blocked by policy: x"},
                              {"type":"function_call_output","call_id":"call_1_1",
                               "output":[{"type":"input_text","text":"v2"}]}]}""");
            assertEquals("blocked by policy: x", simulator.toolResult("call_1_0").orElseThrow());
            assertEquals("v2", simulator.toolResult("call_1_1").orElseThrow());
            assertEquals(2, simulator.toolResults().size());
        }
    }
}
