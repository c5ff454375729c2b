package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A request as the simulator received it. Header names are lower case; secret headers ({@code authorization},
 * {@code proxy-authorization}, {@code x-api-key}, {@code api-key}, {@code x-goog-api-key}) are redacted (scheme kept,
 * secret replaced) so a recorded request can be printed or asserted on safely. Every other header is kept as sent,
 * e.g. {@code x-stainless-retry-count} (see {@link #stainlessRetryCount()}).
 */
public record RecordedRequest(String method, String path, Map<String, List<String>> headers, String rawBody, JsonNode body) {

    public static final String REDACTED = "<redacted>";

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The {@code X-Stainless-Retry-Count} the client sent ({@code "0"} on a first attempt by the OpenAI and Anthropic
     * SDKs), or {@code null} when the request had none.
     */
    public String stainlessRetryCount() {
        return header("x-stainless-retry-count");
    }

    /** Whether the client said this is a retry: an {@code X-Stainless-Retry-Count} other than {@code 0}. */
    public boolean retried() {
        String count = stainlessRetryCount();
        return count != null && !count.trim().equals("0");
    }

    /**
     * OpenAI, Anthropic, Responses: {@code "stream": true}; Gemini: the {@code :streamGenerateContent} method;
     * Ollama {@code /api/chat}: unless {@code "stream": false}.
     */
    public boolean streaming() {
        if (path.endsWith(":streamGenerateContent")) {
            return true;
        }
        return body != null && body.path("stream").asBoolean(ProviderSimulator.OLLAMA_CHAT_PATH.equals(path));
    }

    /**
     * The tool results in this request, in order: OpenAI chat {@code role: tool} messages (keyed by
     * {@code tool_call_id}), Anthropic {@code tool_result} blocks of user messages (keyed by {@code tool_use_id}), Bedrock
     * Converse {@code toolResult} blocks (keyed by {@code toolUseId}) and
     * Responses {@code function_call_output} input items (keyed by {@code call_id}).
     */
    public List<ProviderSimulator.ToolResult> toolResults() {
        List<ProviderSimulator.ToolResult> result = new ArrayList<>();
        if (body == null) {
            return result;
        }
        for (JsonNode message : body.path("messages")) {
            String role = message.path("role").asText();
            if ("tool".equals(role)) {
                result.add(new ProviderSimulator.ToolResult(message.path("tool_call_id").asText(),
                        textOf(message.path("content"))));
            } else if ("user".equals(role) && message.path("content").isArray()) {
                for (JsonNode block : message.path("content")) {
                    if ("tool_result".equals(block.path("type").asText())) {
                        result.add(new ProviderSimulator.ToolResult(block.path("tool_use_id").asText(),
                                textOf(block.path("content"))));
                    } else if (block.has("toolResult")) { // Bedrock Converse
                        JsonNode toolResult = block.path("toolResult");
                        result.add(new ProviderSimulator.ToolResult(toolResult.path("toolUseId").asText(),
                                textOf(toolResult.path("content"))));
                    }
                }
            }
        }
        if (body.path("input").isArray()) {
            for (JsonNode item : body.path("input")) {
                if ("function_call_output".equals(item.path("type").asText())) {
                    result.add(new ProviderSimulator.ToolResult(item.path("call_id").asText(), textOf(item.path("output"))));
                }
            }
        }
        return result;
    }

    /** Content is a string, or an array of parts with {@code text} ({@code text}, {@code input_text} blocks). */
    static String textOf(JsonNode content) {
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            content.forEach(part -> text.append(part.path("text").asText("")));
            return text.toString();
        }
        return content.isNull() || content.isMissingNode() ? "" : content.asText();
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
