package dev.tollgate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options of {@link ProviderSimulator#builder}: fixed usage, counting, gzip, split writes, large answers, digests. */
class UsageAndWireTest {

    private static final String GEMINI = "/v1beta/models/gemini-2.5-flash:generateContent";
    private static final String GEMINI_SSE = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";

    @Test
    void fixedUsageIsReportedInEachFormatsOwnSemantics() throws Exception {
        Script script = Script.empty();
        try (ProviderSimulator simulator = ProviderSimulator.builder(script).usage(1000, 300).cachedTokens(400)
                .reasoningTokens(120).start()) {
            String root = simulator.geminiBaseUrl();

            JsonNode chat = Http.json(Http.post(root + "/v1/chat/completions", "{\"messages\":[]}").body()).path("usage");
            assertEquals(1000, chat.path("prompt_tokens").asInt(), "OpenAI prompt_tokens includes cached");
            assertEquals(400, chat.at("/prompt_tokens_details/cached_tokens").asInt());
            assertEquals(300, chat.path("completion_tokens").asInt(), "and completion_tokens includes reasoning");
            assertEquals(120, chat.at("/completion_tokens_details/reasoning_tokens").asInt());
            assertEquals(1300, chat.path("total_tokens").asInt());

            JsonNode responses = Http.json(Http.post(root + "/v1/responses", "{\"input\":\"x\"}").body()).path("usage");
            assertEquals(1000, responses.path("input_tokens").asInt());
            assertEquals(400, responses.at("/input_tokens_details/cached_tokens").asInt());
            assertEquals(300, responses.path("output_tokens").asInt());
            assertEquals(120, responses.at("/output_tokens_details/reasoning_tokens").asInt());
            assertEquals(1300, responses.path("total_tokens").asInt());

            JsonNode anthropic = Http.json(Http.post(root + "/v1/messages", "{\"max_tokens\":9,\"messages\":[]}").body())
                    .path("usage");
            assertEquals(600, anthropic.path("input_tokens").asInt(), "Anthropic input_tokens excludes cache reads");
            assertEquals(400, anthropic.path("cache_read_input_tokens").asInt());
            assertEquals(0, anthropic.path("cache_creation_input_tokens").asInt());
            assertEquals(300, anthropic.path("output_tokens").asInt());

            JsonNode anthropicStream = Http.events(Http.post(root + "/v1/messages",
                    "{\"stream\":true,\"max_tokens\":9,\"messages\":[]}").body()).get(0).data().at("/message/usage");
            assertEquals(600, anthropicStream.path("input_tokens").asInt());
            assertEquals(400, anthropicStream.path("cache_read_input_tokens").asInt());

            JsonNode gemini = Http.json(Http.post(root + GEMINI, "{\"contents\":[]}").body()).path("usageMetadata");
            assertEquals(1000, gemini.path("promptTokenCount").asInt(), "Gemini promptTokenCount includes cached");
            assertEquals(400, gemini.path("cachedContentTokenCount").asInt());
            assertEquals(180, gemini.path("candidatesTokenCount").asInt(), "thoughts are apart from candidates");
            assertEquals(120, gemini.path("thoughtsTokenCount").asInt());
            assertEquals(1300, gemini.path("totalTokenCount").asInt());

            List<Http.Event> geminiChunks = Http.events(Http.post(root + GEMINI_SSE, "{\"contents\":[]}").body());
            JsonNode lastGemini = geminiChunks.get(geminiChunks.size() - 1).data().path("usageMetadata");
            assertEquals(180, lastGemini.path("candidatesTokenCount").asInt());
            assertEquals(1300, lastGemini.path("totalTokenCount").asInt());

            JsonNode ollama = Http.json(Http.post(root + "/api/chat", "{\"stream\":false,\"messages\":[]}").body());
            assertEquals(1000, ollama.path("prompt_eval_count").asInt());
            assertEquals(300, ollama.path("eval_count").asInt());
        }
    }

    @Test
    void inconsistentUsageIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> ProviderSimulator.builder(Script.empty()).usage(10, 5).cachedTokens(11).start());
        assertThrows(IllegalArgumentException.class,
                () -> ProviderSimulator.builder(Script.empty()).usage(10, 5).reasoningTokens(6).start());
    }

    @Test
    void chatStreamCarriesUsageOnlyWithIncludeUsage() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.builder(Script.empty()).usage(77, 11).start()) {
            String url = simulator.baseUrl() + "/chat/completions";
            String without = Http.post(url, "{\"stream\":true,\"messages\":[]}").body();
            assertFalse(without.contains("usage"), without);
            String off = Http.post(url, "{\"stream\":true,\"stream_options\":{\"include_usage\":false},\"messages\":[]}").body();
            assertFalse(off.contains("usage"), off);

            List<Http.Event> with = Http.events(Http.post(url,
                    "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}").body());
            assertNull(with.get(with.size() - 1).data(), "[DONE] last");
            JsonNode usageChunk = with.get(with.size() - 2).data();
            assertEquals(0, usageChunk.path("choices").size());
            assertEquals(77, usageChunk.at("/usage/prompt_tokens").asInt());
            assertEquals(11, usageChunk.at("/usage/completion_tokens").asInt());
            for (Http.Event event : with.subList(0, with.size() - 2)) {
                assertTrue(event.data().path("usage").isNull(), "other chunks carry usage: null");
            }
        }
    }

    @Test
    void countsEveryRequestByPathAndRedactsSecretsAndRecordsRetryCount() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.empty())) {
            String root = simulator.geminiBaseUrl();
            Http.post(root + "/v1/chat/completions", "{\"messages\":[]}", "Authorization", "Bearer sk-SECRET-1",
                    "X-Stainless-Retry-Count", "0");
            Http.post(root + "/v1/messages", "{\"messages\":[]}", "x-api-key", "sk-ant-SECRET-2",
                    "X-Stainless-Retry-Count", "1");
            Http.post(root + "/openai/deployments/d/embeddings", "{}", "api-key", "SECRET-3");
            Http.post(root + GEMINI, "{\"contents\":[]}", "x-goog-api-key", "SECRET-4");
            Http.post(root + "/v1/messages/count_tokens", "{}");

            assertEquals(5, simulator.requestCount());
            assertEquals(3, simulator.requestCount("/v1/"), "chat, messages, count_tokens");
            assertEquals(2, simulator.requestCount("/v1/messages"));
            assertEquals(1, simulator.requestCount("/v1beta/"));
            assertEquals(3, simulator.turnsServed(), "404s are counted as requests but consume no turn");
            for (RecordedRequest request : simulator.requests()) {
                assertFalse(request.headers().toString().contains("SECRET"), request.headers().toString());
            }
            assertEquals("Bearer " + RecordedRequest.REDACTED, simulator.requests().get(0).header("authorization"));
            assertEquals(RecordedRequest.REDACTED, simulator.requests().get(2).header("api-key"));
            assertEquals("0", simulator.requests().get(0).stainlessRetryCount());
            assertFalse(simulator.requests().get(0).retried());
            assertEquals("1", simulator.requests().get(1).stainlessRetryCount());
            assertTrue(simulator.requests().get(1).retried());
            assertNull(simulator.requests().get(2).stainlessRetryCount());
            assertEquals(1, simulator.retriedRequestCount());
            assertEquals("POST", simulator.requests().get(4).method());
            assertEquals(404, simulator.lastResponse().status());
        }
    }

    @Test
    void digestOfEveryBodyMatchesWhatTheClientRead() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.builder().answer("hello digest").build())) {
            HttpResponse<byte[]> json = Http.postBytes(simulator.baseUrl() + "/chat/completions", "{\"messages\":[]}");
            RecordedResponse first = simulator.lastResponse();
            assertEquals(ProviderSimulator.sha256(json.body()), first.sha256());
            assertEquals(json.body().length, first.bytes());
            assertArrayEquals(json.body(), simulator.lastResponseBytes());
            assertFalse(first.gzipped());
            assertEquals("/v1/chat/completions", first.path());
            assertEquals(200, first.status());

            HttpResponse<byte[]> stream = Http.postBytes(simulator.anthropicBaseUrl() + "/v1/messages",
                    "{\"stream\":true,\"max_tokens\":5,\"messages\":[]}");
            assertEquals(ProviderSimulator.sha256(stream.body()), simulator.lastResponse().sha256());
            assertArrayEquals(stream.body(), simulator.lastResponseBytes());
            assertEquals(2, simulator.responses().size());
        }
    }

    @Test
    void gzipOnlyWhenTheRequestAcceptsIt() throws Exception {
        String answer = "compress me ".repeat(50);
        Script script = Script.builder().answer(answer).answer(answer).answer(answer).answer(answer).build();
        try (ProviderSimulator simulator = ProviderSimulator.builder(script).gzip(true).start()) {
            String url = simulator.baseUrl() + "/chat/completions";
            HttpResponse<byte[]> plain = Http.postBytes(url, "{\"messages\":[]}");
            assertTrue(plain.headers().firstValue("content-encoding").isEmpty());
            assertFalse(simulator.lastResponse().gzipped());

            HttpResponse<byte[]> refused = Http.postBytes(url, "{\"messages\":[]}", "Accept-Encoding", "br, gzip;q=0");
            assertTrue(refused.headers().firstValue("content-encoding").isEmpty());

            for (String body : List.of("{\"messages\":[]}", "{\"stream\":true,\"messages\":[]}")) {
                HttpResponse<byte[]> zipped = Http.postBytes(url, body, "Accept-Encoding", "gzip, deflate");
                assertEquals("gzip", zipped.headers().firstValue("content-encoding").orElse(""));
                RecordedResponse recorded = simulator.lastResponse();
                assertTrue(recorded.gzipped());
                assertEquals(ProviderSimulator.sha256(zipped.body()), recorded.gzipSha256());
                assertEquals(zipped.body().length, recorded.gzipBytes());
                byte[] unzipped = new GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body())).readAllBytes();
                assertEquals(ProviderSimulator.sha256(unzipped), recorded.sha256());
                assertArrayEquals(unzipped, simulator.lastResponseBytes());
                assertTrue(new String(unzipped, StandardCharsets.UTF_8).contains("compress me"));
            }
        }
        assertTrue(ProviderSimulator.acceptsGzip(List.of("*")));
        assertFalse(ProviderSimulator.acceptsGzip(List.of("gzip;q=0, *")));
        assertTrue(ProviderSimulator.acceptsGzip(List.of("identity", "x-gzip")));
        assertFalse(ProviderSimulator.acceptsGzip(null));
    }

    @Test
    void splitEventsWritesChunksOfAtMostThatManyBytes() throws Exception {
        Script script = Script.builder().answer("split across many small chunks").build();
        try (ProviderSimulator simulator = ProviderSimulator.builder(script).splitEvents(7).start()) {
            List<byte[]> chunks = rawChunks(simulator.port(), "/v1/chat/completions", "{\"stream\":true,\"messages\":[]}");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int max = 0;
            for (byte[] chunk : chunks) {
                max = Math.max(max, chunk.length);
                body.write(chunk);
            }
            assertTrue(max <= 7, "largest chunk " + max);
            assertTrue(chunks.size() > 50, "events are split: " + chunks.size());
            assertEquals(simulator.lastResponse().sha256(), ProviderSimulator.sha256(body.toByteArray()));
            String text = body.toString(StandardCharsets.UTF_8);
            assertTrue(text.endsWith("data: [DONE]\n\n"));
        }
    }

    @Test
    void eventsAreFlushedOneChunkEachByDefault() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start(Script.builder().answer("three small pieces").build())) {
            List<byte[]> chunks = rawChunks(simulator.port(), "/v1/chat/completions", "{\"stream\":true,\"messages\":[]}");
            for (byte[] chunk : chunks) {
                String event = new String(chunk, StandardCharsets.UTF_8);
                assertTrue(event.startsWith("data: ") && event.endsWith("\n\n"), event);
            }
            assertEquals(6, chunks.size(), "role, 3 deltas, finish, [DONE]");
        }
    }

    @Test
    void largeAnswerIsStreamedAsManyDeltasAndDigested() throws Exception {
        int bytes = 3 * 1024 * 1024 + 17;
        try (ProviderSimulator simulator = ProviderSimulator.builder(Script.builder().answer("ignored").build())
                .answerBytes(bytes).gzip(true).start()) {
            HttpResponse<byte[]> response = Http.postBytes(simulator.baseUrl() + "/chat/completions",
                    "{\"stream\":true,\"messages\":[]}", "Accept-Encoding", "gzip");
            byte[] body = new GZIPInputStream(new java.io.ByteArrayInputStream(response.body())).readAllBytes();
            RecordedResponse recorded = simulator.lastResponse();
            assertEquals(ProviderSimulator.sha256(body), recorded.sha256());
            assertEquals(ProviderSimulator.sha256(response.body()), recorded.gzipSha256());
            StringBuilder text = new StringBuilder();
            int deltas = 0;
            for (Http.Event event : Http.events(new String(body, StandardCharsets.UTF_8))) {
                if (event.data() != null) {
                    String piece = event.data().at("/choices/0/delta/content").asText("");
                    deltas += piece.isEmpty() ? 0 : 1;
                    text.append(piece);
                }
            }
            assertEquals(bytes, text.length());
            assertEquals(ProviderSimulator.largeAnswerSha256(bytes),
                    ProviderSimulator.sha256(text.toString().getBytes(StandardCharsets.US_ASCII)));
            assertEquals(ProviderSimulator.largeAnswerText(bytes), text.toString());
            assertEquals((bytes + 8191) / 8192, deltas);
        }
    }

    @Test
    void largeAnswerWorksInEveryStreamingFormat() throws Exception {
        int bytes = 100_000;
        String expected = ProviderSimulator.largeAnswerText(bytes);
        try (ProviderSimulator simulator = ProviderSimulator.builder(Script.empty()).answerBytes(bytes).start()) {
            String root = simulator.geminiBaseUrl();
            StringBuilder anthropic = new StringBuilder();
            Http.events(Http.post(root + "/v1/messages", "{\"stream\":true,\"max_tokens\":1,\"messages\":[]}").body())
                    .stream().filter(e -> e.type().equals("content_block_delta"))
                    .forEach(e -> anthropic.append(e.data().at("/delta/text").asText()));
            assertEquals(expected, anthropic.toString());
            StringBuilder responses = new StringBuilder();
            Http.events(Http.post(root + "/v1/responses", "{\"stream\":true,\"input\":\"x\"}").body())
                    .stream().filter(e -> e.type().equals("response.output_text.delta"))
                    .forEach(e -> responses.append(e.data().path("delta").asText()));
            assertEquals(expected, responses.toString());
            StringBuilder gemini = new StringBuilder();
            Http.events(Http.post(root + GEMINI_SSE, "{\"contents\":[]}").body())
                    .forEach(e -> gemini.append(e.data().at("/candidates/0/content/parts/0/text").asText()));
            assertEquals(expected, gemini.toString());
            StringBuilder ollama = new StringBuilder();
            Http.ndjson(Http.post(root + "/api/chat", "{\"messages\":[]}").body())
                    .forEach(l -> ollama.append(l.at("/message/content").asText()));
            assertEquals(expected, ollama.toString());
            assertEquals(expected, Http.json(Http.post(root + "/api/chat", "{\"stream\":false}").body())
                    .at("/message/content").asText());
        }
    }

    /** Sends one HTTP/1.1 request over a raw socket and returns the response's chunks as framed on the wire. */
    private static List<byte[]> rawChunks(int port, String path, String body) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + payload.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            String line;
            boolean chunked = false;
            while (!(line = readLine(in)).isEmpty()) {
                chunked |= line.toLowerCase(java.util.Locale.ROOT).equals("transfer-encoding: chunked");
            }
            assertTrue(chunked, "streams are chunked");
            List<byte[]> chunks = new ArrayList<>();
            while (true) {
                int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    return chunks;
                }
                chunks.add(in.readNBytes(size));
                assertEquals("", readLine(in));
            }
        }
    }

    private static String readLine(InputStream in) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
