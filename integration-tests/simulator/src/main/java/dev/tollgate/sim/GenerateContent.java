package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Turn} in Gemini API {@code generateContent} wire shapes: one {@code GenerateContentResponse},
 * or the {@code data:} payloads of {@code :streamGenerateContent?alt=sse} (text split across chunks, each chunk with
 * the cumulative {@code usageMetadata}, the last one with {@code finishReason}). A tool call becomes a
 * {@code functionCall} part with an {@code args} object and no {@code id} (as the Gemini API sends it).
 */
final class GenerateContent {

    private final String responseId;
    private final String model;
    private final int promptTokens;
    private final int candidatesTokens;

    GenerateContent(String responseId, String model, String requestBody, Turn turn) {
        this.responseId = responseId;
        this.model = model;
        ChatCompletions.Usage usage = ChatCompletions.estimateUsage(requestBody, turn);
        this.promptTokens = usage.promptTokens();
        this.candidatesTokens = usage.completionTokens();
    }

    JsonNode response(Turn turn) {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        if (turn instanceof Turn.Answer answer) {
            parts.addObject().put("text", answer.text());
        } else if (turn instanceof Turn.ToolCalls calls) {
            for (ToolCall call : calls.calls()) {
                parts.add(functionCallPart(call));
            }
        }
        return chunk(parts, true, candidatesTokens);
    }

    /** The {@code data:} payloads of an SSE stream (Gemini ends the stream at end of body, no {@code [DONE]}). */
    List<JsonNode> chunks(Turn turn) {
        List<JsonNode> chunks = new ArrayList<>();
        if (turn instanceof Turn.Answer answer) {
            List<String> pieces = ChatCompletions.split(answer.text(), 3);
            if (pieces.isEmpty()) {
                pieces = List.of("");
            }
            for (int i = 0; i < pieces.size(); i++) {
                ArrayNode parts = Json.MAPPER.createArrayNode();
                parts.addObject().put("text", pieces.get(i));
                boolean last = i == pieces.size() - 1;
                chunks.add(chunk(parts, last, last ? candidatesTokens : Math.max(1, candidatesTokens * (i + 1) / pieces.size())));
            }
        } else if (turn instanceof Turn.ToolCalls calls) {
            ArrayNode parts = Json.MAPPER.createArrayNode();
            for (ToolCall call : calls.calls()) {
                parts.add(functionCallPart(call));
            }
            chunks.add(chunk(parts, true, candidatesTokens));
        }
        return chunks;
    }

    private static ObjectNode functionCallPart(ToolCall call) {
        ObjectNode part = Json.MAPPER.createObjectNode();
        ObjectNode functionCall = part.putObject("functionCall");
        functionCall.put("name", call.name());
        functionCall.set("args", argsObject(call.argumentsJson()));
        return part;
    }

    private static JsonNode argsObject(String argumentsJson) {
        try {
            JsonNode args = Json.MAPPER.readTree(argumentsJson);
            return args != null && args.isObject() ? args : Json.MAPPER.createObjectNode();
        } catch (IOException e) {
            throw new IllegalArgumentException("scripted arguments are not a JSON object: " + argumentsJson, e);
        }
    }

    private ObjectNode chunk(ArrayNode parts, boolean last, int candidates) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode candidate = root.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content");
        content.set("parts", parts);
        content.put("role", "model");
        if (last) {
            candidate.put("finishReason", "STOP");
        }
        candidate.put("index", 0);
        ObjectNode usage = root.putObject("usageMetadata");
        usage.put("promptTokenCount", promptTokens);
        usage.put("candidatesTokenCount", candidates);
        usage.put("totalTokenCount", promptTokens + candidates);
        ObjectNode details = usage.putArray("promptTokensDetails").addObject();
        details.put("modality", "TEXT");
        details.put("tokenCount", promptTokens);
        root.put("modelVersion", model);
        root.put("responseId", responseId);
        return root;
    }
}
