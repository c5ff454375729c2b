package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat-completions server on 127.0.0.1 (ephemeral port) that plays a {@link Script}.
 * Each {@code POST /v1/chat/completions} consumes the next turn and is answered as JSON, or as SSE when the
 * request has {@code "stream": true}. The same script also answers the Gemini API:
 * {@code POST /v1beta/models/{model}:generateContent} (JSON) and {@code :streamGenerateContent?alt=sse} (SSE). Every request is recorded (secrets redacted) so tests can read what the
 * framework told the model, in particular the {@code role: tool} results. Thread-safe.
 */
public final class ProviderSimulator implements AutoCloseable {

    public static final String CHAT_COMPLETIONS_PATH = "/v1/chat/completions";
    /** Gemini API paths: {@code /v1beta/models/<model>:generateContent} or {@code :streamGenerateContent}. */
    public static final String GEMINI_MODELS_PREFIX = "/v1beta/models/";

    private final Script script;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger nextTurn = new AtomicInteger();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final List<ServedTurn> geminiTurns = new CopyOnWriteArrayList<>();

    private ProviderSimulator(Script script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "provider-simulator");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static ProviderSimulator start(Script script) {
        try {
            return new ProviderSimulator(script);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the provider simulator to 127.0.0.1", e);
        }
    }

    public Script script() {
        return script;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL an OpenAI client is configured with, e.g. {@code http://127.0.0.1:40123/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /**
     * The root a Gemini (google-genai) client is configured with, e.g. {@code http://127.0.0.1:40123}; the client
     * appends {@code /v1beta/models/<model>:generateContent}.
     */
    public String geminiBaseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** How many chat-completions requests were answered from the script (or its fallback). */
    public int turnsServed() {
        return nextTurn.get();
    }

    /**
     * The tool results the framework sent back to the model, one per {@code tool_call_id}, in first-seen order
     * (each request repeats the conversation so far, so the same message appears in several requests).
     */
    public List<ToolResult> toolResults() {
        Map<String, ToolResult> byId = new LinkedHashMap<>();
        for (RecordedRequest request : requests) {
            for (JsonNode message : request.toolMessages()) {
                String id = message.path("tool_call_id").asText();
                byId.putIfAbsent(id, new ToolResult(id, textOf(message.path("content"))));
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** The content the framework sent back for the tool call with this id, if it did. */
    public Optional<String> toolResult(String toolCallId) {
        return toolResults().stream().filter(r -> r.toolCallId().equals(toolCallId)).map(ToolResult::content).findFirst();
    }

    /**
     * The Gemini {@code functionResponse} parts the framework sent back, one per scripted call, in first-seen order.
     * The Gemini API has no call ids on the wire (the simulator sends none), so each request's trailing
     * {@code functionResponse} parts (those after the history's last {@code functionCall} turn) are taken to answer
     * the most recent tool-call turn served before that request which has the same calls (name and {@code args})
     * and is not answered yet; a response is paired with a call by {@code id} if present, else by position among
     * the calls of its name. This holds for several conversations (sessions) played from one script in sequence.
     */
    public List<FunctionResponse> functionResponses() {
        Map<String, FunctionResponse> byId = new LinkedHashMap<>();
        java.util.Set<Integer> answeredTurns = new java.util.HashSet<>();
        for (ServedTurn served : geminiTurns) {
            JsonNode contents = served.request().body().path("contents");
            int lastModel = -1;
            for (int i = 0; i < contents.size(); i++) {
                if (!callsOf(contents.get(i)).isEmpty()) {
                    lastModel = i;
                }
            }
            if (lastModel < 0) {
                continue;
            }
            List<JsonNode> modelCalls = callsOf(contents.get(lastModel));
            List<JsonNode> responses = new ArrayList<>();
            for (int i = lastModel + 1; i < contents.size(); i++) {
                for (JsonNode part : contents.get(i).path("parts")) {
                    if (part.has("functionResponse")) {
                        responses.add(part.path("functionResponse"));
                    }
                }
            }
            int turn = -1;
            for (int t = served.turnIndex() - 1; t >= 0 && turn < 0; t--) {
                if (!answeredTurns.contains(t) && sameCalls(script.turn(t), modelCalls)) {
                    turn = t;
                }
            }
            if (turn < 0 || responses.isEmpty()) {
                continue;
            }
            answeredTurns.add(turn);
            List<ToolCall> calls = ((Turn.ToolCalls) script.turn(turn)).calls();
            Map<String, Integer> nthOfName = new LinkedHashMap<>();
            for (JsonNode response : responses) {
                String name = response.path("name").asText();
                String id = response.path("id").asText("");
                int nth = nthOfName.merge(name, 1, Integer::sum);
                int index = -1;
                for (int i = 0; i < modelCalls.size() && index < 0; i++) {
                    if (!id.isEmpty() && id.equals(modelCalls.get(i).path("id").asText())) {
                        index = i;
                    }
                }
                for (int i = 0, count = 0; i < modelCalls.size() && index < 0; i++) {
                    if (name.equals(modelCalls.get(i).path("name").asText()) && ++count == nth) {
                        index = i;
                    }
                }
                if (index >= 0) {
                    ToolCall call = calls.get(index);
                    byId.putIfAbsent(call.id(), new FunctionResponse(call.id(), name, response.path("response")));
                }
            }
        }
        return new ArrayList<>(byId.values());
    }

    private static List<JsonNode> callsOf(JsonNode content) {
        List<JsonNode> calls = new ArrayList<>();
        for (JsonNode part : content.path("parts")) {
            if (part.has("functionCall")) {
                calls.add(part.path("functionCall"));
            }
        }
        return calls;
    }

    private static boolean sameCalls(Turn turn, List<JsonNode> modelCalls) {
        if (!(turn instanceof Turn.ToolCalls toolCalls) || toolCalls.calls().size() != modelCalls.size()) {
            return false;
        }
        for (int i = 0; i < modelCalls.size(); i++) {
            ToolCall call = toolCalls.calls().get(i);
            JsonNode sent = modelCalls.get(i);
            if (!call.name().equals(sent.path("name").asText()) || !argsEqual(call.argumentsJson(), sent.path("args"))) {
                return false;
            }
        }
        return true;
    }

    private static boolean argsEqual(String argumentsJson, JsonNode args) {
        try {
            return Json.MAPPER.readTree(argumentsJson).equals(args);
        } catch (IOException e) {
            return false;
        }
    }

    /** A Gemini request and the index of the script turn it was answered with. */
    private record ServedTurn(RecordedRequest request, int turnIndex) {
    }

    /** The {@code functionResponse.response} object the framework sent back for this scripted call, if it did. */
    public Optional<JsonNode> functionResponse(String toolCallId) {
        return functionResponses().stream().filter(r -> r.toolCallId().equals(toolCallId))
                .map(FunctionResponse::response).findFirst();
    }

    /** A Gemini {@code functionResponse} part: the framework's answer to the scripted call {@code toolCallId}. */
    public record FunctionResponse(String toolCallId, String name, JsonNode response) {
    }

    /** A {@code role: tool} message: the framework's answer to one of the script's tool calls. */
    public record ToolResult(String toolCallId, String content) {
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode body = parse(raw);
            String path = exchange.getRequestURI().getPath();
            RecordedRequest recorded = new RecordedRequest(exchange.getRequestMethod(), path, redactedHeaders(exchange), raw, body);
            requests.add(recorded);
            if ("POST".equals(exchange.getRequestMethod()) && path.startsWith(GEMINI_MODELS_PREFIX)) {
                handleGemini(exchange, recorded);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()) || !CHAT_COMPLETIONS_PATH.equals(path)) {
                sendError(exchange, 404, "not_found", "the simulator serves only POST " + CHAT_COMPLETIONS_PATH
                        + " and POST " + GEMINI_MODELS_PREFIX + "{model}:generateContent");
                return;
            }
            if (body == null || !body.isObject()) {
                sendError(exchange, 400, "invalid_request_error", "request body is not a JSON object");
                return;
            }
            int index = nextTurn.getAndIncrement();
            Turn turn = script.turn(index);
            ChatCompletions completions = new ChatCompletions("chatcmpl-sim" + (index + 1), Instant.now().getEpochSecond(),
                    body.path("model").asText("gpt-4o-mini"), ChatCompletions.estimateUsage(raw, turn));
            if (body.path("stream").asBoolean(false)) {
                stream(exchange, completions.chunks(turn, body.path("stream_options").path("include_usage").asBoolean(false)));
            } else {
                send(exchange, 200, Json.write(completions.completion(turn)));
            }
        }
    }

    private void handleGemini(HttpExchange exchange, RecordedRequest recorded) throws IOException {
        String path = recorded.path();
        String raw = recorded.rawBody();
        JsonNode body = recorded.body();
        String modelAndMethod = path.substring(GEMINI_MODELS_PREFIX.length());
        int colon = modelAndMethod.lastIndexOf(':');
        String method = colon < 0 ? "" : modelAndMethod.substring(colon + 1);
        if (colon <= 0 || !(method.equals("generateContent") || method.equals("streamGenerateContent"))) {
            sendGoogleError(exchange, 404, "NOT_FOUND", "the simulator serves only :generateContent and :streamGenerateContent");
            return;
        }
        if (body == null || !body.isObject()) {
            sendGoogleError(exchange, 400, "INVALID_ARGUMENT", "request body is not a JSON object");
            return;
        }
        int index = nextTurn.getAndIncrement();
        geminiTurns.add(new ServedTurn(recorded, index));
        Turn turn = script.turn(index);
        GenerateContent content = new GenerateContent("sim-response-" + (index + 1), modelAndMethod.substring(0, colon), raw, turn);
        if (method.equals("streamGenerateContent")) {
            String query = exchange.getRequestURI().getQuery();
            if (query == null || !query.contains("alt=sse")) {
                sendGoogleError(exchange, 400, "INVALID_ARGUMENT", "the simulator streams only with alt=sse");
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (JsonNode chunk : content.chunks(turn)) {
                out.write(("data: " + Json.write(chunk) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } else {
            send(exchange, 200, Json.write(content.response(turn)));
        }
    }

    private static void sendGoogleError(HttpExchange exchange, int status, String statusName, String message) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", status);
        error.put("message", message);
        error.put("status", statusName);
        send(exchange, status, Json.write(root));
    }

    private static void stream(HttpExchange exchange, List<JsonNode> chunks) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (JsonNode chunk : chunks) {
            out.write(("data: " + Json.write(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sendError(HttpExchange exchange, int status, String type, String message) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        error.putNull("code");
        send(exchange, status, Json.write(root));
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static JsonNode parse(String raw) {
        if (raw.isBlank()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, List<String>> redactedHeaders(HttpExchange exchange) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            boolean secret = key.equals("authorization") || key.equals("api-key") || key.equals("x-api-key")
                    || key.equals("x-goog-api-key");
            headers.put(key, secret ? values.stream().map(ProviderSimulator::redact).toList() : List.copyOf(values));
        });
        return Map.copyOf(headers);
    }

    private static String redact(String value) {
        int space = value.indexOf(' ');
        return space > 0 ? value.substring(0, space + 1) + RecordedRequest.REDACTED : RecordedRequest.REDACTED;
    }

    /** Content is a string, or (newer clients) an array of {@code {type: text, text}} parts. */
    private static String textOf(JsonNode content) {
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            content.forEach(part -> text.append(part.path("text").asText("")));
            return text.toString();
        }
        return content.isNull() || content.isMissingNode() ? "" : content.asText();
    }

    /**
     * Runs a simulator until the process is killed. Arguments are turns: {@code call:NAME:ARGS_JSON} or
     * {@code answer:TEXT}. Prints {@code SIMULATOR <base-url>} once listening.
     */
    public static void main(String[] args) throws InterruptedException {
        Script.Builder builder = Script.builder();
        for (String arg : args) {
            if (arg.startsWith("call:")) {
                String rest = arg.substring("call:".length());
                int colon = rest.indexOf(':');
                builder.callTool(rest.substring(0, colon), rest.substring(colon + 1));
            } else if (arg.startsWith("answer:")) {
                builder.answer(arg.substring("answer:".length()));
            } else {
                System.err.println("usage: ProviderSimulator [call:NAME:ARGS_JSON | answer:TEXT]...");
                System.exit(2);
            }
        }
        ProviderSimulator simulator = start(builder.build());
        System.out.println("SIMULATOR " + simulator.baseUrl());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
