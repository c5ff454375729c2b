package dev.tollgate.it.apps.llmjdk;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * An app that talks to an LLM provider with nothing but {@code java.net.http.HttpClient}, unaware of Tollgate.
 * <pre>LlmClientApp --base-url URL [--api chat|responses|anthropic|gemini] [--calls N] [--stream]
 *     [--read string|bytes|lines|inputstream|publisher|abandon] [--async] [--max-tokens M] [--model NAME] [--http2]
 *     [--gzip] [--in-run] [--client jdk|hc5] [--pause-ms MS] [--linger-ms MS]</pre>
 * {@code --linger-ms} keeps the JVM alive that long after {@code DONE} (for tests that read it from outside).
 * {@code --client hc5} sends with Apache HttpClient 5 (classic) instead of the JDK client, {@code --client hc5-async}
 * with its async client ({@code CloseableHttpAsyncClient}, HTTP/1.1; the request a {@code SimpleHttpRequest}, the
 * body collected chunk by chunk by a binary consumer), {@code --client reactor-netty} with Reactor Netty's
 * {@code HttpClient} used directly (the body sent as a {@code ByteBufFlux}; the answer read with
 * {@code responseSingle}, or chunk by chunk with {@code response} when streamed); {@code --read} and {@code --async}
 * then do not apply. {@code --read} takes a comma-separated list:
 * call i reads its body the ((i - 1) mod n)-th way.
 * For every call prints {@code CALL <i> status=<code> bytes=<n> sha256=<hex of the body bytes as read>} (and, for
 * a failed call, {@code CALL <i> error=<class>: <message>}); then {@code DONE ok=<2xx calls>}. With
 * {@code --in-run} all calls happen inside {@link #agentRun}, a method the policy may name as a run entry point.
 */
public final class LlmClientApp {
    static final String API_KEY = "sk-test-SECRET-123";

    private final String baseUrl;
    private String api = "chat";
    private int calls = 1;
    private boolean stream;
    private String read = "string";
    private boolean async;
    private int maxTokens = 1000;
    private String model;
    private boolean http2;
    private boolean gzip;
    private String clientKind = "jdk";
    private long pauseMillis;
    private long lingerMillis;
    private final HttpClient client;
    private org.apache.hc.client5.http.impl.classic.CloseableHttpClient hc5;
    private org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient hc5Async;
    private reactor.netty.http.client.HttpClient reactorNetty;
    private int ok;

    private LlmClientApp(String baseUrl, String[] args) {
        this.baseUrl = baseUrl;
        boolean inRun = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> i++;
                case "--api" -> api = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                case "--read" -> read = args[++i];
                case "--async" -> async = true;
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--model" -> model = args[++i];
                case "--http2" -> http2 = true;
                case "--gzip" -> gzip = true;
                case "--in-run" -> inRun = true;
                case "--client" -> clientKind = args[++i];
                case "--pause-ms" -> pauseMillis = Long.parseLong(args[++i]);
                case "--linger-ms" -> lingerMillis = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        this.client = HttpClient.newBuilder()
                .version(http2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .build();
        if (clientKind.equals("hc5")) {
            hc5 = org.apache.hc.client5.http.impl.classic.HttpClients.createDefault();
        } else if (clientKind.equals("hc5-async")) {
            hc5Async = org.apache.hc.client5.http.impl.async.HttpAsyncClients.createDefault();
            hc5Async.start();
        } else if (clientKind.equals("reactor-netty")) {
            reactorNetty = reactor.netty.http.client.HttpClient.create();
        }
    }

    public static void main(String[] args) throws Exception {
        String baseUrl = null;
        boolean inRun = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--base-url")) {
                baseUrl = args[i + 1];
            }
            if (args[i].equals("--in-run")) {
                inRun = true;
            }
        }
        if (baseUrl == null) {
            System.err.println("--base-url is required");
            System.exit(2);
        }
        LlmClientApp app = new LlmClientApp(baseUrl, args);
        if (inRun) {
            app.agentRun();
        } else {
            app.callAll();
        }
        System.out.println("DONE ok=" + app.ok);
        System.out.flush();
        if (app.lingerMillis > 0) {
            Thread.sleep(app.lingerMillis);
        }
        System.exit(0);
    }

    /** One agent run: every call of this process. */
    public void agentRun() {
        callAll();
    }

    private void callAll() {
        for (int i = 1; i <= calls; i++) {
            try {
                if (pauseMillis > 0 && i > 1) {
                    Thread.sleep(pauseMillis);
                }
                call(i);
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }

    private void call(int i) throws Exception {
        if (hc5 != null) {
            callHc5(i);
            return;
        }
        if (hc5Async != null) {
            callHc5Async(i);
            return;
        }
        if (reactorNetty != null) {
            callReactorNetty(i);
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url()))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(i)));
        switch (api) {
            case "anthropic" -> request.header("x-api-key", API_KEY).header("anthropic-version", "2023-06-01");
            case "gemini" -> request.header("x-goog-api-key", API_KEY);
            default -> request.header("authorization", "Bearer " + API_KEY);
        }
        if (gzip) {
            request.header("accept-encoding", "gzip");
        }
        String[] reads = read.split(",");
        Result result = switch (reads[(i - 1) % reads.length]) {
            case "string" -> send(request.build(), HttpResponse.BodyHandlers.ofString(),
                    s -> s.getBytes(StandardCharsets.UTF_8));
            case "bytes" -> send(request.build(), HttpResponse.BodyHandlers.ofByteArray(), b -> b);
            case "lines" -> send(request.build(), HttpResponse.BodyHandlers.ofLines(),
                    lines -> (lines.collect(Collectors.joining("\n"))).getBytes(StandardCharsets.UTF_8));
            case "inputstream" -> send(request.build(), HttpResponse.BodyHandlers.ofInputStream(),
                    LlmClientApp::readAll);
            case "abandon" -> send(request.build(), HttpResponse.BodyHandlers.ofInputStream(),
                    LlmClientApp::readSomeThenClose);
            case "publisher" -> send(request.build(), HttpResponse.BodyHandlers.ofPublisher(),
                    LlmClientApp::drain);
            default -> throw new IllegalArgumentException("--read " + read);
        };
        report(i, result);
    }

    private void report(int i, Result result) throws Exception {
        if (result.status / 100 == 2) {
            ok++;
        }
        System.out.println("CALL " + i + " status=" + result.status + " bytes=" + result.body.length + " sha256="
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(result.body))
                + (result.status / 100 == 2 ? "" : " body=" + new String(result.body, StandardCharsets.UTF_8)));
    }

    private void callHc5(int i) throws Exception {
        org.apache.hc.client5.http.classic.methods.HttpPost post =
                new org.apache.hc.client5.http.classic.methods.HttpPost(url());
        post.setEntity(new org.apache.hc.core5.http.io.entity.StringEntity(body(i),
                org.apache.hc.core5.http.ContentType.APPLICATION_JSON));
        switch (api) {
            case "anthropic" -> {
                post.addHeader("x-api-key", API_KEY);
                post.addHeader("anthropic-version", "2023-06-01");
            }
            case "gemini" -> post.addHeader("x-goog-api-key", API_KEY);
            default -> post.addHeader("authorization", "Bearer " + API_KEY);
        }
        Result result = hc5.execute(post, response -> new Result(response.getCode(),
                response.getEntity() == null ? new byte[0] : readAll(response.getEntity().getContent())));
        report(i, result);
    }

    private void callHc5Async(int i) throws Exception {
        org.apache.hc.client5.http.async.methods.SimpleRequestBuilder post =
                org.apache.hc.client5.http.async.methods.SimpleRequestBuilder.post(url())
                        .setBody(body(i), org.apache.hc.core5.http.ContentType.APPLICATION_JSON);
        switch (api) {
            case "anthropic" -> post.addHeader("x-api-key", API_KEY).addHeader("anthropic-version", "2023-06-01");
            case "gemini" -> post.addHeader("x-goog-api-key", API_KEY);
            default -> post.addHeader("authorization", "Bearer " + API_KEY);
        }
        java.util.concurrent.Future<Result> future = hc5Async.execute(
                org.apache.hc.client5.http.async.methods.SimpleRequestProducer.create(post.build()),
                new Collector(), null);
        report(i, future.get(60, TimeUnit.SECONDS));
    }

    private void callReactorNetty(int i) {
        String json = body(i);
        reactor.netty.http.client.HttpClient client = reactorNetty.headers(h -> {
            h.add("content-type", "application/json");
            switch (api) {
                case "anthropic" -> h.add("x-api-key", API_KEY).add("anthropic-version", "2023-06-01");
                case "gemini" -> h.add("x-goog-api-key", API_KEY);
                default -> h.add("authorization", "Bearer " + API_KEY);
            }
        });
        reactor.netty.http.client.HttpClient.ResponseReceiver<?> request = client.post().uri(url())
                .send(reactor.netty.ByteBufFlux.fromString(reactor.core.publisher.Mono.just(json)));
        Result result;
        if (stream) {
            result = request.response((response, content) -> content.asByteArray()
                    .reduce(new java.io.ByteArrayOutputStream(), (out, chunk) -> {
                        out.write(chunk, 0, chunk.length);
                        return out;
                    })
                    .map(out -> new Result(response.status().code(), out.toByteArray())))
                    .blockLast(java.time.Duration.ofSeconds(60));
        } else {
            result = request.responseSingle((response, content) -> content.asByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(bytes -> new Result(response.status().code(), bytes)))
                    .block(java.time.Duration.ofSeconds(60));
        }
        try {
            report(i, result);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Collects a response body as the async client hands it over, chunk by chunk. */
    private static final class Collector
            extends org.apache.hc.core5.http.nio.support.AbstractAsyncResponseConsumer<Result, byte[]> {
        Collector() {
            super(new org.apache.hc.core5.http.nio.entity.BasicAsyncEntityConsumer());
        }

        @Override
        protected Result buildResult(org.apache.hc.core5.http.HttpResponse response, byte[] body,
                org.apache.hc.core5.http.ContentType contentType) {
            return new Result(response.getCode(), body == null ? new byte[0] : body);
        }

        @Override
        public void informationResponse(org.apache.hc.core5.http.HttpResponse response,
                org.apache.hc.core5.http.protocol.HttpContext context) {
        }
    }

    private record Result(int status, byte[] body) {
    }

    private interface Reader<T> {
        byte[] read(T body) throws Exception;
    }

    private <T> Result send(HttpRequest request, HttpResponse.BodyHandler<T> handler, Reader<T> reader)
            throws Exception {
        HttpResponse<T> response;
        if (async) {
            CompletableFuture<HttpResponse<T>> future = client.sendAsync(request, handler);
            response = future.get(60, TimeUnit.SECONDS);
        } else {
            response = client.send(request, handler);
        }
        return new Result(response.statusCode(), reader.read(response.body()));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** Reads the first 16 bytes and walks away: an app that abandons a stream. */
    private static byte[] readSomeThenClose(InputStream in) throws IOException {
        try (in) {
            return in.readNBytes(16);
        }
    }

    private static byte[] drain(Flow.Publisher<List<ByteBuffer>> publisher) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                for (ByteBuffer b : item) {
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.write(chunk, 0, chunk.length);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        return done.get(60, TimeUnit.SECONDS);
    }

    private String url() {
        String m = modelName();
        return switch (api) {
            case "chat" -> baseUrl + "/chat/completions";
            case "responses" -> baseUrl + "/responses";
            case "anthropic" -> baseUrl + "/messages";
            case "gemini" -> baseUrl + "/models/" + m + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
            default -> throw new IllegalArgumentException("--api " + api);
        };
    }

    private String modelName() {
        if (model != null) {
            return model;
        }
        return switch (api) {
            case "anthropic" -> "claude-sonnet-4-5";
            case "gemini" -> "gemini-2.5-flash";
            default -> "gpt-4o-mini";
        };
    }

    private String body(int i) {
        String question = "\"Question number " + i + ": what is the capital of France?\"";
        String m = "\"" + modelName() + "\"";
        return switch (api) {
            case "chat" -> "{\"model\":" + m + ",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                    + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                    + ",\"messages\":[{\"role\":\"user\",\"content\":" + question + "}]}";
            case "responses" -> "{\"model\":" + m + ",\"max_output_tokens\":" + maxTokens + ",\"stream\":" + stream
                    + ",\"input\":" + question + "}";
            case "anthropic" -> "{\"model\":" + m + ",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":" + question + "}]}";
            case "gemini" -> "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":" + question + "}]}],"
                    + "\"generationConfig\":{\"maxOutputTokens\":" + maxTokens + "}}";
            default -> throw new IllegalArgumentException("--api " + api);
        };
    }
}
