package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;

/**
 * Renders a {@link Turn} in Ollama native {@code /api/chat} shapes: NDJSON objects with {@code message.content}
 * pieces and {@code done: false}, then a final object with {@code done: true}, {@code done_reason},
 * {@code prompt_eval_count} (input tokens) and {@code eval_count} (output tokens); or (with {@code "stream": false})
 * one such final object carrying the whole message. Tool calls arrive whole in one {@code message.tool_calls} object
 * ({@code function.name}, {@code function.arguments} as a JSON object), as Ollama sends them.
 */
final class OllamaChat {

    private final String model;
    private final Usage usage;
    private final long answerBytes;
    private final String createdAt = Instant.now().toString();

    OllamaChat(String model, Usage usage, long answerBytes) {
        this.model = model;
        this.usage = usage;
        this.answerBytes = answerBytes;
    }

    JsonNode response(Turn turn) {
        ObjectNode last = object(message(turn instanceof Turn.Answer answer ? AnswerText.of(answer, answerBytes).full() : ""));
        if (turn instanceof Turn.ToolCalls calls) {
            ((ObjectNode) last.path("message")).set("tool_calls", toolCalls(calls));
        }
        return done(last);
    }

    void lines(Turn turn, EventSink lines) throws IOException {
        if (turn instanceof Turn.Answer answer) {
            for (String piece : AnswerText.of(answer, answerBytes).pieces(3)) {
                ObjectNode line = object(message(piece));
                line.put("done", false);
                lines.emit(null, line);
            }
        } else if (turn instanceof Turn.ToolCalls calls) {
            ObjectNode message = message("");
            message.set("tool_calls", toolCalls(calls));
            ObjectNode line = object(message);
            line.put("done", false);
            lines.emit(null, line);
        }
        lines.emit(null, done(object(message(""))));
    }

    private static ArrayNode toolCalls(Turn.ToolCalls calls) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (int i = 0; i < calls.calls().size(); i++) {
            ToolCall call = calls.calls().get(i);
            ObjectNode function = array.addObject().putObject("function");
            function.put("index", i);
            function.put("name", call.name());
            function.set("arguments", Json.argumentsObject(call.argumentsJson()));
        }
        return array;
    }

    private static ObjectNode message(String content) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("role", "assistant");
        message.put("content", content);
        return message;
    }

    private ObjectNode object(ObjectNode message) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", model);
        root.put("created_at", createdAt);
        root.set("message", message);
        return root;
    }

    private ObjectNode done(ObjectNode root) {
        root.put("done_reason", "stop");
        root.put("done", true);
        root.put("total_duration", 1_000_000L);
        root.put("load_duration", 1_000L);
        root.put("prompt_eval_count", usage.promptTokens());
        root.put("prompt_eval_duration", 100_000L);
        root.put("eval_count", usage.completionTokens());
        root.put("eval_duration", 800_000L);
        return root;
    }
}
