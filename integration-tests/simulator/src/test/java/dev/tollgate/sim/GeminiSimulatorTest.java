package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Gemini API side of the simulator: {@code :generateContent} and {@code :streamGenerateContent?alt=sse}. */
class GeminiSimulatorTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static HttpResponse<String> post(ProviderSimulator simulator, String pathAndQuery, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(simulator.geminiBaseUrl() + pathAndQuery))
                .header("Content-Type", "application/json")
                .header("x-goog-api-key", "test-key-SECRET-123")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static final String GENERATE = "/v1beta/models/gemini-2.0-flash:generateContent";

    @Test
    void toolCallTurnIsAFunctionCallPartAndAnswerIsText() throws Exception {
        Script script = Script.builder().callTool("lookup", "key", "k1").answer("fine").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            HttpResponse<String> response = post(simulator, GENERATE, "{\"contents\":[]}");
            assertEquals(200, response.statusCode(), response.body());
            JsonNode json = Json.MAPPER.readTree(response.body());
            JsonNode candidate = json.path("candidates").path(0);
            assertEquals("model", candidate.path("content").path("role").asText());
            assertEquals("STOP", candidate.path("finishReason").asText());
            JsonNode call = candidate.path("content").path("parts").path(0).path("functionCall");
            assertEquals("lookup", call.path("name").asText());
            assertEquals("k1", call.path("args").path("key").asText());
            assertFalse(call.has("id"), "the Gemini API sends no call ids");
            JsonNode usage = json.path("usageMetadata");
            assertTrue(usage.path("promptTokenCount").asInt() > 0);
            assertEquals(usage.path("promptTokenCount").asInt() + usage.path("candidatesTokenCount").asInt(),
                    usage.path("totalTokenCount").asInt());
            assertEquals("gemini-2.0-flash", json.path("modelVersion").asText());

            JsonNode answer = Json.MAPPER.readTree(post(simulator, GENERATE, "{\"contents\":[]}").body());
            assertEquals("fine", answer.path("candidates").path(0).path("content").path("parts").path(0).path("text").asText());
            assertEquals(2, simulator.turnsServed());
        }
    }

    @Test
    void streamIsSseWithCumulativeUsageAndNoDone() throws Exception {
        Script script = Script.builder().callTool("lookup", "key", "k1").answer("a longer answer").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            String path = "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse";
            HttpResponse<String> calls = post(simulator, path, "{\"contents\":[]}");
            assertEquals(200, calls.statusCode(), calls.body());
            assertTrue(calls.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            List<JsonNode> callChunks = dataLines(calls.body());
            assertEquals(1, callChunks.size(), "a function call arrives whole");
            assertEquals("lookup", callChunks.get(0).at("/candidates/0/content/parts/0/functionCall/name").asText());

            List<JsonNode> chunks = dataLines(post(simulator, path, "{\"contents\":[]}").body());
            assertTrue(chunks.size() > 1, chunks::toString);
            StringBuilder text = new StringBuilder();
            int lastCandidates = 0;
            for (JsonNode chunk : chunks) {
                text.append(chunk.at("/candidates/0/content/parts/0/text").asText());
                int candidates = chunk.at("/usageMetadata/candidatesTokenCount").asInt();
                assertTrue(candidates >= lastCandidates, "usage is cumulative");
                lastCandidates = candidates;
            }
            assertEquals("a longer answer", text.toString());
            assertEquals("STOP", chunks.get(chunks.size() - 1).at("/candidates/0/finishReason").asText());
            assertFalse(chunks.get(0).at("/candidates/0").has("finishReason"));
            assertTrue(simulator.requests().get(0).streaming());
        }
    }

    @Test
    void functionResponsesAreMatchedToScriptedCallsByOrderAndName() throws Exception {
        Script script = Script.builder()
                .callTool("delete_file", "path", "/tmp/x")
                .callTools("lookup", "{\"key\":\"k1\"}", "lookup", "{\"key\":\"k2\"}")
                .answer("done").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            post(simulator, GENERATE, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"go\"}]}]}");
            String afterDelete = """
                    {"role":"user","parts":[{"text":"go"}]},
                    {"role":"model","parts":[{"functionCall":{"name":"delete_file","args":{"path":"/tmp/x"}}}]},
                    {"role":"user","parts":[{"functionResponse":{"name":"delete_file","response":{"error":"no"}}}]}""";
            post(simulator, GENERATE, "{\"contents\":[" + afterDelete + "]}");
            String afterLookups = afterDelete + """
                    ,{"role":"model","parts":[{"functionCall":{"name":"lookup","args":{"key":"k1"}}},
                                             {"functionCall":{"name":"lookup","args":{"key":"k2"}}}]},
                    {"role":"user","parts":[{"functionResponse":{"name":"lookup","response":{"result":"v1"}}},
                                            {"functionResponse":{"id":"call_2_1","name":"lookup","response":{"result":"v2"}}}]}""";
            post(simulator, GENERATE, "{\"contents\":[" + afterLookups + "]}");

            assertEquals("no", simulator.functionResponse(Script.callId(1, 0)).orElseThrow().path("error").asText());
            assertEquals("v1", simulator.functionResponse(Script.callId(2, 0)).orElseThrow().path("result").asText());
            assertEquals("v2", simulator.functionResponse(Script.callId(2, 1)).orElseThrow().path("result").asText());
            assertEquals(3, simulator.functionResponses().size(), "repeated history is not counted twice");
            assertTrue(simulator.toolResults().isEmpty(), "OpenAI tool messages are a separate view");
        }
    }

    @Test
    void aSecondConversationIsMatchedByTheCallsItAnswersNotByPosition() throws Exception {
        Script script = Script.builder()
                .callTool("lookup", "key", "k1").answer("first")
                .callTool("lookup", "key", "k2").callTool("lookup", "key", "k1").answer("second").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            String k1 = "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"lookup\",\"args\":{\"key\":\"k1\"}}}]}";
            String k2 = "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"lookup\",\"args\":{\"key\":\"k2\"}}}]}";
            String answer = "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"lookup\",\"response\":{\"result\":\"%s\"}}}]}";
            String go = "{\"role\":\"user\",\"parts\":[{\"text\":\"go\"}]}";
            post(simulator, GENERATE, "{\"contents\":[" + go + "]}");
            post(simulator, GENERATE, "{\"contents\":[" + go + "," + k1 + "," + answer.formatted("first-k1") + "]}");
            // a new session: its history starts over, so position alone would take k2's answer for call_1_0
            post(simulator, GENERATE, "{\"contents\":[" + go + "]}");
            post(simulator, GENERATE, "{\"contents\":[" + go + "," + k2 + "," + answer.formatted("v2") + "]}");
            post(simulator, GENERATE, "{\"contents\":[" + go + "," + k2 + "," + answer.formatted("v2") + "," + k1 + ","
                    + answer.formatted("second-k1") + "]}");

            assertEquals("first-k1", simulator.functionResponse(Script.callId(1, 0)).orElseThrow().path("result").asText());
            assertEquals("v2", simulator.functionResponse(Script.callId(3, 0)).orElseThrow().path("result").asText());
            assertEquals("second-k1", simulator.functionResponse(Script.callId(4, 0)).orElseThrow().path("result").asText());
            assertEquals(3, simulator.functionResponses().size(), simulator.functionResponses()::toString);
        }
    }

    @Test
    void apiKeyHeaderIsRedactedAndUnknownMethodIsAGoogleError() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.empty())) {
            HttpResponse<String> response = post(simulator, "/v1beta/models/gemini-2.0-flash:countTokens", "{}");
            assertEquals(404, response.statusCode());
            JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
            assertEquals(404, error.path("code").asInt());
            assertEquals("NOT_FOUND", error.path("status").asText());
            assertEquals(RecordedRequest.REDACTED, simulator.requests().get(0).header("x-goog-api-key"));
            assertEquals(0, simulator.turnsServed());
        }
    }

    private static List<JsonNode> dataLines(String body) {
        return body.lines().filter(l -> l.startsWith("data: ")).map(l -> {
            try {
                return Json.MAPPER.readTree(l.substring("data: ".length()));
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }
}
