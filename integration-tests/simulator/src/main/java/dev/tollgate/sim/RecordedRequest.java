package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A request as the simulator received it. Header names are lower case; {@code authorization} (and API-key headers such as {@code x-goog-api-key}) is redacted
 * (scheme kept, secret replaced) so a recorded request can be printed or asserted on safely.
 */
public record RecordedRequest(String method, String path, Map<String, List<String>> headers, String rawBody, JsonNode body) {

    public static final String REDACTED = "<redacted>";

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** OpenAI: {@code "stream": true}; Gemini: the {@code :streamGenerateContent} method. */
    public boolean streaming() {
        return body != null && body.path("stream").asBoolean(false) || path.endsWith(":streamGenerateContent");
    }

    /** The Gemini {@code functionResponse} objects in this request's {@code contents}, in order. */
    public List<JsonNode> functionResponses() {
        List<JsonNode> result = new ArrayList<>();
        if (body != null) {
            for (JsonNode content : body.path("contents")) {
                for (JsonNode part : content.path("parts")) {
                    if (part.has("functionResponse")) {
                        result.add(part.path("functionResponse"));
                    }
                }
            }
        }
        return result;
    }

    /** The {@code role: tool} messages of this request's conversation, in order. */
    public List<JsonNode> toolMessages() {
        List<JsonNode> result = new ArrayList<>();
        if (body != null) {
            for (JsonNode message : body.path("messages")) {
                if ("tool".equals(message.path("role").asText())) {
                    result.add(message);
                }
            }
        }
        return result;
    }
}
