package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: the JDK client against the simulator (127.0.0.1 only) and SSE / NDJSON parsing. */
final class Http {

    static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Http() {
    }

    /** POSTs {@code body} to {@code url} with the given header name / value pairs. */
    static HttpResponse<String> post(String url, String body, String... headers) throws Exception {
        return CLIENT.send(request(url, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> postBytes(String url, String body, String... headers) throws Exception {
        return CLIENT.send(request(url, body, headers), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest request(String url, String body, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder.build();
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    /** A named SSE event ({@code type} null when the event had no {@code event:} line). */
    record Event(String type, JsonNode data) {
    }

    /** Parses SSE: events end at a blank line; {@code event:} and {@code data:} lines (one data line per event here). */
    static List<Event> events(String body) {
        List<Event> events = new ArrayList<>();
        String type = null;
        for (String line : body.split("\r?\n", -1)) {
            if (line.startsWith("event: ")) {
                type = line.substring("event: ".length());
            } else if (line.startsWith("data: ")) {
                String data = line.substring("data: ".length());
                events.add(new Event(type, data.equals("[DONE]") ? null : json(data)));
                type = null;
            }
        }
        return events;
    }

    static List<JsonNode> ndjson(String body) {
        return body.lines().filter(l -> !l.isBlank()).map(Http::json).toList();
    }
}
