package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Renders a reply with a {@link Fault}: changes the data, the headers, the body bytes or the stream's framing. */
final class FaultInjector {

    /** Lines between events for {@link Fault#GARBLED_SSE}: all legal to skip, one event whose data is not JSON. */
    static final String GARBAGE = ": keep-alive comment\n"
            + "this line has no colon\n"
            + "x-unknown-field: value\n"
            + "id: 7\n"
            + "retry: soon\n"
            + "data: {\"not\": json at all\n"
            + "\n"
            + "data: caf\u00e9 \u2603 \u00fcberall\n"
            + "\n";

    private final Fault fault;

    FaultInjector(Fault fault) {
        this.fault = fault;
    }

    boolean active() {
        return fault != Fault.NONE;
    }

    /** Applies the fault to one reply or event object (in place) and renders it. */
    String data(JsonNode data) {
        if (fault == Fault.USAGE_MISSING) {
            removeUsage(data);
        } else if (fault == Fault.NEGATIVE_USAGE) {
            negateUsage(data, false);
        }
        String json = Json.write(data);
        return fault == Fault.INVALID_JSON && json.startsWith("{") ? "{nonsense," + json.substring(1) : json;
    }

    String contentType(String contentType, boolean stream) {
        if (fault != Fault.WRONG_CONTENT_TYPE) {
            return contentType;
        }
        return stream ? "application/json" : "text/plain; charset=utf-8";
    }

    /** Headers set before the reply's own: {@link Fault#CORRUPT_GZIP} claims a gzip body, {@link Fault#BROTLI_CLAIMED} a brotli one. */
    void headers(HttpExchange exchange) {
        if (fault == Fault.CORRUPT_GZIP) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        } else if (fault == Fault.BROTLI_CLAIMED) {
            exchange.getResponseHeaders().set("Content-Encoding", "br");
        }
    }

    /** A JSON reply's body bytes. */
    byte[] body(byte[] json) {
        return fault == Fault.TRUNCATED ? Arrays.copyOf(json, json.length / 2) : json;
    }

    /** One stream event as rendered: the {@code event:} name (null for data-only formats) and its data text. */
    record Event(String type, String data) {
        String framed() {
            return (type == null ? "" : "event: " + type + "\n") + "data: " + data + "\n\n";
        }
    }

    /** Writes a stream's events with the fault applied, and finishes the body. */
    void write(ResponseBody out, List<Event> events) throws IOException {
        switch (fault) {
            case TRUNCATED -> {
                int keep = events.size() / 2;
                for (Event event : events.subList(0, keep)) {
                    out.event(event.framed());
                }
                byte[] cut = events.get(keep).framed().getBytes(StandardCharsets.UTF_8);
                out.event(new String(cut, 0, cut.length / 2, StandardCharsets.UTF_8));
            }
            case GARBLED_SSE -> {
                for (Event event : events) {
                    out.event(GARBAGE);
                    String data = event.data();
                    if (data.startsWith("{") && data.length() > 1) {
                        // split after the opening brace, where a line break is JSON whitespace
                        out.event((event.type() == null ? "" : "event: " + event.type() + "\n") + "data: {\n"
                                + ": a comment inside the event\n" + "data: " + data.substring(1) + "\n\n");
                    } else {
                        out.event(event.framed());
                    }
                }
            }
            case EMPTY_CHUNKS -> {
                for (Event event : events) {
                    out.event("");
                    out.event(":\n\n");
                    out.event("");
                    out.event(event.framed());
                }
                out.event("");
            }
            default -> {
                for (Event event : events) {
                    out.event(event.framed());
                }
            }
        }
        out.finish();
    }

    private static void removeUsage(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("usage");
        }
        node.forEach(FaultInjector::removeUsage);
    }

    private static void negateUsage(JsonNode node, boolean inUsage) {
        if (!(node instanceof ObjectNode object)) {
            node.forEach(child -> negateUsage(child, inUsage));
            return;
        }
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        object.fields().forEachRemaining(fields::add);
        for (Map.Entry<String, JsonNode> field : fields) {
            boolean usage = inUsage || field.getKey().equals("usage");
            if (usage && field.getValue().isIntegralNumber() && field.getKey().endsWith("tokens")) {
                object.put(field.getKey(), -Math.max(1, field.getValue().asLong()));
            } else {
                negateUsage(field.getValue(), usage);
            }
        }
    }
}
