package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A request as the simulator received it. Header names are lower case; {@code authorization} is redacted
 * (scheme kept, secret replaced) so a recorded request can be printed or asserted on safely.
 */
public record RecordedRequest(String method, String path, Map<String, List<String>> headers, String rawBody, JsonNode body) {

    public static final String REDACTED = "<redacted>";

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public boolean streaming() {
        return body != null && body.path("stream").asBoolean(false);
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
