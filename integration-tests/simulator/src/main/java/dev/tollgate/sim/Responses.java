package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;

/**
 * Renders a {@link Turn} in OpenAI Responses API wire shapes: one {@code response} object, or the named SSE events of
 * a stream ({@code response.created}, {@code response.in_progress}, per output item {@code response.output_item.added}
 * ... {@code response.output_item.done}, then {@code response.completed} whose {@code response.usage} is the only
 * usage; no {@code [DONE]}). An answer is a {@code message} item with one {@code output_text} part streamed as
 * {@code response.output_text.delta} events; a tool call is a {@code function_call} item ({@code call_id} = the
 * scripted id, {@code arguments} a JSON string) streamed as {@code response.function_call_arguments.delta} events.
 */
final class Responses {

    private final String id;
    private final long createdAt;
    private final String model;
    private final Usage usage;
    private final long answerBytes;
    private final JsonNode request;
    private int sequence;

    Responses(String id, long createdAt, String model, Usage usage, long answerBytes, JsonNode request) {
        this.id = id;
        this.createdAt = createdAt;
        this.model = model;
        this.usage = usage;
        this.answerBytes = answerBytes;
        this.request = request;
    }

    JsonNode response(Turn turn) {
        ObjectNode root = envelope("completed");
        ArrayNode output = root.putArray("output");
        if (turn instanceof Turn.Answer answer) {
            output.add(messageItem("completed", AnswerText.of(answer, answerBytes).full()));
        } else if (turn instanceof Turn.ToolCalls calls) {
            for (int i = 0; i < calls.calls().size(); i++) {
                output.add(functionCallItem(calls.calls().get(i), "completed", calls.calls().get(i).argumentsJson()));
            }
        }
        root.set("usage", usage.openAiResponses());
        return root;
    }

    void events(Turn turn, EventSink events) throws IOException {
        ObjectNode created = envelope("in_progress");
        created.putArray("output");
        created.putNull("usage");
        emit(events, "response.created", "response", created);
        emit(events, "response.in_progress", "response", created);
        ArrayNode output = Json.MAPPER.createArrayNode();
        if (turn instanceof Turn.Answer answer) {
            ObjectNode item = messageItem("in_progress", null);
            String itemId = item.path("id").asText();
            emit(events, "response.output_item.added", 0, "item", item);
            emitPart(events, "response.content_part.added", itemId, outputText(""));
            AnswerText text = AnswerText.of(answer, answerBytes);
            for (String piece : text.pieces(3)) {
                ObjectNode delta = itemEvent("response.output_text.delta", itemId, 0);
                delta.put("content_index", 0);
                delta.put("delta", piece);
                delta.putArray("logprobs");
                send(events, delta);
            }
            String full = text.full(); // the done events repeat the whole text, as the real API does
            ObjectNode done = itemEvent("response.output_text.done", itemId, 0);
            done.put("content_index", 0);
            done.put("text", full);
            done.putArray("logprobs");
            send(events, done);
            emitPart(events, "response.content_part.done", itemId, outputText(full));
            ObjectNode finished = messageItem("completed", full);
            emit(events, "response.output_item.done", 0, "item", finished);
            output.add(finished);
        } else if (turn instanceof Turn.ToolCalls calls) {
            List<ToolCall> list = calls.calls();
            for (int i = 0; i < list.size(); i++) {
                ToolCall call = list.get(i);
                ObjectNode item = functionCallItem(call, "in_progress", "");
                String itemId = item.path("id").asText();
                emit(events, "response.output_item.added", i, "item", item);
                for (String piece : ChatCompletions.split(call.argumentsJson(), 3)) {
                    ObjectNode delta = itemEvent("response.function_call_arguments.delta", itemId, i);
                    delta.put("delta", piece);
                    send(events, delta);
                }
                ObjectNode done = itemEvent("response.function_call_arguments.done", itemId, i);
                done.put("name", call.name());
                done.put("arguments", call.argumentsJson());
                send(events, done);
                ObjectNode finished = functionCallItem(call, "completed", call.argumentsJson());
                emit(events, "response.output_item.done", i, "item", finished);
                output.add(finished);
            }
        }
        ObjectNode completed = envelope("completed");
        completed.set("output", output);
        completed.set("usage", usage.openAiResponses());
        emit(events, "response.completed", "response", completed);
    }

    private ObjectNode envelope(String status) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", id);
        root.put("object", "response");
        root.put("created_at", createdAt);
        root.put("status", status);
        root.putNull("error");
        root.putNull("incomplete_details");
        root.set("instructions", request.has("instructions") ? request.get("instructions") : Json.MAPPER.nullNode());
        root.set("max_output_tokens", request.has("max_output_tokens") ? request.get("max_output_tokens") : Json.MAPPER.nullNode());
        root.put("model", model);
        root.put("parallel_tool_calls", true);
        root.putNull("previous_response_id");
        ObjectNode reasoning = root.putObject("reasoning");
        reasoning.putNull("effort");
        reasoning.putNull("summary");
        root.put("service_tier", "default");
        root.put("store", true);
        root.put("temperature", 1.0);
        root.putObject("text").putObject("format").put("type", "text");
        root.put("tool_choice", "auto");
        root.set("tools", request.path("tools").isArray() ? request.get("tools") : Json.MAPPER.createArrayNode());
        root.put("top_p", 1.0);
        root.put("truncation", "disabled");
        root.putNull("user");
        root.putObject("metadata");
        return root;
    }

    private ObjectNode messageItem(String status, String text) {
        ObjectNode item = Json.MAPPER.createObjectNode();
        item.put("id", "msg_" + id.substring("resp_".length()));
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.add(outputText(text));
        }
        return item;
    }

    private ObjectNode functionCallItem(ToolCall call, String status, String arguments) {
        ObjectNode item = Json.MAPPER.createObjectNode();
        item.put("id", "fc_" + (call.id().startsWith("call_") ? call.id().substring("call_".length()) : call.id()));
        item.put("type", "function_call");
        item.put("status", status);
        item.put("call_id", call.id());
        item.put("name", call.name());
        item.put("arguments", arguments);
        return item;
    }

    private static ObjectNode outputText(String text) {
        ObjectNode part = Json.MAPPER.createObjectNode();
        part.put("type", "output_text");
        part.putArray("annotations");
        part.putArray("logprobs");
        part.put("text", text);
        return part;
    }

    private ObjectNode event(String type) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("type", type);
        event.put("sequence_number", sequence++);
        return event;
    }

    private ObjectNode itemEvent(String type, String itemId, int outputIndex) {
        ObjectNode event = event(type);
        event.put("item_id", itemId);
        event.put("output_index", outputIndex);
        return event;
    }

    private void emit(EventSink events, String type, String field, JsonNode value) throws IOException {
        ObjectNode event = event(type);
        event.set(field, value);
        send(events, event);
    }

    private void emit(EventSink events, String type, int outputIndex, String field, JsonNode value) throws IOException {
        ObjectNode event = event(type);
        event.put("output_index", outputIndex);
        event.set(field, value);
        send(events, event);
    }

    private void emitPart(EventSink events, String type, String itemId, ObjectNode part) throws IOException {
        ObjectNode event = itemEvent(type, itemId, 0);
        event.put("content_index", 0);
        event.set("part", part);
        send(events, event);
    }

    private static void send(EventSink events, ObjectNode event) throws IOException {
        events.emit(event.path("type").asText(), event);
    }
}
