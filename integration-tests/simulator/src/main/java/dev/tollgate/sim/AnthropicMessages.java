package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;

/**
 * Renders a {@link Turn} in Anthropic Messages wire shapes: one {@code message} object, or the named SSE events of a
 * stream ({@code message_start}, then per content block {@code content_block_start}, {@code content_block_delta}...,
 * {@code content_block_stop}, then {@code message_delta} with {@code stop_reason} and the cumulative
 * {@code usage.output_tokens}, then {@code message_stop}). A tool call becomes a {@code tool_use} block with id
 * {@code toolu_<turn>_<index>} (see {@link #toolUseId}) and an {@code input} object, streamed as
 * {@code input_json_delta} pieces of its JSON; an answer becomes a {@code text} block.
 */
final class AnthropicMessages {

    private final String id;
    private final String model;
    private final Usage usage;
    private final long answerBytes;
    private int answerPieces = 3;

    AnthropicMessages(String id, String model, Usage usage, long answerBytes) {
        this.id = id;
        this.model = model;
        this.usage = usage;
        this.answerBytes = answerBytes;
    }

    /** A streamed answer's text is sent in at most this many deltas (default 3; 1 sends it as one line). */
    AnthropicMessages answerPieces(int pieces) {
        this.answerPieces = pieces;
        return this;
    }

    /** The Anthropic id of a scripted call: {@code call_1_0} becomes {@code toolu_1_0}; other ids get a prefix. */
    static String toolUseId(String scriptedCallId) {
        return "toolu_" + (scriptedCallId.startsWith("call_") ? scriptedCallId.substring("call_".length()) : scriptedCallId);
    }

    JsonNode message(Turn turn) {
        ObjectNode root = header();
        ArrayNode content = root.putArray("content");
        if (turn instanceof Turn.Answer answer) {
            ObjectNode text = content.addObject();
            text.put("type", "text");
            text.put("text", AnswerText.of(answer, answerBytes).full());
        } else if (turn instanceof Turn.ToolCalls calls) {
            for (ToolCall call : calls.calls()) {
                ObjectNode block = content.addObject();
                block.put("type", "tool_use");
                block.put("id", toolUseId(call.id()));
                block.put("name", call.name());
                block.set("input", Json.argumentsObject(call.argumentsJson()));
            }
        }
        root.put("stop_reason", stopReason(turn));
        root.putNull("stop_sequence");
        root.set("usage", usage.anthropic(usage.completionTokens()));
        return root;
    }

    void events(Turn turn, EventSink events) throws IOException {
        ObjectNode start = event("message_start");
        ObjectNode message = header();
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.set("usage", usage.anthropic(Math.min(1, usage.completionTokens())));
        start.set("message", message);
        events.emit("message_start", start);
        if (turn instanceof Turn.Answer answer) {
            ObjectNode block = Json.MAPPER.createObjectNode();
            block.put("type", "text");
            block.put("text", "");
            events.emit("content_block_start", blockStart(0, block));
            events.emit("ping", event("ping"));
            for (String piece : AnswerText.of(answer, answerBytes).pieces(answerPieces)) {
                ObjectNode delta = Json.MAPPER.createObjectNode();
                delta.put("type", "text_delta");
                delta.put("text", piece);
                events.emit("content_block_delta", blockDelta(0, delta));
            }
            events.emit("content_block_stop", blockStop(0));
        } else if (turn instanceof Turn.ToolCalls calls) {
            List<ToolCall> list = calls.calls();
            for (int i = 0; i < list.size(); i++) {
                ToolCall call = list.get(i);
                ObjectNode block = Json.MAPPER.createObjectNode();
                block.put("type", "tool_use");
                block.put("id", toolUseId(call.id()));
                block.put("name", call.name());
                block.putObject("input");
                events.emit("content_block_start", blockStart(i, block));
                String json = Json.write(Json.argumentsObject(call.argumentsJson()));
                for (String piece : ChatCompletions.split(json, 3)) {
                    ObjectNode delta = Json.MAPPER.createObjectNode();
                    delta.put("type", "input_json_delta");
                    delta.put("partial_json", piece);
                    events.emit("content_block_delta", blockDelta(i, delta));
                }
                events.emit("content_block_stop", blockStop(i));
            }
        }
        ObjectNode messageDelta = event("message_delta");
        ObjectNode delta = messageDelta.putObject("delta");
        delta.put("stop_reason", stopReason(turn));
        delta.putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", usage.completionTokens());
        events.emit("message_delta", messageDelta);
        events.emit("message_stop", event("message_stop"));
    }

    private static String stopReason(Turn turn) {
        return turn instanceof Turn.ToolCalls ? "tool_use" : "end_turn";
    }

    private ObjectNode header() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", id);
        root.put("type", "message");
        root.put("role", "assistant");
        root.put("model", model);
        return root;
    }

    private static ObjectNode event(String type) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("type", type);
        return event;
    }

    private static ObjectNode blockStart(int index, ObjectNode block) {
        ObjectNode event = event("content_block_start");
        event.put("index", index);
        event.set("content_block", block);
        return event;
    }

    private static ObjectNode blockDelta(int index, ObjectNode delta) {
        ObjectNode event = event("content_block_delta");
        event.put("index", index);
        event.set("delta", delta);
        return event;
    }

    private static ObjectNode blockStop(int index) {
        ObjectNode event = event("content_block_stop");
        event.put("index", index);
        return event;
    }

    /** The Anthropic error body: {@code {"type":"error","error":{"type":..,"message":..}}}. */
    static JsonNode error(String type, String message) {
        ObjectNode root = event("error");
        ObjectNode error = root.putObject("error");
        error.put("type", type);
        error.put("message", message);
        return root;
    }
}
