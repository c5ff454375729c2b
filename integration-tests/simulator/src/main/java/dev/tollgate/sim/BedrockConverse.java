package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Renders a {@link Turn} in AWS Bedrock Converse wire shapes: one Converse response
 * ({@code output.message.content[]}, {@code stopReason}, {@code usage}, {@code metrics}), or ConverseStream's events
 * ({@code messageStart}, per content block {@code contentBlockStart} (tool use) / {@code contentBlockDelta}... /
 * {@code contentBlockStop}, {@code messageStop}, then {@code metadata} with the usage), each framed as an AWS
 * event-stream message ({@link #message}: prelude with both lengths and its CRC32, string headers
 * {@code :event-type}, {@code :content-type}, {@code :message-type}, the JSON payload, the message CRC32). A tool call
 * becomes a {@code toolUse} block with id {@code tooluse_<turn>_<index>}.
 */
final class BedrockConverse {

    private final Usage usage;
    private final long answerBytes;

    BedrockConverse(Usage usage, long answerBytes) {
        this.usage = usage;
        this.answerBytes = answerBytes;
    }

    /** The Bedrock id of a scripted call: {@code call_1_0} becomes {@code tooluse_1_0}. */
    static String toolUseId(String scriptedCallId) {
        return "tooluse_" + (scriptedCallId.startsWith("call_") ? scriptedCallId.substring("call_".length()) : scriptedCallId);
    }

    JsonNode response(Turn turn) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode message = root.putObject("output").putObject("message");
        message.put("role", "assistant");
        ArrayNode content = message.putArray("content");
        if (turn instanceof Turn.Answer answer) {
            content.addObject().put("text", AnswerText.of(answer, answerBytes).full());
        } else if (turn instanceof Turn.ToolCalls calls) {
            for (ToolCall call : calls.calls()) {
                ObjectNode use = content.addObject().putObject("toolUse");
                use.put("toolUseId", toolUseId(call.id()));
                use.put("name", call.name());
                use.set("input", Json.argumentsObject(call.argumentsJson()));
            }
        }
        root.put("stopReason", stopReason(turn));
        root.set("usage", usage());
        root.putObject("metrics").put("latencyMs", 7);
        return root;
    }

    /** ConverseStream's events, each as one event-stream message's bytes. */
    void events(Turn turn, MessageSink out) throws IOException {
        out.message(message("messageStart", Json.MAPPER.createObjectNode().put("role", "assistant")));
        if (turn instanceof Turn.Answer answer) {
            for (String piece : AnswerText.of(answer, answerBytes).pieces(3)) {
                ObjectNode delta = Json.MAPPER.createObjectNode().put("contentBlockIndex", 0);
                delta.putObject("delta").put("text", piece);
                out.message(message("contentBlockDelta", delta));
            }
            out.message(message("contentBlockStop", Json.MAPPER.createObjectNode().put("contentBlockIndex", 0)));
        } else if (turn instanceof Turn.ToolCalls calls) {
            List<ToolCall> list = calls.calls();
            for (int i = 0; i < list.size(); i++) {
                ToolCall call = list.get(i);
                ObjectNode start = Json.MAPPER.createObjectNode().put("contentBlockIndex", i);
                ObjectNode use = start.putObject("start").putObject("toolUse");
                use.put("toolUseId", toolUseId(call.id()));
                use.put("name", call.name());
                out.message(message("contentBlockStart", start));
                String json = Json.write(Json.argumentsObject(call.argumentsJson()));
                for (String piece : ChatCompletions.split(json, 3)) {
                    ObjectNode delta = Json.MAPPER.createObjectNode().put("contentBlockIndex", i);
                    delta.putObject("delta").putObject("toolUse").put("input", piece);
                    out.message(message("contentBlockDelta", delta));
                }
                out.message(message("contentBlockStop", Json.MAPPER.createObjectNode().put("contentBlockIndex", i)));
            }
        }
        out.message(message("messageStop", Json.MAPPER.createObjectNode().put("stopReason", stopReason(turn))));
        ObjectNode metadata = Json.MAPPER.createObjectNode();
        metadata.set("usage", usage());
        metadata.putObject("metrics").put("latencyMs", 7);
        out.message(message("metadata", metadata));
    }

    /** Receives each event-stream message as it is rendered. */
    @FunctionalInterface
    interface MessageSink {
        void message(byte[] bytes) throws IOException;
    }

    /**
     * Bedrock {@code TokenUsage}: {@code inputTokens} is the uncached remainder, {@code cacheReadInputTokens} the
     * cached part (present only when non-zero).
     */
    private ObjectNode usage() {
        ObjectNode u = Json.MAPPER.createObjectNode();
        int input = usage.promptTokens() - usage.cachedTokens();
        u.put("inputTokens", input);
        u.put("outputTokens", usage.completionTokens());
        u.put("totalTokens", usage.promptTokens() + usage.completionTokens());
        if (usage.cachedTokens() > 0) {
            u.put("cacheReadInputTokens", usage.cachedTokens());
            u.put("cacheWriteInputTokens", 0);
        }
        return u;
    }

    private static String stopReason(Turn turn) {
        return turn instanceof Turn.ToolCalls ? "tool_use" : "end_turn";
    }

    /** One {@code :message-type event} message of this event type with this JSON payload. */
    static byte[] message(String eventType, JsonNode payload) {
        return message(new String[] {":event-type", eventType, ":content-type", "application/json", ":message-type",
                "event"}, Json.write(payload).getBytes(StandardCharsets.UTF_8));
    }

    /** An event-stream message: {@code headers} are name/value pairs, all string-typed (type 7). */
    static byte[] message(String[] headers, byte[] payload) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        for (int i = 0; i < headers.length; i += 2) {
            byte[] name = headers[i].getBytes(StandardCharsets.UTF_8);
            byte[] value = headers[i + 1].getBytes(StandardCharsets.UTF_8);
            h.write(name.length);
            h.writeBytes(name);
            h.write(7);
            h.write(value.length >>> 8);
            h.write(value.length & 0xff);
            h.writeBytes(value);
        }
        byte[] headerBytes = h.toByteArray();
        int total = 12 + headerBytes.length + payload.length + 4;
        byte[] out = new byte[total];
        putInt(out, 0, total);
        putInt(out, 4, headerBytes.length);
        CRC32 crc = new CRC32();
        crc.update(out, 0, 8);
        putInt(out, 8, (int) crc.getValue());
        System.arraycopy(headerBytes, 0, out, 12, headerBytes.length);
        System.arraycopy(payload, 0, out, 12 + headerBytes.length, payload.length);
        crc.reset();
        crc.update(out, 0, total - 4);
        putInt(out, total - 4, (int) crc.getValue());
        return out;
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** A Bedrock error body: {@code {"message": ...}} (the type travels in {@code x-amzn-ErrorType}). */
    static JsonNode error(String message) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("message", message);
        return root;
    }
}
