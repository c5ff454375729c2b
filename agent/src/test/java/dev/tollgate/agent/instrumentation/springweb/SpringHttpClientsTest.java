package dev.tollgate.agent.instrumentation.springweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.agent.installer.AgentInstaller;
import dev.tollgate.agent.installer.CoverageReport;
import dev.tollgate.agent.instrumentation.apachehttp.v5.ApacheHttpClient5InstrumentationModule;
import dev.tollgate.agent.instrumentation.springweb.v6_1.SpringWebInstrumentationModule;
import dev.tollgate.agent.instrumentation.springwebflux.v6_1.SpringWebFluxInstrumentationModule;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.testing.LlmOnlyDelegate;
import dev.tollgate.agent.testing.RecordingExchange;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Real Spring {@code RestClient}s and {@code WebClient}s over their real connectors (Reactor Netty, the JDK client,
 * Apache HttpClient 5, {@code HttpURLConnection}) woven in process, talking HTTP to a server on 127.0.0.1, with a
 * minimal guard that meters {@code /v1/chat/completions}, blocks {@code /v1/messages} and leaves everything else
 * alone. Apache HttpClient 5 is woven too, so a RestClient over it proves the transport does not count again.
 */
class SpringHttpClientsTest {
  static final String CHAT = "/v1/chat/completions";
  static final String BLOCKED = "/v1/messages";
  static final byte[] BLOCK_BODY = "{\"error\":{\"type\":\"budget_exceeded\",\"message\":\"budget spent\"}}"
      .getBytes(StandardCharsets.UTF_8);
  static final String PROMPT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir
  static Path dir;
  static ResettableClassFileTransformer transformer;
  static HttpServer server;
  static String base;
  static final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  static final Map<String, String> receivedBodies = new ConcurrentHashMap<>();
  static final RecordingGuard guard = new RecordingGuard();
  static EnforcementLog log;
  long suppressedBefore;

  @BeforeAll
  static void weaveAndServe() throws Exception {
    List<InstrumentationModule> modules = List.of(new SpringWebInstrumentationModule(),
        new SpringWebFluxInstrumentationModule(), new ApacheHttpClient5InstrumentationModule());
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    transformer = AgentInstaller.install(ByteBuddyAgent.install(), modules, new CoverageReport(log, modules));
    Guard.install(guard);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", SpringHttpClientsTest::serve);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    Guard.install(null);
    log.close();
    server.stop(0);
    transformer.reset(ByteBuddyAgent.getInstrumentation(), AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
  }

  @BeforeEach
  void reset() {
    guard.exchanges.clear();
    guard.clients.clear();
    guard.suppressed.clear();
    served.clear();
    receivedBodies.clear();
    suppressedBefore = Guard.suppressedCount();
  }

  @AfterEach
  void noAgentErrors() {
    assertEquals(suppressedBefore, Guard.suppressedCount(), "suppressed agent errors: " + guard.suppressed);
  }

  static Stream<Named<ClientHttpRequestFactory>> factories() {
    return Stream.of(Named.of("Reactor Netty", new ReactorClientHttpRequestFactory()),
        Named.of("JDK HttpClient", new JdkClientHttpRequestFactory()),
        Named.of("Apache HttpClient 5 (woven itself)", new HttpComponentsClientHttpRequestFactory()),
        Named.of("HttpURLConnection", new SimpleClientHttpRequestFactory()));
  }

  static Stream<Named<ClientHttpConnector>> connectors() {
    return Stream.of(Named.of("Reactor Netty", new ReactorClientHttpConnector()),
        Named.of("JDK HttpClient", new JdkClientHttpConnector()));
  }

  static RestClient restClient(ClientHttpRequestFactory factory, boolean intercepted) {
    RestClient.Builder builder = RestClient.builder().baseUrl(base).requestFactory(factory);
    if (intercepted) {
      // an interceptor makes RestClient wrap each connector request in an InterceptingClientHttpRequest
      builder.requestInterceptor((request, body, execution) -> {
        request.getHeaders().add("X-App", "intercepted");
        return execution.execute(request, body);
      });
    }
    return builder.build();
  }

  @ParameterizedTest
  @MethodSource("factories")
  void restClientCallIsGovernedOnceWhateverTheConnectorAndMeteredByteForByte(ClientHttpRequestFactory factory) {
    for (boolean intercepted : new boolean[] {false, true}) {
      reset();
      String reply = restClient(factory, intercepted).post().uri(CHAT + "?mode=json")
          .contentType(MediaType.APPLICATION_JSON).body(PROMPT).retrieve().body(String.class);

      assertEquals(new String(json(), StandardCharsets.UTF_8), reply);
      assertEquals(List.of("spring-restclient"), guard.clients, "one decision, by the layer the app called");
      RecordingExchange ex = guard.only();
      assertEquals("POST", ex.method);
      assertEquals(base + CHAT + "?mode=json", ex.uri);
      assertEquals(PROMPT, new String(ex.requestBody, StandardCharsets.UTF_8));
      assertEquals(PROMPT, receivedBodies.get(CHAT), "the provider got the same bytes");
      assertEquals(List.of("200 application/json null"), ex.heads);
      assertArrayEquals(json(), ex.body.toByteArray());
      assertEquals(List.of("end complete=true error=null"), ex.ends);
    }
  }

  @ParameterizedTest
  @MethodSource("factories")
  void restClientStreamReadToItsEndIsComplete(ClientHttpRequestFactory factory) {
    byte[] read = restClient(factory, false).post().uri(CHAT + "?mode=sse")
        .contentType(MediaType.APPLICATION_JSON).body(PROMPT).exchange((request, response) ->
            response.getBody().readAllBytes());

    assertArrayEquals(sse(), read);
    RecordingExchange ex = guard.only();
    assertEquals(List.of("200 text/event-stream null"), ex.heads);
    assertArrayEquals(sse(), ex.body.toByteArray());
    assertEquals(List.of("end complete=true error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("factories")
  void blockedRestClientCallNeverReachesTheNetworkAndIsAClientError(ClientHttpRequestFactory factory) {
    HttpClientErrorException e = assertThrows(HttpClientErrorException.class, () -> restClient(factory, true)
        .post().uri(BLOCKED).contentType(MediaType.APPLICATION_JSON).body(PROMPT).retrieve().body(String.class));

    assertEquals(402, e.getStatusCode().value());
    assertArrayEquals(BLOCK_BODY, e.getResponseBodyAsByteArray());
    assertEquals("false", e.getResponseHeaders().getFirst("x-should-retry"));
    assertNull(served.get(BLOCKED), "requests the server saw");
    assertEquals(List.of("spring-restclient"), guard.clients);
    assertTrue(guard.exchanges.isEmpty());
  }

  @ParameterizedTest
  @MethodSource("factories")
  void otherRestClientRequestsPassUntouched(ClientHttpRequestFactory factory) {
    String reply = restClient(factory, true).get().uri("/health").retrieve().body(String.class);

    assertEquals("ok", reply);
    assertTrue(guard.clients.isEmpty(), "not even asked: " + guard.clients);
    assertEquals(1, served.get("/health").get());
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void webClientStreamIsGovernedOnceAndMeteredAsItPasses(ClientHttpConnector connector) {
    List<String> events = WebClient.builder().baseUrl(base).clientConnector(connector).build()
        .post().uri(CHAT + "?mode=sse").contentType(MediaType.APPLICATION_JSON).bodyValue(PROMPT)
        .retrieve().bodyToFlux(String.class).collectList().block();

    assertEquals(7, events.size(), events.toString());
    assertEquals(List.of("spring-webclient"), guard.clients);
    RecordingExchange ex = guard.only();
    assertEquals(PROMPT, new String(ex.requestBody, StandardCharsets.UTF_8));
    assertEquals(PROMPT, receivedBodies.get(CHAT), "the provider got the same bytes");
    assertEquals(List.of("200 text/event-stream null"), ex.heads);
    assertArrayEquals(sse(), ex.body.toByteArray());
    assertEquals(List.of("end complete=true error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void webClientJsonCallIsMeteredAndAnObjectBodyIsWrittenByTheAppsOwnCodecs(ClientHttpConnector connector) {
    String reply = WebClient.builder().baseUrl(base).clientConnector(connector).build()
        .post().uri(CHAT + "?mode=json").bodyValue(Map.of("model", "gpt-4o-mini"))
        .retrieve().bodyToMono(String.class).block();

    assertEquals(new String(json(), StandardCharsets.UTF_8), reply);
    RecordingExchange ex = guard.only();
    assertEquals("{\"model\":\"gpt-4o-mini\"}", new String(ex.requestBody, StandardCharsets.UTF_8));
    assertEquals("{\"model\":\"gpt-4o-mini\"}", receivedBodies.get(CHAT));
    assertEquals(List.of("end complete=true error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void webClientStreamCancelledEarlyIsAbandoned(ClientHttpConnector connector) {
    String first = WebClient.builder().baseUrl(base).clientConnector(connector).build()
        .post().uri(CHAT + "?mode=sse").bodyValue(PROMPT)
        .retrieve().bodyToFlux(String.class).blockFirst();

    assertTrue(first.contains("The"), first);
    RecordingExchange ex = guard.only();
    assertEquals(List.of("end complete=false error=null"), ex.ends);
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void blockedWebClientCallNeverReachesTheNetwork(ClientHttpConnector connector) {
    WebClientResponseException e = assertThrows(WebClientResponseException.class, () -> WebClient.builder()
        .baseUrl(base).clientConnector(connector).build()
        .post().uri(BLOCKED).bodyValue(PROMPT).retrieve().bodyToFlux(String.class).collectList().block());

    assertEquals(402, e.getStatusCode().value());
    assertArrayEquals(BLOCK_BODY, e.getResponseBodyAsByteArray());
    assertEquals("false", e.getHeaders().getFirst("x-should-retry"));
    assertNull(served.get(BLOCKED), "requests the server saw");
    assertTrue(guard.exchanges.isEmpty());
  }

  @ParameterizedTest
  @MethodSource("connectors")
  void otherWebClientRequestsPassUntouched(ClientHttpConnector connector) {
    String reply = WebClient.builder().baseUrl(base).clientConnector(connector).build()
        .get().uri("/health").retrieve().bodyToMono(String.class).block();

    assertEquals("ok", reply);
    assertTrue(guard.clients.isEmpty(), "not even asked: " + guard.clients);
  }

  // --- the server

  static void serve(HttpExchange http) throws IOException {
    String path = http.getRequestURI().getPath();
    served.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    receivedBodies.put(path, new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String query = http.getRequestURI().getQuery();
    String mode = query == null ? "" : query.substring(query.indexOf('=') + 1);
    try (http) {
      if (!path.equals(CHAT)) {
        http.sendResponseHeaders(200, 2);
        http.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
        return;
      }
      switch (mode) {
        case "json" -> {
          http.getResponseHeaders().set("Content-Type", "application/json");
          http.sendResponseHeaders(200, json().length);
          http.getResponseBody().write(json());
        }
        case "sse" -> {
          http.getResponseHeaders().set("Content-Type", "text/event-stream");
          http.sendResponseHeaders(200, 0); // chunked
          OutputStream out = http.getResponseBody();
          byte[] all = sse();
          try {
            for (int at = 0; at < all.length; at += 50) {
              out.write(all, at, Math.min(50, all.length - at));
              out.flush();
            }
          } catch (IOException clientWentAway) {
            // a cancelled stream
          }
        }
        default -> http.sendResponseHeaders(400, -1);
      }
    }
  }

  static byte[] json() {
    return ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
        + "\"assistant\",\"content\":\"Paris.\"}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}")
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

  // --- the minimal guard

  static final class RecordingGuard extends LlmOnlyDelegate {
    final List<RecordingExchange> exchanges = new CopyOnWriteArrayList<>();
    final List<String> clients = new CopyOnWriteArrayList<>();

    RecordingExchange only() {
      assertEquals(1, exchanges.size(), "exchanges");
      return exchanges.get(0);
    }

    @Override
    protected boolean llmRecognized(String method, String uri) {
      String path = URI.create(uri).getPath();
      return path.equals(CHAT) || path.equals(BLOCKED);
    }

    @Override
    protected Object llmEnter(String client, String method, String uri, byte[] body, long contentLength) {
      String path = URI.create(uri).getPath();
      if (!llmRecognized(method, uri)) {
        return null;
      }
      clients.add(client);
      if (path.equals(CHAT)) {
        RecordingExchange r = new RecordingExchange(method, uri, body, contentLength);
        exchanges.add(r);
        return r;
      }
      return new BlockedCall(402, Map.of("content-type", "application/json", "x-should-retry", "false"),
          BLOCK_BODY, "budget spent");
    }
  }
}
