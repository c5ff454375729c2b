package dev.tollgate.agent.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.agent.installer.AgentInstaller;
import dev.tollgate.agent.installer.CoverageReport;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.testing.LlmOnlyDelegate;
import dev.tollgate.agent.testing.RecordingExchange;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real OkHttp clients (4.12 on the test class path, 5.3 in a loader of its own into which the agent must define
 * its helper classes) woven in process, talking real HTTP to a server on 127.0.0.1, with a minimal guard that
 * meters {@code /v1/chat/completions}, blocks {@code /v1/messages} and leaves everything else alone.
 */
class OkHttpInstrumentationTest {
  static final String CHAT = "/v1/chat/completions";
  static final String BLOCKED = "/v1/messages";
  static final byte[] BLOCK_BODY = ("{\"error\":{\"type\":\"budget_exceeded\",\"message\":\"budget per-run (run) spent"
      + " $0.50 of $0.50\",\"param\":null,\"code\":\"budget_exceeded\"}}").getBytes(StandardCharsets.UTF_8);
  static final byte[] PROMPT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
      .getBytes(StandardCharsets.UTF_8);

  @TempDir
  static Path dir;
  static ResettableClassFileTransformer transformer;
  static HttpServer server;
  static String base;
  static final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  static final Map<String, String> acceptEncoding = new ConcurrentHashMap<>();
  static final RecordingGuard guard = new RecordingGuard();
  static OkHttpApp okhttp4;
  static OkHttpApp okhttp5;
  static EnforcementLog log;
  long suppressedBefore;

  @BeforeAll
  static void weaveAndServe() throws Exception {
    List<InstrumentationModule> modules = List.of(new OkHttpInstrumentationModule());
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    transformer = AgentInstaller.install(ByteBuddyAgent.install(), modules, new CoverageReport(log, modules));
    Guard.install(guard);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", OkHttpInstrumentationTest::serve);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    okhttp4 = new OkHttpAppImpl();
    okhttp5 = OkHttp5Loader.app();
  }

  @AfterAll
  static void stop() {
    Guard.install(null);
    log.close();
    server.stop(0);
    transformer.reset(ByteBuddyAgent.getInstrumentation(), AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
  }

  static Stream<Named<OkHttpApp>> apps() {
    return Stream.of(Named.of("okhttp 4.12.0", okhttp4), Named.of("okhttp 5.3.2", okhttp5));
  }

  @BeforeEach
  void reset() {
    guard.exchanges.clear();
    guard.ignored.clear();
    served.clear();
    suppressedBefore = Guard.suppressedCount();
  }

  @AfterEach
  void noAgentErrors() {
    assertEquals(suppressedBefore, Guard.suppressedCount(), "suppressed agent errors: " + guard.suppressed);
  }

  @Test
  void theAppsRunOkHttp4And5AndCoverageNamesTheVersionWovenFirst() throws IOException {
    assertEquals("4.12.0", okhttp4.version());
    assertEquals("5.3.2", okhttp5.version());
    okhttp4.interceptorNames();
    okhttp5.interceptorNames();
    assertEquals("app", okhttp4.interceptorLoader(), "on the test class path the loader finds the helper itself");
    assertEquals("okhttp5-app", okhttp5.interceptorLoader(), "defined into the app's loader by the agent");
    log.flush();
    String written = Files.readString(dir.resolve("log.jsonl"));
    assertTrue(written.contains("\"framework\":\"okhttp\",\"version\":\"4.12.0\"")
        || written.contains("\"framework\":\"okhttp\",\"version\":\"5.3.2\""), written);
  }

  @ParameterizedTest
  @MethodSource("apps")
  void everyClientGetsTheInterceptorFirstAndOnlyOnce(OkHttpApp app) {
    String ours = TollgateInterceptor.class.getName();
    List<List<String>> names = app.interceptorNames();
    assertEquals(List.of(ours), names.get(0), "new OkHttpClient()");
    assertEquals(List.of(ours), names.get(1), "newBuilder().build() twice");
    assertEquals(List.of(ours, OkHttpAppImpl.AppInterceptor.class.getName()), names.get(2),
        "with the app's own interceptor");
  }

  @ParameterizedTest
  @MethodSource("apps")
  void meteredJsonCallSeesTheHeadAndExactlyTheBytesTheAppRead(OkHttpApp app) throws Exception {
    OkHttpApp.Reply reply = app.call("POST", base + CHAT + "?mode=json", PROMPT, 8192, -1);

    assertEquals(200, reply.status());
    Recording ex = guard.only();
    assertEquals("POST", ex.method);
    assertEquals(base + CHAT + "?mode=json", ex.uri);
    assertArrayEquals(PROMPT, ex.requestBody);
    assertEquals(PROMPT.length, ex.contentLength);
    assertEquals(List.of("200 application/json null"), ex.heads);
    assertEquals(sha256(json(1)), sha256(reply.read()));
    assertEquals(sha256(reply.read()), sha256(ex.body.toByteArray()));
    assertEquals(List.of("end complete=true error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("apps")
  void chunkedStreamIsMeteredByteForByteInSmallReads(OkHttpApp app) throws Exception {
    OkHttpApp.Reply reply = app.call("POST", base + CHAT + "?mode=sse", PROMPT, 7, -1);

    assertEquals(200, reply.status());
    assertArrayEquals(sse(), reply.read());
    Recording ex = guard.only();
    assertEquals(List.of("200 text/event-stream null"), ex.heads);
    assertEquals(sha256(reply.read()), sha256(ex.body.toByteArray()));
    assertEquals(List.of("end complete=true error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("apps")
  void gzipIsMeteredAfterOkHttpsTransparentGunzip(OkHttpApp app) throws Exception {
    OkHttpApp.Reply reply = app.call("POST", base + CHAT + "?mode=gzip", PROMPT, 8192, -1);

    assertEquals("gzip", acceptEncoding.get("gzip"), "OkHttp asked for gzip itself");
    assertArrayEquals(json(40), reply.read());
    Recording ex = guard.only();
    assertEquals(List.of("200 application/json null"), ex.heads, "the app sees no content-encoding either");
    assertEquals(sha256(reply.read()), sha256(ex.body.toByteArray()));
    assertEquals(List.of("end complete=true error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("apps")
  void bodyClosedBeforeItsEndIsAbandoned(OkHttpApp app) throws Exception {
    OkHttpApp.Reply reply = app.call("POST", base + CHAT + "?mode=big", PROMPT, 100, 100);

    assertEquals(100, reply.read().length);
    Recording ex = guard.only();
    byte[] seen = ex.body.toByteArray();
    assertTrue(seen.length >= 100 && seen.length < 1 << 20, "seen " + seen.length);
    assertArrayEquals(reply.read(), java.util.Arrays.copyOf(seen, 100));
    assertEquals(List.of("end complete=false error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("apps")
  void responseWithoutContentEndsAtOnce(OkHttpApp app) throws Exception {
    OkHttpApp.Reply reply = app.call("POST", base + CHAT + "?mode=empty", PROMPT, 8192, -1);

    assertEquals(204, reply.status());
    Recording ex = guard.only();
    assertEquals(List.of("204 null null"), ex.heads);
    assertEquals(0, ex.body.size());
    assertEquals(List.of("end complete=true error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("apps")
  void failedCallEndsTheExchangeAndTheAppGetsTheSameException(OkHttpApp app) throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    IOException thrown = assertThrows(IOException.class,
        () -> app.call("POST", "http://127.0.0.1:" + closedPort + CHAT, PROMPT, 8192, -1));

    Recording ex = guard.only();
    assertTrue(ex.heads.isEmpty());
    assertEquals(List.of("end complete=false error=" + thrown), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("apps")
  void blockedCallNeverReachesTheNetworkAndTheAppGetsTheProviderError(OkHttpApp app) throws Exception {
    OkHttpApp.Reply reply = app.call("POST", base + BLOCKED, PROMPT, 8192, -1);

    assertEquals(402, reply.status());
    assertEquals("Payment Required", reply.message());
    assertArrayEquals(BLOCK_BODY, reply.read());
    assertEquals("false", reply.headers().get("x-should-retry"));
    assertEquals("application/json", reply.headers().get("content-type"));
    assertEquals(Integer.toString(BLOCK_BODY.length), reply.headers().get("content-length"));
    assertNull(served.get(BLOCKED), "requests the server saw on " + BLOCKED);
    assertTrue(guard.exchanges.isEmpty());
  }

  @ParameterizedTest
  @MethodSource("apps")
  void otherRequestsPassUntouched(OkHttpApp app) throws Exception {
    OkHttpApp.Reply reply = app.call("GET", base + "/health", null, 8192, -1);

    assertEquals(200, reply.status());
    assertArrayEquals("ok".getBytes(StandardCharsets.UTF_8), reply.read());
    assertEquals(List.of("GET " + base + "/health"), guard.ignored);
    assertTrue(guard.exchanges.isEmpty());
    assertEquals("okhttp3.internal.http.RealResponseBody", reply.bodyClass(), "the body is OkHttp's own");
    assertEquals(1, served.get("/health").get());
  }

  // --- the server

  static void serve(HttpExchange http) throws IOException {
    String path = http.getRequestURI().getPath();
    served.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    http.getRequestBody().readAllBytes();
    String query = http.getRequestURI().getQuery();
    String mode = query == null ? "" : query.substring(query.indexOf('=') + 1);
    try (http) {
      if (!path.equals(CHAT)) {
        http.sendResponseHeaders(200, 2);
        http.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
        return;
      }
      switch (mode) {
        case "json" -> send(http, "application/json", json(1), false);
        case "gzip" -> {
          acceptEncoding.put("gzip", String.valueOf(http.getRequestHeaders().getFirst("Accept-Encoding")));
          http.getResponseHeaders().set("Content-Encoding", "gzip");
          ByteArrayOutputStream zipped = new ByteArrayOutputStream();
          try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(json(40));
          }
          send(http, "application/json", zipped.toByteArray(), false);
        }
        case "sse" -> {
          http.getResponseHeaders().set("Content-Type", "text/event-stream");
          http.sendResponseHeaders(200, 0); // chunked
          OutputStream out = http.getResponseBody();
          byte[] all = sse();
          for (int at = 0; at < all.length; at += 50) {
            out.write(all, at, Math.min(50, all.length - at));
            out.flush();
          }
        }
        case "big" -> {
          http.getResponseHeaders().set("Content-Type", "text/event-stream");
          http.sendResponseHeaders(200, 0);
          byte[] line = "data: {\"choices\":[{\"delta\":{\"content\":\"more\"}}]}\n\n".getBytes(StandardCharsets.UTF_8);
          try {
            for (int i = 0; i < (1 << 20) / line.length; i++) {
              http.getResponseBody().write(line);
            }
          } catch (IOException clientWentAway) {
            // expected: the app closed the body early
          }
        }
        case "empty" -> http.sendResponseHeaders(204, -1);
        default -> http.sendResponseHeaders(400, -1);
      }
    }
  }

  static void send(HttpExchange http, String type, byte[] body, boolean chunked) throws IOException {
    http.getResponseHeaders().set("Content-Type", type);
    http.sendResponseHeaders(200, chunked ? 0 : body.length);
    http.getResponseBody().write(body);
  }

  static byte[] json(int repeat) {
    String content = "Paris. ".repeat(repeat);
    return ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
        + "\"assistant\",\"content\":\"" + content + "\"}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static byte[] sse() {
    StringBuilder s = new StringBuilder();
    for (String word : new String[] {"The", " capital", " is", " Paris", "."}) {
      s.append("data: {\"choices\":[{\"delta\":{\"content\":\"").append(word).append("\"}}]}\n\n");
    }
    s.append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":5}}\n\ndata: [DONE]\n\n");
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  // --- the minimal guard

  static final class Recording extends RecordingExchange {
    Recording(String method, String uri, byte[] requestBody, long contentLength) {
      super(method, uri, requestBody, contentLength);
    }

    @Override
    public void bytes(ByteBuffer bytes) {
      throw new AssertionError("OkHttp hands over arrays");
    }
  }

  static final class RecordingGuard extends LlmOnlyDelegate {
    final List<Recording> exchanges = new CopyOnWriteArrayList<>();
    final List<String> ignored = new CopyOnWriteArrayList<>();

    Recording only() {
      assertEquals(1, exchanges.size(), "exchanges");
      return exchanges.get(0);
    }

    /** What the agent's endpoint recognition answers: only the chat and blocked paths are LLM calls. */
    @Override
    protected boolean llmRecognized(String method, String uri) {
      String path = URI.create(uri).getPath();
      if (path.equals(CHAT) || path.equals(BLOCKED)) {
        return true;
      }
      ignored.add(method + " " + uri);
      return false;
    }

    @Override
    protected Object llmEnter(String client, String method, String uri, byte[] body, long contentLength) {
      assertEquals("okhttp", client);
      String path = URI.create(uri).getPath();
      if (path.equals(CHAT)) {
        Recording r = new Recording(method, uri, body, contentLength);
        exchanges.add(r);
        return r;
      }
      if (path.equals(BLOCKED)) {
        return new BlockedCall(402, Map.of("content-type", "application/json", "x-should-retry", "false"),
            BLOCK_BODY, "budget per-run (run) spent $0.50 of $0.50");
      }
      ignored.add(method + " " + uri);
      return null;
    }
  }
}
