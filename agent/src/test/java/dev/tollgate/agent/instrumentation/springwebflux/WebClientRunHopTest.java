package dev.tollgate.agent.instrumentation.springwebflux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.agent.instrumentation.springwebflux.v6_1.SpringWebFluxInstrumentationModule;
import dev.tollgate.agent.testing.WovenPolicy;
import dev.tollgate.bootstrap.Guard;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A WebClient request whose body is produced on another thread (a Reactor worker) is still counted in the run that
 * made it: the run travels with the request, not only in the thread that asked.
 */
class WebClientRunHopTest {
  @TempDir
  static Path dir;
  static WovenPolicy woven;
  static HttpServer server;
  static final List<String> BODY_THREADS = new CopyOnWriteArrayList<>();
  static final String REPLY = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
      + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12}}";

  @BeforeAll
  static void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", http -> {
      http.getRequestBody().readAllBytes();
      byte[] body = REPLY.getBytes(StandardCharsets.UTF_8);
      http.getResponseHeaders().add("Content-Type", "application/json");
      http.sendResponseHeaders(200, body.length);
      http.getResponseBody().write(body);
      http.close();
    });
    server.start();
    woven = WovenPolicy.weaveWithLlmCalls("""
        version: 1
        budgets:
          - { name: per-run, scope: run, max_usd: 5 }
        """, dir, new SpringWebFluxInstrumentationModule());
  }

  @AfterAll
  static void stop() {
    if (woven != null) {
      woven.close();
    }
    server.stop(0);
  }

  @Test
  void aBodyProducedOnAWorkerThreadIsStillCountedInTheCallersRun() throws Exception {
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    Mono<String> prompt = Mono.fromCallable(() -> {
      BODY_THREADS.add(Thread.currentThread().getName());
      return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }).subscribeOn(Schedulers.boundedElastic());
    Object run = Guard.runEnter("test");
    String reply;
    try {
      reply = WebClient.builder().baseUrl(base).clientConnector(new JdkClientHttpConnector()).build()
          .post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
          .body(BodyInserters.fromPublisher(prompt, String.class))
          .retrieve().bodyToMono(String.class).block();
    } finally {
      Guard.runExit(run, null);
    }
    assertEquals(REPLY, reply);
    assertNotEquals(Thread.currentThread().getName(), BODY_THREADS.get(0), "the body came from a worker");

    ObjectMapper json = new ObjectMapper();
    JsonNode call = null;
    String started = null;
    for (int i = 0; i < 50 && call == null; i++) {
      for (String line : woven.logLines()) {
        JsonNode e = json.readTree(line);
        if ("llm.call".equals(e.path("event").asText()) && e.has("status")) {
          call = e;
        }
        if ("run.summary".equals(e.path("event").asText())) {
          started = e.path("run").asText();
        }
      }
      if (call == null) {
        Thread.sleep(100);
      }
    }
    List<String> lines = woven.logLines();
    assertNotNull(call, () -> "llm.call settled: " + lines);
    String seen = call.toString();
    assertTrue(call.hasNonNull("run"), () -> "the call is in the caller's run: " + seen);
    if (started != null) {
      assertEquals(started, call.get("run").asText());
    }
  }
}
