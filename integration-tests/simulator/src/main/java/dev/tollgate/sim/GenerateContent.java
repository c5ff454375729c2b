package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;

/**
 * Renders a {@link Turn} in Gemini API {@code generateContent} wire shapes: one {@code GenerateContentResponse},
 * or the {@code data:} payloads of {@code :streamGenerateContent?alt=sse} (text split across chunks, each chunk with
 * the cumulative {@code usageMetadata}, the last one with {@code finishReason}). {@code promptTokenCount} includes
 * {@code cachedContentTokenCount}; {@code thoughtsTokenCount} is reported apart from {@code candidatesTokenCount}. A tool call becomes a
 * {@code functionCall} part with an {@code args} object and no {@code id} (as the Gemini API sends it).
 */
final class GenerateContent {

    private final String responseId;
    private final String model;
    private final Usage usage;
    private final long answerBytes;

    GenerateContent(String responseId, String model, Usage usage, long answerBytes) {
        this.responseId = responseId;
        this.model = model;
        this.usage = usage;
        this.answerBytes = answerBytes;
    }

    JsonNode response(Turn turn) {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        if (turn instanceof Turn.Answer answer) {
            parts.addObject().put("text", AnswerText.of(answer, answerBytes).full());
        } else if (turn instanceof Turn.ToolCalls calls) {
            for (ToolCall call : calls.calls()) {
                parts.add(functionCallPart(call));
            }
        }
        return chunk(parts, true, usage.visibleTokens());
    }

    /** Emits the {@code data:} payloads of an SSE stream (Gemini ends the stream at end of body, no {@code [DONE]}). */
    void chunks(Turn turn, EventSink chunks) throws IOException {
        int candidatesTokens = usage.visibleTokens();
        if (turn instanceof Turn.Answer answer) {
            List<String> pieces = AnswerText.of(answer, answerBytes).pieces(3);
            if (pieces.isEmpty()) {
                pieces = List.of("");
            }
            for (int i = 0; i < pieces.size(); i++) {
                ArrayNode parts = Json.MAPPER.createArrayNode();
                parts.addObject().put("text", pieces.get(i));
                boolean last = i == pieces.size() - 1;
                int soFar = last ? candidatesTokens
                        : Math.min(candidatesTokens, Math.max(1, (int) ((long) candidatesTokens * (i + 1) / pieces.size())));
                chunks.emit(null, chunk(parts, last, soFar));
            }
        } else if (turn instanceof Turn.ToolCalls calls) {
            ArrayNode parts = Json.MAPPER.createArrayNode();
            for (ToolCall call : calls.calls()) {
                parts.add(functionCallPart(call));
            }
            chunks.emit(null, chunk(parts, true, candidatesTokens));
        }
    }

    private static ObjectNode functionCallPart(ToolCall call) {
        ObjectNode part = Json.MAPPER.createObjectNode();
        ObjectNode functionCall = part.putObject("functionCall");
        functionCall.put("name", call.name());
        functionCall.set("args", Json.argumentsObject(call.argumentsJson()));
        return part;
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
        root.set("usageMetadata", usage.gemini(candidates));
        root.put("modelVersion", model);
        root.put("responseId", responseId);
        return root;
    }
}
