package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProviderSimulatorTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static HttpResponse<String> post(ProviderSimulator simulator, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer sk-test-SECRET-123")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void toolCallTurnHasOpenAiShapeAndUsage() throws Exception {
        Script script = Script.builder().callTool("lookup", "key", "k1").answer("fine").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            HttpResponse<String> response = post(simulator, "{\"model\":\"gpt-4o-mini\",\"messages\":[]}");
            assertEquals(200, response.statusCode());
            JsonNode json = Json.MAPPER.readTree(response.body());
            assertEquals("chat.completion", json.path("object").asText());
            JsonNode choice = json.path("choices").path(0);
            assertEquals("tool_calls", choice.path("finish_reason").asText());
            JsonNode call = choice.path("message").path("tool_calls").path(0);
            assertEquals("call_1_0", call.path("id").asText());
            assertEquals("function", call.path("type").asText());
            assertEquals("lookup", call.path("function").path("name").asText());
            assertEquals("{\"key\":\"k1\"}", call.path("function").path("arguments").asText());
            JsonNode usage = json.path("usage");
            assertEquals(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt(),
                    usage.path("total_tokens").asInt());
            assertTrue(usage.path("prompt_tokens_details").has("cached_tokens"));
            assertTrue(usage.path("completion_tokens_details").has("reasoning_tokens"));

            JsonNode answer = Json.MAPPER.readTree(post(simulator, "{\"messages\":[]}").body());
            assertEquals("fine", answer.path("choices").path(0).path("message").path("content").asText());
            assertEquals("stop", answer.path("choices").path(0).path("finish_reason").asText());
            JsonNode fallback = Json.MAPPER.readTree(post(simulator, "{\"messages\":[]}").body());
            assertEquals(Script.FALLBACK_ANSWER, fallback.path("choices").path(0).path("message").path("content").asText());
            assertEquals(3, simulator.turnsServed());
        }
    }

    @Test
    void streamSplitsToolArgumentsAndEndsWithUsageThenDone() throws Exception {
        Script script = Script.builder().callTools("lookup", "{\"key\":\"k1\"}", "lookup", "{\"key\":\"k2\"}").build();
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            HttpResponse<String> response = post(simulator,
                    "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            List<String> data = new ArrayList<>();
            for (String line : response.body().split("\n")) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
            assertEquals("[DONE]", data.get(data.size() - 1));
            JsonNode usageChunk = Json.MAPPER.readTree(data.get(data.size() - 2));
            assertEquals(0, usageChunk.path("choices").size());
            assertTrue(usageChunk.path("usage").path("total_tokens").asInt() > 0);
            JsonNode finish = Json.MAPPER.readTree(data.get(data.size() - 3));
            assertEquals("tool_calls", finish.path("choices").path(0).path("finish_reason").asText());

            StringBuilder[] arguments = {new StringBuilder(), new StringBuilder()};
            int argumentChunks = 0;
            for (String payload : data.subList(0, data.size() - 3)) {
                JsonNode chunk = Json.MAPPER.readTree(payload);
                assertEquals("chat.completion.chunk", chunk.path("object").asText());
                for (JsonNode call : chunk.path("choices").path(0).path("delta").path("tool_calls")) {
                    String piece = call.path("function").path("arguments").asText();
                    arguments[call.path("index").asInt()].append(piece);
                    argumentChunks += piece.isEmpty() ? 0 : 1;
                }
            }
            assertEquals("{\"key\":\"k1\"}", arguments[0].toString());
            assertEquals("{\"key\":\"k2\"}", arguments[1].toString());
            assertTrue(argumentChunks > 2, "arguments should arrive split across chunks");
        }
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsage() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.builder().answer("hello there").build())) {
            String body = post(simulator, "{\"stream\":true,\"messages\":[]}").body();
            assertFalse(body.contains("\"usage\""));
            assertTrue(body.contains("\"finish_reason\":\"stop\""));
            assertTrue(body.endsWith("data: [DONE]\n\n"));
        }
    }

    @Test
    void recordsToolResultsAndRedactsAuthorization() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.empty())) {
            post(simulator, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"call_1_0\",\"content\":\"blocked by policy: x\"}]}");
            RecordedRequest request = simulator.requests().get(0);
            assertEquals("Bearer " + RecordedRequest.REDACTED, request.header("Authorization"));
            assertFalse(request.headers().toString().contains("SECRET"));
            assertEquals("blocked by policy: x", simulator.toolResult("call_1_0").orElseThrow());
        }
    }

    @Test
    void unknownPathIs404InOpenAiErrorShape() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.empty())) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/embeddings"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode());
            assertTrue(Json.MAPPER.readTree(response.body()).path("error").has("message"));
            assertEquals(0, simulator.turnsServed());
        }
    }

    private static HttpResponse<String> azure(ProviderSimulator simulator, String deployment, String body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(simulator.azureEndpoint() + "/openai/deployments/"
                        + deployment + "/chat/completions?api-version=2024-10-21"))
                .header("Content-Type", "application/json")
                .header("api-key", "azure-test-SECRET-456")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void azureDeploymentsAnswerInTheOpenAiChatFormatAsTheModelBehindTheDeployment() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            JsonNode named = Json.MAPPER.readTree(azure(simulator, "prod-chat", "{\"messages\":[]}").body());
            assertEquals("prod-chat", named.path("model").asText(), "no model in the request: the deployment");
            assertEquals(100, named.path("usage").path("prompt_tokens").asInt());
            JsonNode asked = Json.MAPPER.readTree(
                    azure(simulator, "prod-chat", "{\"model\":\"gpt-4o\",\"messages\":[]}").body());
            assertEquals("gpt-4o", asked.path("model").asText());
            assertEquals("<redacted>", simulator.requests().get(0).header("api-key"));
            assertEquals("/openai/deployments/prod-chat/chat/completions", simulator.requests().get(0).path());
        }
        try (ProviderSimulator simulator = ProviderSimulator.builder(Script.empty()).azureModel("gpt-4o-2024-08-06")
                .start()) {
            HttpResponse<String> stream = azure(simulator, "prod-chat",
                    "{\"model\":\"prod-chat\",\"stream\":true,\"messages\":[]}");
            assertTrue(stream.body().contains("\"model\":\"gpt-4o-2024-08-06\""), stream.body());
            assertTrue(stream.body().endsWith("data: [DONE]\n\n"), stream.body());
        }
    }

    @Test
    void unavailableFirstAnswers503WithARetryHintAndConsumesNoTurn() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.builder(Script.builder().answer("first").build())
                .unavailableFirst(1).start()) {
            HttpResponse<String> refused = post(simulator, "{\"messages\":[]}");
            assertEquals(503, refused.statusCode());
            assertEquals("10", refused.headers().firstValue("retry-after-ms").orElseThrow());
            HttpResponse<String> served = post(simulator, "{\"messages\":[]}");
            assertEquals(200, served.statusCode());
            assertTrue(served.body().contains("first"), served.body());
            assertEquals(2, simulator.requestCount());
            assertEquals(1, simulator.turnsServed());
        }
    }
}
