package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS Bedrock Runtime side of the simulator: Converse JSON, ConverseStream event-stream frames, InvokeModel. */
class BedrockSimulatorTest {

    private record Message(String eventType, JsonNode payload) {}

    /** Splits an event stream into messages, checking both CRC32s of each. */
    private static List<Message> messages(byte[] body) {
        List<Message> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(body);
        while (b.hasRemaining()) {
            int start = b.position();
            int total = b.getInt();
            int headers = b.getInt();
            int preludeCrc = b.getInt();
            CRC32 crc = new CRC32();
            crc.update(body, start, 8);
            assertEquals((int) crc.getValue(), preludeCrc, "prelude CRC");
            crc.reset();
            crc.update(body, start, total - 4);
            assertEquals((int) crc.getValue(), ByteBuffer.wrap(body, start + total - 4, 4).getInt(), "message CRC");
            String eventType = null;
            int h = start + 12;
            while (h < start + 12 + headers) {
                int nameLength = body[h] & 0xff;
                String name = new String(body, h + 1, nameLength, StandardCharsets.UTF_8);
                h += 1 + nameLength;
                assertEquals(7, body[h++], "string headers");
                int valueLength = ((body[h] & 0xff) << 8) | (body[h + 1] & 0xff);
                String value = new String(body, h + 2, valueLength, StandardCharsets.UTF_8);
                h += 2 + valueLength;
                if (name.equals(":event-type")) {
                    eventType = value;
                }
            }
            String payload = new String(body, start + 12 + headers, total - 16 - headers, StandardCharsets.UTF_8);
            out.add(new Message(eventType, Http.json(payload)));
            b.position(start + total);
        }
        return out;
    }

    @Test
    void converseAnswersWithUsageAndToolUse() throws Exception {
        Script script = Script.builder().callTool("lookup", "key", "k1").answer("Paris").build();
        try (ProviderSimulator sim = ProviderSimulator.builder(script).usage(100, 20).cachedTokens(30).start()) {
            String url = sim.bedrockEndpoint() + "/model/amazon.nova-pro-v1%3A0/converse";
            JsonNode call = Http.json(Http.post(url, "{\"messages\":[]}").body());
            assertEquals("tool_use", call.path("stopReason").asText());
            JsonNode use = call.at("/output/message/content/0/toolUse");
            assertEquals("lookup", use.path("name").asText());
            assertEquals("k1", use.at("/input/key").asText());
            JsonNode answer = Http.json(Http.post(url, "{\"messages\":[]}").body());
            assertEquals("Paris", answer.at("/output/message/content/0/text").asText());
            assertEquals(70, answer.at("/usage/inputTokens").asInt(), "the uncached remainder");
            assertEquals(30, answer.at("/usage/cacheReadInputTokens").asInt());
            assertEquals(20, answer.at("/usage/outputTokens").asInt());
        }
    }

    @Test
    void converseStreamFramesEveryEventWithCorrectCrcsAndEndsWithMetadata() throws Exception {
        Script script = Script.builder().answer("Paris is the capital of France").build();
        try (ProviderSimulator sim = ProviderSimulator.builder(script).usage(100, 20).splitEvents(7).start()) {
            HttpResponse<byte[]> response = Http.postBytes(
                    sim.bedrockEndpoint() + "/model/amazon.nova-pro-v1%3A0/converse-stream", "{\"messages\":[]}");
            assertEquals("application/vnd.amazon.eventstream", response.headers().firstValue("content-type").orElse(""));
            List<Message> messages = messages(response.body());
            assertEquals("messageStart", messages.get(0).eventType());
            StringBuilder text = new StringBuilder();
            messages.stream().filter(m -> m.eventType().equals("contentBlockDelta"))
                    .forEach(m -> text.append(m.payload().at("/delta/text").asText()));
            assertEquals("Paris is the capital of France", text.toString());
            Message last = messages.get(messages.size() - 1);
            assertEquals("metadata", last.eventType());
            assertEquals(100, last.payload().at("/usage/inputTokens").asInt());
            assertEquals(20, last.payload().at("/usage/outputTokens").asInt());
        }
    }

    @Test
    void invokeModelSpeaksAnthropicAndFirstRequestsMayBeUnavailable() throws Exception {
        Script script = Script.builder().answer("Paris").build();
        try (ProviderSimulator sim = ProviderSimulator.builder(script).usage(100, 20).bedrockUnavailable(1).start()) {
            String url = sim.bedrockEndpoint() + "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke";
            String body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":50,\"messages\":[]}";
            HttpResponse<String> unavailable = Http.post(url, body);
            assertEquals(503, unavailable.statusCode());
            assertEquals("ServiceUnavailableException", unavailable.headers().firstValue("x-amzn-ErrorType").orElse(""));
            JsonNode message = Http.json(Http.post(url, body).body());
            assertEquals("anthropic.claude-3-haiku-20240307-v1:0", message.path("model").asText());
            assertEquals(100, message.at("/usage/input_tokens").asInt());
            assertTrue(message.at("/content/0/text").asText().equals("Paris"));
            assertEquals(1, sim.turnsServed());
        }
    }
}
