package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted LLM provider on 127.0.0.1 (ephemeral port) that plays a {@link Script}: every model request, whatever
 * its wire format, consumes the next turn (one shared sequence, see {@link #turnsServed()}). Served, each as JSON or
 * streamed:
 * <ul>
 *   <li>OpenAI Chat Completions {@code POST /v1/chat/completions}: SSE when {@code "stream": true}, tool-call
 *       arguments split across chunks, the usage chunk ({@code choices: []}) only when the request has
 *       {@code stream_options.include_usage: true}, then {@code data: [DONE]}; base URL {@link #baseUrl()}.</li>
 *   <li>OpenAI Responses {@code POST /v1/responses}: named SSE events from {@code response.created} to
 *       {@code response.completed} (the only usage); calls are {@code function_call} items; base URL {@link #baseUrl()}.</li>
 *   <li>Anthropic Messages {@code POST /v1/messages}: named SSE events {@code message_start} ... {@code message_stop};
 *       calls are {@code tool_use} blocks with ids {@code toolu_<turn>_<index>}; base URL {@link #anthropicBaseUrl()}.</li>
 *   <li>Gemini API {@code POST /v1beta/models/{model}:generateContent} (or {@code /v1/models/...}) and {@code :streamGenerateContent?alt=sse};
 *       calls are {@code functionCall} parts without ids; base URL {@link #geminiBaseUrl()}.</li>
 *   <li>Ollama native {@code POST /api/chat}: NDJSON unless {@code "stream": false}; base URL {@link #ollamaBaseUrl()}.</li>
 *   <li>AWS Bedrock Runtime {@code POST /model/{modelId}/converse}, {@code /converse-stream} (binary AWS event-stream
 *       messages with correct CRC32s, usage in the {@code metadata} event) and {@code /invoke} (an Anthropic model's
 *       Messages body and reply); calls are {@code toolUse} blocks with ids {@code tooluse_<turn>_<index>}; the AWS
 *       SDK's {@code endpointOverride} is {@link #baseUrl()}; signatures are not checked.</li>
 *   <li>Azure OpenAI {@code POST /openai/deployments/{deployment}/chat/completions?api-version=...}: the OpenAI chat
 *       format above (the key travels in an {@code api-key} header); the response's {@code model} is
 *       {@link Builder#azureModel(String)} when set (the model behind the deployment, as Azure answers), else the
 *       request's, else the deployment name; endpoint {@link #azureEndpoint()}.</li>
 * </ul>
 * Token usage is estimated from the sizes (about four characters a token) unless fixed with
 * {@link Builder#usage(int, int)}; each format reports it in its own semantics (see {@link Builder#usage}).
 * <p>
 * Every request is recorded (method, path, headers with secrets redacted, body) so tests can read what the framework
 * told the model, in particular the tool results ({@link #toolResults()}, {@link #functionResponses()}), and count
 * requests and retries ({@link #requestCount()}, {@link RecordedRequest#stainlessRetryCount()}). Every response body
 * is digested as written ({@link #responses()}, {@link #lastResponse()}, {@link #lastResponseBytes()}) so tests can
 * prove the application read byte-identical content. {@link #builder(Script)} also sets gzip, split writes and large
 * answers. Thread-safe.
 */
public final class ProviderSimulator implements AutoCloseable {

    public static final String CHAT_COMPLETIONS_PATH = "/v1/chat/completions";
    /** OpenAI Responses API. */
    public static final String RESPONSES_PATH = "/v1/responses";
    /** Anthropic Messages API. */
    public static final String MESSAGES_PATH = "/v1/messages";
    /** Azure OpenAI: {@code /openai/deployments/{deployment}/chat/completions}. */
    public static final String AZURE_DEPLOYMENTS_PREFIX = "/openai/deployments/";
    /** Ollama native chat API. */
    public static final String OLLAMA_CHAT_PATH = "/api/chat";
    /** Gemini API paths: {@code /v1beta/models/<model>:generateContent} or {@code :streamGenerateContent}. */
    public static final String GEMINI_MODELS_PREFIX = "/v1beta/models/";
    /** The same under the Gemini API's v1 (google-genai 2.x's default API version). */
    public static final String GEMINI_V1_MODELS_PREFIX = "/v1/models/";
    /** AWS Bedrock Runtime: {@code POST /model/{modelId}/converse | converse-stream | invoke}. */
    public static final String BEDROCK_MODEL_PREFIX = "/model/";

    /** The answer text of {@link Fault#HUGE_LINE}: 10 MiB in one delta. */
    public static final int HUGE_LINE_BYTES = 10 << 20;
    /** {@link Fault#CONNECTION_RESET} resets the connection after this many response body bytes. */
    public static final int RESET_AFTER_BODY_BYTES = 64;

    private static final Set<String> SECRET_HEADERS =
            Set.of("authorization", "proxy-authorization", "api-key", "x-api-key", "x-goog-api-key");

    private final Script script;
    private final Builder options;
    private final HttpServer server;
    private final ResettingProxy resettingProxy;
    private final FaultInjector faults;
    private final ExecutorService executor;
    private final AtomicInteger nextTurn = new AtomicInteger();
    private final AtomicInteger bedrockRefused = new AtomicInteger();
    /** Model requests still to be answered 503 ({@link Builder#unavailableFirst}). */
    private final AtomicInteger unavailable = new AtomicInteger();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final List<ServedTurn> geminiTurns = new CopyOnWriteArrayList<>();
    private final List<RecordedResponse> responses = new CopyOnWriteArrayList<>();
    private byte[] lastResponseBytes;
    private boolean lastResponseKept;

    private ProviderSimulator(Builder options) throws IOException {
        this.script = options.script;
        this.options = options.copy();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "provider-simulator");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        this.faults = new FaultInjector(options.fault);
        this.unavailable.set(options.unavailableFirst);
        this.resettingProxy = options.fault == Fault.CONNECTION_RESET
                ? new ResettingProxy(server.getAddress().getPort(), RESET_AFTER_BODY_BYTES) : null;
    }

    /** A simulator with default options (estimated usage, no gzip, one write per event). */
    public static ProviderSimulator start(Script script) {
        return builder(script).start();
    }

    /** Options for a simulator playing {@code script}; {@link Builder#start()} binds it. */
    public static Builder builder(Script script) {
        return new Builder(script);
    }

    /** Options of a simulator. Every option is optional; the defaults are those of {@link #start(Script)}. */
    public static final class Builder {
        private final Script script;
        private Integer promptTokens;
        private Integer completionTokens;
        private int cachedTokens;
        private int reasoningTokens;
        private boolean gzip;
        private int splitEvents;
        private long answerBytes = -1;
        private Fault fault = Fault.NONE;
        private boolean record = true;
        private long latencyMillis;
        private int bedrockUnavailable;
        private String azureModel;
        private int unavailableFirst;
        private long streamEndDelayMillis;

        private Builder(Script script) {
            this.script = java.util.Objects.requireNonNull(script, "script");
        }

        /**
         * Every reply reports exactly these token counts instead of an estimate. {@code promptTokens} counts all
         * input tokens, cached ones included, and {@code completionTokens} all output tokens, reasoning included
         * (OpenAI semantics). Each format renders them in its own semantics: OpenAI chat {@code prompt_tokens} /
         * {@code completion_tokens} with {@code cached_tokens} / {@code reasoning_tokens} details; Responses
         * {@code input_tokens} / {@code output_tokens} likewise; Anthropic {@code input_tokens = prompt - cached},
         * {@code cache_read_input_tokens = cached}, {@code output_tokens = completion}; Gemini
         * {@code promptTokenCount = prompt} (includes {@code cachedContentTokenCount = cached}),
         * {@code candidatesTokenCount = completion - reasoning}, {@code thoughtsTokenCount = reasoning}; Ollama
         * {@code prompt_eval_count = prompt}, {@code eval_count = completion}.
         */
        public Builder usage(int promptTokens, int completionTokens) {
            this.promptTokens = promptTokens;
            this.completionTokens = completionTokens;
            return this;
        }

        /** The part of the prompt tokens read from cache (default 0); at most the prompt tokens. */
        public Builder cachedTokens(int cachedTokens) {
            this.cachedTokens = cachedTokens;
            return this;
        }

        /** The part of the completion tokens spent reasoning (default 0); at most the completion tokens. */
        public Builder reasoningTokens(int reasoningTokens) {
            this.reasoningTokens = reasoningTokens;
            return this;
        }

        /**
         * Gzip response bodies ({@code Content-Encoding: gzip}) when the request's {@code Accept-Encoding} allows
         * gzip; streams are gzipped with a sync flush after every event, so events still arrive one by one.
         */
        public Builder gzip(boolean gzip) {
            this.gzip = gzip;
            return this;
        }

        /**
         * Write every body in slices of at most {@code bytes} bytes with a flush after each, so SSE events and
         * NDJSON lines (and JSON bodies) reach the client split at arbitrary byte positions; 0 (default) writes
         * each event at once.
         */
        public Builder splitEvents(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("splitEvents must be >= 0: " + bytes);
            }
            this.splitEvents = bytes;
            return this;
        }

        /**
         * Every answer turn answers, instead of its scripted text, a generated ASCII text of exactly {@code bytes}
         * bytes ({@link #largeAnswerText(int)}, digest {@link #largeAnswerSha256(long)}), streamed as deltas of
         * 8 KiB without being held in memory (a non-streaming reply, and the
         * Responses {@code *.done} / {@code response.completed} events which repeat the text, do hold it).
         */
        public Builder answerBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("answerBytes must be >= 0: " + bytes);
            }
            this.answerBytes = bytes;
            return this;
        }

        /**
         * Every OpenAI chat and Anthropic reply goes wrong this way ({@link Fault}; default {@link Fault#NONE}).
         * With a fault other than {@code NONE} a streamed reply is rendered in full before it is written, an answer's
         * text goes out as one delta, and {@link #answerBytes} does not apply to those two formats.
         */
        public Builder fault(Fault fault) {
            this.fault = java.util.Objects.requireNonNull(fault, "fault");
            return this;
        }

        /**
         * Whether requests and responses are kept for the inspection methods (default true). Benchmarks that send
         * thousands of requests turn it off so the simulator's memory and time stay flat; then only
         * {@link #turnsServed()} counts, and the inspection methods see nothing.
         */
        public Builder record(boolean record) {
            this.record = record;
            return this;
        }

        /**
         * Every reply is held this long after its request was read (default 0): a provider that is slow to answer,
         * for tests that need a call in flight (a JVM killed while holding a reservation).
         */
        public Builder latency(java.time.Duration latency) {
            this.latencyMillis = latency.toMillis();
            return this;
        }

        /**
         * The first {@code requests} Bedrock requests are answered {@code 503 ServiceUnavailableException} (which the
         * AWS SDK retries) without consuming a turn (default 0).
         */
        public Builder bedrockUnavailable(int requests) {
            this.bedrockUnavailable = requests;
            return this;
        }

        /**
         * The model an Azure OpenAI deployment answers as, whatever the request's {@code model} says (Azure reports
         * the model behind the deployment, e.g. {@code gpt-4o-mini-2024-07-18}); default: the request's model, else
         * the deployment name.
         */
        public Builder azureModel(String model) {
            this.azureModel = model;
            return this;
        }

        /**
         * The first {@code requests} POST requests are answered {@code 503} with an OpenAI-format error and
         * {@code retry-after-ms: 10} (Azure's hint, which azure-core's retry policy honours), consuming no turn: for
         * tests of what a client's retries look like.
         */
        public Builder unavailableFirst(int requests) {
            this.unavailableFirst = requests;
            return this;
        }

        /**
         * Every streamed reply keeps its connection open this long after its last event (default 0): the client has
         * the whole answer (OpenAI's {@code [DONE]}, Anthropic's {@code message_stop}, Ollama's {@code "done": true})
         * before the body ends, as an app reading the stream acts on it.
         */
        public Builder streamEndDelay(java.time.Duration delay) {
            this.streamEndDelayMillis = delay.toMillis();
            return this;
        }

        public ProviderSimulator start() {
            if (promptTokens != null) {
                new Usage(promptTokens, completionTokens, cachedTokens, reasoningTokens); // validates
            }
            try {
                return new ProviderSimulator(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind the provider simulator to 127.0.0.1", e);
            }
        }

        private Builder copy() {
            Builder copy = new Builder(script);
            copy.promptTokens = promptTokens;
            copy.completionTokens = completionTokens;
            copy.cachedTokens = cachedTokens;
            copy.reasoningTokens = reasoningTokens;
            copy.gzip = gzip;
            copy.splitEvents = splitEvents;
            copy.answerBytes = answerBytes;
            copy.fault = fault;
            copy.record = record;
            copy.latencyMillis = latencyMillis;
            copy.bedrockUnavailable = bedrockUnavailable;
            copy.azureModel = azureModel;
            copy.unavailableFirst = unavailableFirst;
            copy.streamEndDelayMillis = streamEndDelayMillis;
            return copy;
        }
    }

    public Script script() {
        return script;
    }

    /** The port clients connect to (with {@link Fault#CONNECTION_RESET}, the resetting relay's). */
    public int port() {
        return resettingProxy != null ? resettingProxy.port() : server.getAddress().getPort();
    }

    /** The base URL an OpenAI client is configured with, e.g. {@code http://127.0.0.1:40123/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /**
     * The root a Gemini (google-genai) client is configured with, e.g. {@code http://127.0.0.1:40123}; the client
     * appends {@code /v1beta/models/<model>:generateContent} (google-genai 1.x) or {@code /v1/models/...} (2.x).
     */
    public String geminiBaseUrl() {
        return root();
    }

    /**
     * The {@code endpointOverride} of an AWS SDK Bedrock Runtime client, e.g. {@code http://127.0.0.1:40123}; the SDK
     * appends {@code /model/<modelId>/converse} (and signs the request, which the simulator does not check).
     */
    public String bedrockEndpoint() {
        return root();
    }

    /** The base URL an Anthropic client is configured with, e.g. {@code http://127.0.0.1:40123}; it appends {@code /v1/messages}. */
    public String anthropicBaseUrl() {
        return root();
    }

    /** The base URL an Ollama client is configured with, e.g. {@code http://127.0.0.1:40123}; it appends {@code /api/chat}. */
    /** The Azure OpenAI resource endpoint clients are configured with (they append {@code /openai/deployments/...}). */
    public String azureEndpoint() {
        return root();
    }

    public String ollamaBaseUrl() {
        return root();
    }

    private String root() {
        return "http://127.0.0.1:" + port();
    }

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** How many HTTP requests were received so far, on any path (model requests, 404s and errors alike). */
    public int requestCount() {
        return requests.size();
    }

    /** How many HTTP requests were received on a path starting with {@code pathPrefix}, e.g. {@code "/v1/messages"}. */
    public int requestCount(String pathPrefix) {
        return (int) requests.stream().filter(r -> r.path().startsWith(pathPrefix)).count();
    }

    /** How many requests said they were retries ({@code X-Stainless-Retry-Count} present and not {@code 0}). */
    public int retriedRequestCount() {
        return (int) requests.stream().filter(RecordedRequest::retried).count();
    }

    /** How many model requests were answered from the script (or its fallback), in every format together. */
    public int turnsServed() {
        return nextTurn.get();
    }

    /** Every response body written so far (digests, sizes), in the order they were finished. */
    public List<RecordedResponse> responses() {
        return List.copyOf(responses);
    }

    /** The response body finished most recently. */
    public RecordedResponse lastResponse() {
        if (responses.isEmpty()) {
            throw new IllegalStateException("no response written yet");
        }
        return responses.get(responses.size() - 1);
    }

    /**
     * The exact bytes of the response body finished most recently, before compression. Kept only up to
     * 16 MiB; for larger bodies compare {@link RecordedResponse#sha256()}.
     */
    public synchronized byte[] lastResponseBytes() {
        if (!lastResponseKept) {
            throw new IllegalStateException(responses.isEmpty() ? "no response written yet"
                    : "the last response body was larger than " + ResponseBody.KEEP_LIMIT + " bytes; use lastResponse().sha256()");
        }
        return lastResponseBytes.clone();
    }

    private synchronized void recordResponse(RecordedResponse response, byte[] bytes) {
        responses.add(response);
        lastResponseBytes = bytes;
        lastResponseKept = bytes != null;
    }

    /** The text an {@link Builder#answerBytes answerBytes(bytes)} simulator answers. */
    public static String largeAnswerText(int bytes) {
        return AnswerText.generated(bytes);
    }

    /** SHA-256 (lower-case hex) of the UTF-8 (= ASCII) bytes of {@link #largeAnswerText}, computed without holding it. */
    public static String largeAnswerSha256(long bytes) {
        return AnswerText.generatedSha256(bytes);
    }

    /** SHA-256 (lower-case hex) of these bytes, as {@link RecordedResponse#sha256()} reports a body. */
    public static String sha256(byte[] bytes) {
        return ResponseBody.sha256Hex(bytes);
    }

    /**
     * The tool results the framework sent back to the model, one per id, in first-seen order (each request repeats
     * the conversation so far, so the same result appears in several requests): OpenAI chat {@code role: tool}
     * messages by {@code tool_call_id}, Anthropic {@code tool_result} blocks by {@code tool_use_id} and Responses
     * {@code function_call_output} items by {@code call_id}. Gemini has no ids: see {@link #functionResponses()}.
     */
    public List<ToolResult> toolResults() {
        Map<String, ToolResult> byId = new LinkedHashMap<>();
        for (RecordedRequest request : requests) {
            for (ToolResult result : request.toolResults()) {
                byId.putIfAbsent(result.toolCallId(), result);
            }
        }
        return new ArrayList<>(byId.values());
    }

    /**
     * The content the framework sent back for the tool call with this id, if it did. A scripted id
     * ({@code call_1_0}) also finds the Anthropic result for the same call ({@code tool_use_id: toolu_1_0}).
     */
    public Optional<String> toolResult(String toolCallId) {
        String anthropicId = AnthropicMessages.toolUseId(toolCallId);
        List<ToolResult> results = toolResults();
        return results.stream().filter(r -> r.toolCallId().equals(toolCallId)).findFirst()
                .or(() -> results.stream().filter(r -> r.toolCallId().equals(anthropicId)).findFirst())
                .or(() -> results.stream().filter(r -> r.toolCallId().equals(BedrockConverse.toolUseId(toolCallId)))
                        .findFirst())
                .map(ToolResult::content);
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

    /** A tool result: the framework's answer to one of the script's tool calls, by the id it was sent with. */
    public record ToolResult(String toolCallId, String content) {
    }

    @Override
    public void close() {
        if (resettingProxy != null) {
            resettingProxy.close();
        }
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String raw;
            try {
                raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                if (options.record) {
                    requests.add(new RecordedRequest(method, path, redactedHeaders(exchange), "", null));
                }
                throw e;
            }
            if (options.latencyMillis > 0) {
                try {
                    Thread.sleep(options.latencyMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            JsonNode body = parse(raw);
            RecordedRequest recorded = new RecordedRequest(method, path, redactedHeaders(exchange), raw, body);
            if (options.record) {
                requests.add(recorded);
            }
            boolean post = "POST".equals(method);
            if (post && unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.getResponseHeaders().set("retry-after-ms", "10");
                sendError(exchange, 503, "server_error", "the simulator is unavailable for this request");
                return;
            }
            if (post && (path.startsWith(GEMINI_MODELS_PREFIX) || path.startsWith(GEMINI_V1_MODELS_PREFIX))) {
                handleGemini(exchange, recorded);
            } else if (post && CHAT_COMPLETIONS_PATH.equals(path)) {
                handleChat(exchange, recorded, "gpt-4o-mini", null);
            } else if (post && path.startsWith(AZURE_DEPLOYMENTS_PREFIX) && path.endsWith("/chat/completions")
                    && path.indexOf('/', AZURE_DEPLOYMENTS_PREFIX.length()) == path.length() - "/chat/completions".length()) {
                String deployment = path.substring(AZURE_DEPLOYMENTS_PREFIX.length(), path.length() - "/chat/completions".length());
                // Azure answers with the model behind the deployment, whatever the request's "model" says
                handleChat(exchange, recorded, deployment, options.azureModel);
            } else if (post && RESPONSES_PATH.equals(path)) {
                handleResponses(exchange, recorded);
            } else if (post && MESSAGES_PATH.equals(path)) {
                handleAnthropic(exchange, recorded);
            } else if (post && OLLAMA_CHAT_PATH.equals(path)) {
                handleOllama(exchange, recorded);
            } else if (post && path.startsWith(BEDROCK_MODEL_PREFIX)) {
                handleBedrock(exchange, recorded);
            } else {
                sendError(exchange, 404, "not_found", "the simulator serves only POST " + CHAT_COMPLETIONS_PATH
                        + ", POST " + RESPONSES_PATH + ", POST " + MESSAGES_PATH + ", POST " + OLLAMA_CHAT_PATH
                        + " and POST " + GEMINI_MODELS_PREFIX + "{model}:generateContent");
            }
        }
    }

    private Usage usageFor(String raw, Turn turn) {
        if (options.promptTokens != null) {
            return new Usage(options.promptTokens, options.completionTokens, options.cachedTokens, options.reasoningTokens);
        }
        Usage estimate = Usage.estimate(raw, turn, options.answerBytes);
        return new Usage(estimate.promptTokens(), estimate.completionTokens(),
                Math.min(options.cachedTokens, estimate.promptTokens()),
                Math.min(options.reasoningTokens, estimate.completionTokens()));
    }

    private void handleChat(HttpExchange exchange, RecordedRequest recorded, String defaultModel, String answeringModel)
            throws IOException {
        JsonNode body = recorded.body();
        if (body == null || !body.isObject()) {
            sendError(exchange, 400, "invalid_request_error", "request body is not a JSON object");
            return;
        }
        int index = nextTurn.getAndIncrement();
        Turn turn = script.turn(index);
        ChatCompletions completions = new ChatCompletions("chatcmpl-sim" + (index + 1), Instant.now().getEpochSecond(),
                answeringModel != null ? answeringModel : body.path("model").asText(defaultModel), usageFor(recorded.rawBody(), turn));
        if (faults.active()) {
            boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
            replyWithFault(exchange, body.path("stream").asBoolean(false), sink -> {
                completions.answerPieces(1).chunks(faulty(turn), includeUsage, -1, sink);
                sink.emit(null, null);
            }, () -> completions.completion(faulty(turn), -1));
            return;
        }
        if (body.path("stream").asBoolean(false)) {
            ResponseBody out = openStream(exchange, "text/event-stream; charset=utf-8");
            boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
            completions.chunks(turn, includeUsage, options.answerBytes, (type, data) -> out.event("data: " + Json.write(data) + "\n\n"));
            out.event("data: [DONE]\n\n");
            out.finish();
        } else {
            sendJson(exchange, 200, completions.completion(turn, options.answerBytes));
        }
    }

    private void handleResponses(HttpExchange exchange, RecordedRequest recorded) throws IOException {
        JsonNode body = recorded.body();
        if (body == null || !body.isObject()) {
            sendError(exchange, 400, "invalid_request_error", "request body is not a JSON object");
            return;
        }
        int index = nextTurn.getAndIncrement();
        Turn turn = script.turn(index);
        Responses responses = new Responses("resp_sim" + (index + 1), Instant.now().getEpochSecond(),
                body.path("model").asText("gpt-4o-mini"), usageFor(recorded.rawBody(), turn), options.answerBytes, body);
        if (body.path("stream").asBoolean(false)) {
            ResponseBody out = openStream(exchange, "text/event-stream; charset=utf-8");
            responses.events(turn, (type, data) -> out.event("event: " + type + "\ndata: " + Json.write(data) + "\n\n"));
            out.finish();
        } else {
            sendJson(exchange, 200, responses.response(turn));
        }
    }

    private void handleAnthropic(HttpExchange exchange, RecordedRequest recorded) throws IOException {
        JsonNode body = recorded.body();
        if (body == null || !body.isObject()) {
            sendJson(exchange, 400, AnthropicMessages.error("invalid_request_error", "request body is not a JSON object"));
            return;
        }
        int index = nextTurn.getAndIncrement();
        Turn turn = script.turn(index);
        AnthropicMessages messages = new AnthropicMessages("msg_sim" + (index + 1),
                body.path("model").asText("claude-sonnet-4-5"), usageFor(recorded.rawBody(), turn),
                faults.active() ? -1 : options.answerBytes);
        if (faults.active()) {
            replyWithFault(exchange, body.path("stream").asBoolean(false),
                    sink -> messages.answerPieces(1).events(faulty(turn), sink), () -> messages.message(faulty(turn)));
            return;
        }
        if (body.path("stream").asBoolean(false)) {
            ResponseBody out = openStream(exchange, "text/event-stream; charset=utf-8");
            messages.events(turn, (type, data) -> out.event("event: " + type + "\ndata: " + Json.write(data) + "\n\n"));
            out.finish();
        } else {
            sendJson(exchange, 200, messages.message(turn));
        }
    }

    private void handleBedrock(HttpExchange exchange, RecordedRequest recorded) throws IOException {
        String path = recorded.path();
        String rest = path.substring(BEDROCK_MODEL_PREFIX.length());
        int slash = rest.lastIndexOf('/');
        String operation = slash < 0 ? "" : rest.substring(slash + 1);
        String model = slash < 0 ? rest : rest.substring(0, slash);
        JsonNode body = recorded.body();
        if (!(operation.equals("converse") || operation.equals("converse-stream") || operation.equals("invoke"))) {
            sendBedrockError(exchange, 404, "ResourceNotFoundException",
                    "the simulator serves only converse, converse-stream and invoke");
            return;
        }
        if (body == null || !body.isObject()) {
            sendBedrockError(exchange, 400, "ValidationException", "request body is not a JSON object");
            return;
        }
        if (bedrockRefused.getAndIncrement() < options.bedrockUnavailable) {
            sendBedrockError(exchange, 503, "ServiceUnavailableException", "simulated: service unavailable, retry");
            return;
        }
        int index = nextTurn.getAndIncrement();
        Turn turn = script.turn(index);
        Usage usage = usageFor(recorded.rawBody(), turn);
        if (operation.equals("invoke")) {
            // InvokeModel with an Anthropic model: the body and the reply are Anthropic Messages, "model" in the reply
            AnthropicMessages messages = new AnthropicMessages("msg_bdrk_sim" + (index + 1), model, usage,
                    options.answerBytes);
            exchange.getResponseHeaders().set("x-amzn-bedrock-input-token-count",
                    Integer.toString(usage.promptTokens() - usage.cachedTokens()));
            exchange.getResponseHeaders().set("x-amzn-bedrock-output-token-count",
                    Integer.toString(usage.completionTokens()));
            sendJson(exchange, 200, messages.message(turn));
            return;
        }
        BedrockConverse converse = new BedrockConverse(usage, options.answerBytes);
        if (operation.equals("converse-stream")) {
            ResponseBody out = openStream(exchange, "application/vnd.amazon.eventstream");
            converse.events(turn, out::event);
            out.finish();
        } else {
            sendJson(exchange, 200, converse.response(turn));
        }
    }

    private void sendBedrockError(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        sendJson(exchange, status, BedrockConverse.error(message));
    }

    private void handleOllama(HttpExchange exchange, RecordedRequest recorded) throws IOException {
        JsonNode body = recorded.body();
        if (body == null || !body.isObject()) {
            ObjectNode error = Json.MAPPER.createObjectNode();
            error.put("error", "request body is not a JSON object");
            sendJson(exchange, 400, error);
            return;
        }
        int index = nextTurn.getAndIncrement();
        Turn turn = script.turn(index);
        OllamaChat chat = new OllamaChat(body.path("model").asText("llama3.2"), usageFor(recorded.rawBody(), turn),
                options.answerBytes);
        if (recorded.streaming()) {
            ResponseBody out = openStream(exchange, "application/x-ndjson");
            chat.lines(turn, (type, data) -> out.event(Json.write(data) + "\n"));
            out.finish();
        } else {
            sendJson(exchange, 200, chat.response(turn));
        }
    }

    private void handleGemini(HttpExchange exchange, RecordedRequest recorded) throws IOException {
        String path = recorded.path();
        String raw = recorded.rawBody();
        JsonNode body = recorded.body();
        String modelAndMethod = path.substring(path.indexOf("/models/") + "/models/".length());
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
        if (method.equals("streamGenerateContent")) {
            String query = exchange.getRequestURI().getQuery();
            if (query == null || !query.contains("alt=sse")) {
                sendGoogleError(exchange, 400, "INVALID_ARGUMENT", "the simulator streams only with alt=sse");
                return;
            }
        }
        int index = nextTurn.getAndIncrement();
        if (options.record) {
            geminiTurns.add(new ServedTurn(recorded, index));
        }
        Turn turn = script.turn(index);
        GenerateContent content = new GenerateContent("sim-response-" + (index + 1), modelAndMethod.substring(0, colon),
                usageFor(raw, turn), options.answerBytes);
        if (method.equals("streamGenerateContent")) {
            ResponseBody out = openStream(exchange, "text/event-stream");
            content.chunks(turn, (type, data) -> out.event("data: " + Json.write(data) + "\r\n\r\n"));
            out.finish();
        } else {
            sendJson(exchange, 200, content.response(turn));
        }
    }

    /** The turn as {@link Fault#HUGE_LINE} answers it; other faults answer the scripted turn. */
    private Turn faulty(Turn turn) {
        return options.fault == Fault.HUGE_LINE && turn instanceof Turn.Answer
                ? new Turn.Answer(AnswerText.generated(HUGE_LINE_BYTES)) : turn;
    }

    private interface StreamRenderer {
        /** Emits every event; a {@code null} data is the {@code [DONE]} sentinel. */
        void render(EventSink sink) throws IOException;
    }

    private interface ReplyRenderer {
        JsonNode render();
    }

    private void replyWithFault(HttpExchange exchange, boolean stream, StreamRenderer events, ReplyRenderer reply)
            throws IOException {
        faults.headers(exchange);
        if (stream) {
            List<FaultInjector.Event> rendered = new ArrayList<>();
            events.render((type, data) -> rendered.add(new FaultInjector.Event(type, data == null ? "[DONE]" : faults.data(data))));
            ResponseBody out = openStream(exchange, faults.contentType("text/event-stream; charset=utf-8", true));
            faults.write(out, rendered);
        } else {
            byte[] json = faults.body(faults.data(reply.render()).getBytes(StandardCharsets.UTF_8));
            ResponseBody.send(exchange, 200, faults.contentType("application/json", false), json, gzipFor(exchange),
                    options.splitEvents, this::recordResponse);
        }
    }

    private void sendGoogleError(HttpExchange exchange, int status, String statusName, String message) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", status);
        error.put("message", message);
        error.put("status", statusName);
        sendJson(exchange, status, root);
    }

    private void sendError(HttpExchange exchange, int status, String type, String message) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        error.putNull("code");
        sendJson(exchange, status, root);
    }

    private void sendJson(HttpExchange exchange, int status, JsonNode json) throws IOException {
        ResponseBody.send(exchange, status, "application/json", Json.write(json).getBytes(StandardCharsets.UTF_8),
                gzipFor(exchange), options.splitEvents, recorder());
    }

    private ResponseBody.Recorder recorder() {
        return options.record ? this::recordResponse : null;
    }

    private ResponseBody openStream(HttpExchange exchange, String contentType) throws IOException {
        return ResponseBody.stream(exchange, 200, contentType, gzipFor(exchange), options.splitEvents, recorder())
                .endDelay(options.streamEndDelayMillis);
    }

    private boolean gzipFor(HttpExchange exchange) {
        return options.gzip && acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
    }

    /** Whether {@code Accept-Encoding} allows gzip: {@code gzip} (or {@code x-gzip}, or else {@code *}) with q > 0. */
    static boolean acceptsGzip(List<String> acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        Double gzipQ = null;
        Double anyQ = null;
        for (String header : acceptEncoding) {
            for (String entry : header.split(",")) {
                String[] parts = entry.split(";");
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                double q = 1.0;
                for (int i = 1; i < parts.length; i++) {
                    String param = parts[i].trim();
                    if (param.startsWith("q=")) {
                        try {
                            q = Double.parseDouble(param.substring(2).trim());
                        } catch (NumberFormatException e) {
                            q = 0;
                        }
                    }
                }
                if (coding.equals("gzip") || coding.equals("x-gzip")) {
                    gzipQ = gzipQ == null ? q : Math.max(gzipQ, q);
                } else if (coding.equals("*")) {
                    anyQ = q;
                }
            }
        }
        return gzipQ != null ? gzipQ > 0 : anyQ != null && anyQ > 0;
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
            headers.put(key, SECRET_HEADERS.contains(key) ? values.stream().map(ProviderSimulator::redact).toList()
                    : List.copyOf(values));
        });
        return Map.copyOf(headers);
    }

    private static String redact(String value) {
        int space = value.indexOf(' ');
        return space > 0 ? value.substring(0, space + 1) + RecordedRequest.REDACTED : RecordedRequest.REDACTED;
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
