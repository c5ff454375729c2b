package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Turn} in OpenAI Chat Completions wire shapes: one {@code chat.completion} object, or the
 * {@code chat.completion.chunk} sequence of a stream (tool-call arguments split across chunks, usage chunk with
 * {@code choices: []} when the request asked for it).
 */
final class ChatCompletions {

    private final String id;
    private final long created;
    private final String model;
    private final Usage usage;
    private int answerPieces = 3;

    ChatCompletions(String id, long created, String model, Usage usage) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.usage = usage;
    }

    /** A streamed answer's text is sent in at most this many deltas (default 3; 1 sends it as one line). */
    ChatCompletions answerPieces(int pieces) {
        this.answerPieces = pieces;
        return this;
    }

    JsonNode completion(Turn turn, long answerBytes) {
        ObjectNode root = header("chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (turn instanceof Turn.Answer answer) {
            message.put("content", AnswerText.of(answer, answerBytes).full());
        } else if (turn instanceof Turn.ToolCalls calls) {
            message.putNull("content");
            ArrayNode toolCalls = message.putArray("tool_calls");
            for (ToolCall call : calls.calls()) {
                ObjectNode toolCall = toolCalls.addObject();
                toolCall.put("id", call.id());
                toolCall.put("type", "function");
                ObjectNode function = toolCall.putObject("function");
                function.put("name", call.name());
                function.put("arguments", call.argumentsJson());
            }
        }
        message.putNull("refusal");
        message.putArray("annotations");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(turn));
        root.set("usage", usage.openAiChat());
        root.put("service_tier", "default");
        root.putNull("system_fingerprint");
        return root;
    }

    /** Emits the {@code data:} payloads of a stream, without the final {@code [DONE]}. */
    void chunks(Turn turn, boolean includeUsage, long answerBytes, EventSink chunks) throws IOException {
        if (turn instanceof Turn.Answer answer) {
            ObjectNode first = Json.MAPPER.createObjectNode();
            first.put("role", "assistant");
            first.put("content", "");
            chunks.emit(null, chunkOf(first, includeUsage));
            for (String piece : AnswerText.of(answer, answerBytes).pieces(answerPieces)) {
                ObjectNode delta = Json.MAPPER.createObjectNode();
                delta.put("content", piece);
                chunks.emit(null, chunkOf(delta, includeUsage));
            }
        } else if (turn instanceof Turn.ToolCalls calls) {
            for (int i = 0; i < calls.calls().size(); i++) {
                ToolCall call = calls.calls().get(i);
                ObjectNode open = Json.MAPPER.createObjectNode();
                if (i == 0) {
                    open.put("role", "assistant");
                    open.putNull("content");
                }
                ObjectNode toolCall = open.putArray("tool_calls").addObject();
                toolCall.put("index", i);
                toolCall.put("id", call.id());
                toolCall.put("type", "function");
                ObjectNode function = toolCall.putObject("function");
                function.put("name", call.name());
                function.put("arguments", "");
                chunks.emit(null, chunkOf(open, includeUsage));
                for (String piece : split(call.argumentsJson(), 3)) {
                    ObjectNode delta = Json.MAPPER.createObjectNode();
                    ObjectNode argumentDelta = delta.putArray("tool_calls").addObject();
                    argumentDelta.put("index", i);
                    argumentDelta.putObject("function").put("arguments", piece);
                    chunks.emit(null, chunkOf(delta, includeUsage));
                }
            }
        }
        ObjectNode last = header("chat.completion.chunk");
        ObjectNode choice = last.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(turn));
        if (includeUsage) {
            last.putNull("usage");
        }
        chunks.emit(null, last);
        if (includeUsage) {
            ObjectNode usageChunk = header("chat.completion.chunk");
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage.openAiChat());
            chunks.emit(null, usageChunk);
        }
    }

    private static String finishReason(Turn turn) {
        return turn instanceof Turn.ToolCalls ? "tool_calls" : "stop";
    }

    private ObjectNode header(String object) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private ObjectNode chunkOf(ObjectNode delta, boolean includeUsage) {
        ObjectNode chunk = header("chat.completion.chunk");
        chunk.put("service_tier", "default");
        chunk.putNull("system_fingerprint");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    /** Splits into at most {@code parts} non-empty pieces (fewer when the text is short). */
    static List<String> split(String text, int parts) {
        List<String> pieces = new ArrayList<>();
        if (text.isEmpty()) {
            return pieces;
        }
        int size = Math.max(1, (text.length() + parts - 1) / parts);
        for (int start = 0; start < text.length(); start += size) {
            pieces.add(text.substring(start, Math.min(text.length(), start + size)));
        }
        return pieces;
    }
}
